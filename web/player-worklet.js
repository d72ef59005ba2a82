// AudioWorkletProcessor that plays the gateway's PCM through a small jitter buffer.
//
// Messages in (port):  {type:'push', samples: Float32Array}  append audio (buffer transferred)
//                      {type:'clear'}   drop everything buffered, now
//                      {type:'pause'}   hold the buffer, output silence
//                      {type:'resume'}  continue with what is buffered
// Messages out (port): {type:'stats', sounded, sounding, rms, peak, playedSamples, bufferedSamples}
//   about every 20 ms, and at once when the output turns silent or starts sounding, so that the
//   main thread can time those moments closely.
//
// `sampleRate` and `currentFrame` are globals of the AudioWorkletGlobalScope.

const PREBUFFER_SAMPLES = Math.round(sampleRate * 0.06); // start once ~60 ms are buffered
const REPORT_SAMPLES = Math.round(sampleRate * 0.02); // report about every 20 ms
const MAX_BUFFERED_SAMPLES = sampleRate * 60; // a safety bound only (e.g. a suspended context)
const SILENCE_RMS = 1e-4; // a render quantum with an RMS at or below this is silent

class PlayerProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunks = []; // Float32Arrays waiting to be played, oldest first
    this.offset = 0; // read position in chunks[0]
    this.buffered = 0; // samples in chunks, minus offset
    this.playing = false; // false while (re)filling the jitter buffer
    this.paused = false;
    this.lastPushFrame = 0; // currentFrame when audio last arrived

    this.playedSamples = 0; // non-silent samples output, in total
    this.wasSounding = false;
    this.resetReport();

    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(msg) {
    switch (msg.type) {
      case 'push':
        if (!(msg.samples instanceof Float32Array) || msg.samples.length === 0) return;
        this.chunks.push(msg.samples);
        this.buffered += msg.samples.length;
        this.lastPushFrame = currentFrame;
        while (this.buffered > MAX_BUFFERED_SAMPLES) this.dropOldestChunk();
        break;
      case 'clear':
        this.chunks = [];
        this.offset = 0;
        this.buffered = 0;
        this.playing = false;
        break;
      case 'pause':
        this.paused = true;
        break;
      case 'resume':
        this.paused = false;
        break;
    }
  }

  dropOldestChunk() {
    this.buffered -= this.chunks[0].length - this.offset;
    this.chunks.shift();
    this.offset = 0;
  }

  process(inputs, outputs) {
    const output = outputs[0];
    const out = output[0];
    if (!out) return true;
    let written = 0;

    if (!this.paused && this.buffered > 0) {
      // Start when the buffer holds enough to ride out network jitter, or when nothing more has
      // come for as long (the end of a short utterance must not wait for audio that never comes).
      if (
        !this.playing &&
        (this.buffered >= PREBUFFER_SAMPLES ||
          currentFrame - this.lastPushFrame >= PREBUFFER_SAMPLES)
      ) {
        this.playing = true;
      }
      if (this.playing) written = this.read(out);
    }
    // Ran dry: fill the jitter buffer again before playing on (an underrun, or the end of speech).
    if (this.buffered === 0) this.playing = false;

    out.fill(0, written);
    for (let ch = 1; ch < output.length; ch++) output[ch].set(out);

    this.account(out);
    return true; // keep running: silence is output while empty
  }

  /** Copies buffered samples into out; returns how many. */
  read(out) {
    let written = 0;
    while (written < out.length && this.chunks.length > 0) {
      const chunk = this.chunks[0];
      const n = Math.min(out.length - written, chunk.length - this.offset);
      out.set(chunk.subarray(this.offset, this.offset + n), written);
      written += n;
      this.offset += n;
      this.buffered -= n;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    return written;
  }

  /** Level accounting of one render quantum, and the reports to the main thread. */
  account(out) {
    let sumSquares = 0;
    let peak = 0;
    for (let i = 0; i < out.length; i++) {
      const s = out[i];
      sumSquares += s * s;
      const a = s < 0 ? -s : s;
      if (a > peak) peak = a;
    }
    const sounding = Math.sqrt(sumSquares / out.length) > SILENCE_RMS;
    if (sounding) this.playedSamples += out.length;

    this.reportSamples += out.length;
    this.reportSumSquares += sumSquares;
    if (peak > this.reportPeak) this.reportPeak = peak;
    if (sounding) this.reportSounded = true;

    const changed = sounding !== this.wasSounding;
    this.wasSounding = sounding;
    if (changed || this.reportSamples >= REPORT_SAMPLES) {
      this.port.postMessage({
        type: 'stats',
        sounded: this.reportSounded, // some quantum of this report was non-silent
        sounding, // the latest quantum is non-silent
        rms: Math.sqrt(this.reportSumSquares / this.reportSamples),
        peak: this.reportPeak,
        playedSamples: this.playedSamples,
        bufferedSamples: this.buffered,
      });
      this.resetReport();
    }
  }

  resetReport() {
    this.reportSamples = 0;
    this.reportSumSquares = 0;
    this.reportPeak = 0;
    this.reportSounded = false;
  }
}

registerProcessor('voicegw-player', PlayerProcessor);
