// 20 ms PCM frames of a test tone, and the gateway's two ways of sending them.
import type { FakeGateway } from './fake_gateway.js';

export const FRAME_MS = 20;
const FRAME_SAMPLES = 960;
const SAMPLE_RATE = 48_000;

/** `ms` of a sine at `hz` as 1 920-byte s16le frames, phase-continuous across frames. */
export function toneFrames(hz: number, ms: number, amplitude = 8_000): Buffer[] {
  const frames: Buffer[] = [];
  for (let i = 0; i < ms / FRAME_MS; i++) {
    const frame = Buffer.alloc(FRAME_SAMPLES * 2);
    for (let n = 0; n < FRAME_SAMPLES; n++) {
      const t = (i * FRAME_SAMPLES + n) / SAMPLE_RATE;
      frame.writeInt16LE(Math.round(amplitude * Math.sin(2 * Math.PI * hz * t)), n * 2);
    }
    frames.push(frame);
  }
  return frames;
}

/** Sends frames as AudioOut for one room, seq counting on across plays (as a session's does). */
export class AudioSender {
  private seq = 0;
  private stopped = false;
  /** When each seq was sent, on this process's clock. */
  readonly sentAt = new Map<number, number>();

  constructor(
    private readonly gateway: FakeGateway,
    readonly room: string,
  ) {}

  get lastSeq(): number {
    return this.seq;
  }

  /** Stops a play in progress; frames not sent by then are not sent. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * As a pacing gateway sends: `leadFrames` at once, then one frame every 20 ms on a drift-free
   * schedule. Without a lead, any stall of a process on the way empties the AudioSource and the
   * listener hears a gap.
   */
  async paced(frames: Buffer[], leadFrames = 5): Promise<void> {
    this.stopped = false;
    const start = performance.now();
    for (let i = 0; i < frames.length && !this.stopped; i++) {
      const due = start + Math.max(0, i - leadFrames) * FRAME_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!this.stopped) this.sendFrame(frames[i]!);
    }
  }

  /**
   * As fast as the bridge's acks allow: at most `window` frames beyond the last ack, so the
   * AudioSource is the clock (the gateway's credit mode).
   */
  async withCredit(frames: Buffer[], window = 10): Promise<void> {
    this.stopped = false;
    for (const frame of frames) {
      while (!this.stopped && this.seq + 1 > this.gateway.ackedSeq(this.room) + window) {
        await this.gateway.next('ack', (m) => (m.msg === 'ack' && m.ack.room === this.room) || m.msg === 'cleared', 5_000);
      }
      if (this.stopped) return;
      this.sendFrame(frame);
    }
  }

  private sendFrame(pcm: Buffer): void {
    this.gateway.send({ audio: { room: this.room, seq: ++this.seq, pcm } });
    this.sentAt.set(this.seq, performance.now());
  }
}
