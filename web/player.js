// Playback: a 48 kHz AudioContext, the jitter-buffer worklet (player-worklet.js) and an
// AnalyserNode for the meter. Graph: worklet → analyser → destination.

import { analyserLevel, analyserWaveform } from './meter.js';
import { SAMPLE_RATE } from './protocol.js';

export class Player {
  /**
   * @param {{onStats?: Function}} handlers onStats(stats, receivedAt) for each worklet report
   */
  constructor(handlers = {}) {
    this.handlers = handlers;
    this.context = null;
    this.node = null;
    this.analyser = null;
    this.ready = false;
    this.pending = []; // messages for the worklet while it loads
    this.timeDomain = null;
    this.failure = null; // why there is no audio, if there is none
  }

  /** Creates the context and loads the worklet. Resolves to true when audio can be played. */
  async start() {
    try {
      this.context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
    } catch (err) {
      this.failure = `The browser cannot create a 48 kHz audio context: ${err.message}`;
      return false;
    }
    if (!this.context.audioWorklet) {
      // AudioWorklet exists only in secure contexts: https, or http on localhost/127.0.0.1.
      this.failure =
        'Audio playback needs a secure context: open this page over https or on localhost.';
      return false;
    }
    try {
      await this.context.audioWorklet.addModule(new URL('./player-worklet.js', import.meta.url));
    } catch (err) {
      this.failure = `The audio player could not be loaded: ${err.message}`;
      return false;
    }
    this.node = new AudioWorkletNode(this.context, 'voicegw-player', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
    });
    this.node.port.onmessage = (event) => {
      const now = performance.now(); // stamped on arrival, per the test hook's contract
      if (event.data?.type === 'stats') this.handlers.onStats?.(event.data, now);
    };
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 2048; // ~43 ms of signal for level() and the waveform
    this.analyser.smoothingTimeConstant = 0;
    this.timeDomain = new Float32Array(this.analyser.fftSize);
    this.node.connect(this.analyser).connect(this.context.destination);

    this.ready = true;
    for (const [msg, transfer] of this.pending) this.node.port.postMessage(msg, transfer);
    this.pending = [];
    this.unlock();
    return true;
  }

  /**
   * Resumes a suspended context. Browsers allow that only during a user gesture (autoplay
   * policy), so it is called on load (works when autoplay is allowed) and on each gesture.
   */
  unlock() {
    if (this.context && this.context.state === 'suspended') {
      this.context.resume().catch(() => {});
    }
  }

  /** Queues 20 ms of samples; the Float32Array's buffer is transferred (unusable afterwards). */
  push(samples) {
    this.post({ type: 'push', samples }, [samples.buffer]);
  }

  clear() {
    // Messages to a loading worklet that a clear makes moot are dropped here as well.
    this.pending = this.pending.filter(([msg]) => msg.type !== 'push');
    this.post({ type: 'clear' });
  }

  pause() {
    this.post({ type: 'pause' });
  }

  resume() {
    this.post({ type: 'resume' });
  }

  post(msg, transfer = []) {
    if (this.ready) this.node.port.postMessage(msg, transfer);
    else if (!this.failure) this.pending.push([msg, transfer]);
  }

  get contextState() {
    return this.context ? this.context.state : 'none';
  }

  /** RMS (0..1) of the last ~43 ms of output, from the analyser. */
  level() {
    return analyserLevel(this.analyser, this.timeDomain);
  }

  /** The analyser's latest time-domain samples (a shared array: read, do not keep). */
  waveform() {
    return analyserWaveform(this.analyser, this.timeDomain);
  }
}
