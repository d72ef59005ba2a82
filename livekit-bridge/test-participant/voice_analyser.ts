// Finds the voiced segments of one audio track, as a listener hears them.
//
// The audio is cut into 10 ms windows; a window is voiced when the RMS of its int16 samples
// exceeds 500. A segment starts at its first voiced window and ends at the last voiced window that
// is followed by at least 80 ms of unvoiced windows. Times are the arrival times of the frames that
// completed those windows; the duration is the audio from the first to the last voiced window.
// Frequency (by rising zero crossings) and RMS come from the voiced windows only, so that a short
// dropout inside a segment does not add the crossings of its low-level noise, and without the
// first and last voiced windows when there are more than two: those are partly voiced and carry
// the codec's onset and fade-out transients.

export const WINDOW_MS = 10;
export const VOICED_RMS = 500;
export const SEGMENT_GAP_MS = 80;

export interface Segment {
  start_ms: number;
  end_ms: number;
  duration_ms: number;
  freq_hz: number;
  rms: number;
}

/** Running sums over some samples of the track. */
class Span {
  samples = 0;
  sumSquares = 0;
  risingZeroCrossings = 0;

  static sum(spans: (Span | undefined)[]): Span {
    const total = new Span();
    for (const span of spans) if (span) total.add(span);
    return total;
  }

  add(other: Span): void {
    this.samples += other.samples;
    this.sumSquares += other.sumSquares;
    this.risingZeroCrossings += other.risingZeroCrossings;
  }
}

export class VoiceAnalyser {
  frames = 0;
  sampleRate = 0;
  voicedWindows = 0;

  private window = new Int16Array(0);
  private windowFill = 0;
  private previousSample = 0;
  /** The open segment: its voiced windows, and the unvoiced windows since the last voiced one. */
  private segment?: {
    startMs: number;
    lastVoicedMs: number;
    /** The voiced windows but the first and the last. */
    interior: Span;
    first: Span;
    last?: Span;
    windows: number;
    gapWindows: number;
  };

  constructor(
    private readonly onStart: (tMs: number) => void,
    private readonly onSegment: (segment: Segment) => void,
  ) {}

  push(samples: Int16Array, sampleRate: number, tMs: number): void {
    this.frames++;
    if (sampleRate !== this.sampleRate) {
      this.sampleRate = sampleRate;
      this.window = new Int16Array((sampleRate * WINDOW_MS) / 1000);
      this.windowFill = 0;
    }
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(this.window.length - this.windowFill, samples.length - offset);
      this.window.set(samples.subarray(offset, offset + take), this.windowFill);
      this.windowFill += take;
      offset += take;
      if (this.windowFill === this.window.length) {
        this.analyseWindow(tMs);
        this.windowFill = 0;
      }
    }
  }

  /** Ends an open segment at its last voiced window (the track ended). */
  flush(): void {
    if (this.segment) this.endSegment();
  }

  get voicedMs(): number {
    return this.voicedWindows * WINDOW_MS;
  }

  private analyseWindow(tMs: number): void {
    const span = this.measure(this.window);
    const voiced = Math.sqrt(span.sumSquares / span.samples) > VOICED_RMS;
    if (voiced) this.voicedWindows++;
    const segment = this.segment;
    if (!segment) {
      if (!voiced) return;
      this.segment = { startMs: tMs, lastVoicedMs: tMs, interior: new Span(), first: span, windows: 1, gapWindows: 0 };
      this.onStart(tMs);
    } else if (voiced) {
      if (segment.last) segment.interior.add(segment.last);
      segment.last = span;
      segment.windows += segment.gapWindows + 1;
      segment.gapWindows = 0;
      segment.lastVoicedMs = tMs;
    } else {
      segment.gapWindows++;
      if (segment.gapWindows * WINDOW_MS >= SEGMENT_GAP_MS) this.endSegment();
    }
  }

  private endSegment(): void {
    const { startMs, lastVoicedMs, interior, first, last, windows } = this.segment!;
    this.segment = undefined;
    const voiced = interior.samples > 0 ? interior : Span.sum([first, last]);
    this.onSegment({
      start_ms: round1(startMs),
      end_ms: round1(lastVoicedMs),
      duration_ms: windows * WINDOW_MS,
      freq_hz: round1(voiced.risingZeroCrossings / (voiced.samples / this.sampleRate)),
      rms: Math.round(Math.sqrt(voiced.sumSquares / voiced.samples)),
    });
  }

  private measure(window: Int16Array): Span {
    const span = new Span();
    span.samples = window.length;
    for (const sample of window) {
      span.sumSquares += sample * sample;
      if (this.previousSample < 0 && sample >= 0) span.risingZeroCrossings++;
      this.previousSample = sample;
    }
    return span;
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
