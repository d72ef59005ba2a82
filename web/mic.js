// The microphone: getUserMedia (echo cancellation, noise suppression, automatic gain, mono), the
// capture worklet (mic-worklet.js) that cuts it into 20 ms Int16 frames at a rate the gateway
// takes, and an AnalyserNode for the meter. Graph: MediaStreamSource → worklet, → analyser.
//
// It captures in the player's 48 kHz AudioContext when it can (no resampling at all). A browser
// that cannot connect the microphone to a context of another rate than the device's (Firefox)
// gets a context of its own at the device's rate; if that rate is not one the gateway takes
// (44.1 kHz, say), the worklet resamples to 16 kHz.

import { analyserLevel, analyserWaveform } from './meter.js';
import { INPUT_RATES, MIC_FRAME_MS } from './protocol.js';

const FALLBACK_RATE = 16000;
const loadedContexts = new WeakSet(); // contexts that have the worklet module

export class Microphone {
  /**
   * @param {{onFrame: Function, onEnded?: Function}} handlers
   *   onFrame(pcm: Int16Array, rate, {rms, peak}) for each 20 ms frame;
   *   onEnded(reason) when the device went away by itself (unplugged, revoked)
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.stream = null;
    this.context = null;
    this.ownContext = false;
    this.source = null;
    this.node = null;
    this.analyser = null;
    this.timeDomain = null;
    this.rate = null; // the rate of the frames
    this.generation = 0; // bumped by stop(): a start() in flight gives up
    this.lastRms = 0;
  }

  get on() {
    return this.node !== null;
  }

  /** Whether the worklet resamples (the capture context's rate is not one the gateway takes). */
  get resampled() {
    return this.context !== null && this.rate !== this.context.sampleRate;
  }

  /**
   * Opens the microphone. `sharedContext`: the player's context, used when the browser allows;
   * `contextRate`: capture in a context of its own at this rate instead (testing the resampling).
   * Rejects with an Error whose message is meant for the page.
   */
  async start({ sharedContext = null, contextRate = null } = {}) {
    if (this.on) return;
    const generation = ++this.generation;
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('The microphone needs a secure context: open this page over https or on localhost.');
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          echoCancellation: true,
          noiseSuppression: true,
          autoGainControl: true,
          channelCount: 1,
        },
      });
    } catch (err) {
      throw new Error(describeFailure(err));
    }
    if (generation !== this.generation) { // stopped while the browser asked
      stopTracks(stream);
      return;
    }
    try {
      await this.connect(stream, sharedContext, contextRate, generation);
    } catch (err) {
      stopTracks(stream);
      this.teardown();
      throw new Error(`The microphone could not be connected: ${err.message}`);
    }
  }

  async connect(stream, sharedContext, contextRate, generation) {
    let context = null;
    let source = null;
    if (!contextRate && sharedContext?.audioWorklet) {
      try {
        source = sharedContext.createMediaStreamSource(stream);
        context = sharedContext;
      } catch {
        // e.g. Firefox: the device's rate differs from the context's; a context of its own below
      }
    }
    if (!context) {
      context = new AudioContext(contextRate ? { sampleRate: contextRate } : {});
      this.ownContext = true;
      source = context.createMediaStreamSource(stream);
    }
    this.stream = stream;
    this.context = context;
    this.source = source;
    if (!context.audioWorklet) throw new Error('this browser has no AudioWorklet');
    if (!loadedContexts.has(context)) {
      await context.audioWorklet.addModule(new URL('./mic-worklet.js', import.meta.url));
      loadedContexts.add(context);
    }
    if (generation !== this.generation) { // stopped while loading
      stopTracks(stream);
      this.teardown();
      return;
    }
    const rate = INPUT_RATES.includes(context.sampleRate) ? context.sampleRate : FALLBACK_RATE;
    const node = new AudioWorkletNode(context, 'voicegw-mic', {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { outRate: rate, frameMs: MIC_FRAME_MS },
    });
    node.port.onmessage = (event) => {
      const msg = event.data;
      if (msg?.type !== 'frame' || this.node !== node) return;
      this.lastRms = msg.rms;
      this.handlers.onFrame(msg.pcm, rate, msg);
    };
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = 1024;
    this.analyser.smoothingTimeConstant = 0;
    this.timeDomain = new Float32Array(this.analyser.fftSize);
    source.connect(node);
    source.connect(this.analyser);
    this.node = node;
    this.rate = rate;
    for (const track of stream.getAudioTracks()) {
      track.addEventListener('ended', () => {
        if (this.stream !== stream) return;
        this.stop();
        this.handlers.onEnded?.('The microphone went away (unplugged, or access was revoked).');
      });
    }
    if (context.state === 'suspended') context.resume().catch(() => {});
  }

  /** Stops the tracks (the browser's recording indicator goes off); no frame comes after. */
  stop() {
    this.generation += 1;
    if (this.stream) stopTracks(this.stream);
    this.teardown();
  }

  teardown() {
    if (this.node) {
      this.node.port.onmessage = null;
      this.node.port.postMessage({ type: 'stop' });
    }
    try {
      this.source?.disconnect();
    } catch {
      // already disconnected
    }
    if (this.ownContext && this.context) this.context.close().catch(() => {});
    this.stream = null;
    this.context = null;
    this.ownContext = false;
    this.source = null;
    this.node = null;
    this.analyser = null;
    this.rate = null;
    this.lastRms = 0;
  }

  get contextRate() {
    return this.context ? this.context.sampleRate : null;
  }

  /** RMS (0..1) of the last ~21 ms of the microphone, from the analyser (0 when off). */
  level() {
    return analyserLevel(this.analyser, this.timeDomain);
  }

  /** The analyser's latest samples (a shared array: read, do not keep); null when off. */
  waveform() {
    return analyserWaveform(this.analyser, this.timeDomain);
  }
}

function stopTracks(stream) {
  for (const track of stream.getTracks()) track.stop();
}

function describeFailure(err) {
  switch (err?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Microphone access was denied. Allow it in the browser (the icon in the address bar) and try again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found.';
    case 'NotReadableError':
      return 'The microphone is in use by another program or cannot be read.';
    default:
      return `The microphone could not be opened: ${err?.message || err}`;
  }
}
