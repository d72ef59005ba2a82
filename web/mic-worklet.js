// AudioWorkletProcessor that turns the microphone into the gateway's input frames: 16-bit PCM,
// mono, `frameMs` (20 ms) per frame, at `outRate`.
//
// processorOptions: {outRate, frameMs}. When outRate is the context's own rate (48 kHz, usually)
// the samples pass as they are; otherwise (a 44.1 kHz device, say) resampler.js brings them to
// outRate (low-pass + linear interpolation; see there).
// The node is created with channelCount 1 / 'explicit', so the input arrives mixed down to mono.
//
// Messages out (port): {type:'frame', pcm: Int16Array (buffer transferred), rms, peak}
// Messages in (port):  {type:'stop'}   stop for good (the node is being dropped)
//
// `sampleRate` is a global of the AudioWorkletGlobalScope.

import { Resampler } from './resampler.js';

class MicProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { outRate, frameMs } = options.processorOptions;
    this.resampler = outRate === sampleRate ? null : new Resampler(sampleRate, outRate);
    this.frameSamples = Math.round((outRate * frameMs) / 1000);
    this.frame = new Int16Array(this.frameSamples);
    this.fill = 0;
    this.sumSquares = 0;
    this.peak = 0;
    this.stopped = false;
    this.port.onmessage = (event) => {
      if (event.data?.type === 'stop') this.stopped = true;
    };
  }

  process(inputs) {
    if (this.stopped) return false;
    const channel = inputs[0]?.[0];
    if (!channel) return true; // no input (not connected yet, or the track ended)
    const samples = this.resampler ? this.resampler.process(channel) : channel;
    for (let i = 0; i < samples.length; i++) {
      let s = samples[i];
      if (s > 1) s = 1;
      else if (s < -1) s = -1;
      this.sumSquares += s * s;
      const a = s < 0 ? -s : s;
      if (a > this.peak) this.peak = a;
      this.frame[this.fill++] = Math.round(s < 0 ? s * 32768 : s * 32767);
      if (this.fill === this.frameSamples) this.emit();
    }
    return true;
  }

  emit() {
    const pcm = this.frame;
    this.port.postMessage(
      { type: 'frame', pcm, rms: Math.sqrt(this.sumSquares / pcm.length), peak: this.peak },
      [pcm.buffer],
    );
    this.frame = new Int16Array(this.frameSamples);
    this.fill = 0;
    this.sumSquares = 0;
    this.peak = 0;
  }
}

registerProcessor('voicegw-mic', MicProcessor);
