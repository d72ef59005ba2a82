// The gateway's AudioOut frames of one room on their way into the room's AudioSource.
//
// One loop per room awaits one captureFrame at a time: two concurrent captures on a source fail
// with "InvalidState - failed to capture frame" (rust-sdks#497), and the await is the
// back-pressure, since the native queue resolves a capture only once it has room again. The
// loop acks cumulatively, so the gateway can keep a credit window of frames in flight.
import { AudioFrame, type AudioSource } from '@livekit/rtc-node';
import type { Counters } from './counters.js';
import { errorText, log } from './log.js';
import { CHANNELS, FRAME_BYTES, FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, copyToSamples } from './pcm.js';
import type { AudioCleared, GatewayOutput } from './protocol.js';

interface Frame {
  seq: number;
  /** undefined for an invalid frame: it only advances the ack, in order. */
  samples?: Int16Array;
}

/** The loop acks at least this often, and whenever it runs out of frames. */
const ACK_EVERY_FRAMES = 2;

/**
 * Silence captured right after a clear. Without it the track just stops, and the listener's
 * jitter buffer conceals the missing packets by stretching the cut-off audio (WebRTC NetEq
 * "expand") for tens of milliseconds; silent packets end the audio where it was cut. Audio sent
 * after the clear starts after this silence (60 ms at most).
 */
const SILENCE_AFTER_CLEAR_FRAMES = 3;
const SILENCE = new Int16Array(FRAME_SAMPLES);

export class OutboundAudio {
  /** Received, not yet handed to captureFrame, in seq order. */
  private pending: Frame[] = [];
  /** Saved by ClearAudio(keep), played first on ResumeAudio. */
  private kept: Frame[] = [];
  /**
   * The last frames handed to captureFrame, newest last: those the source may still hold
   * unplayed. The native buffer holds up to twice queue_size_ms, so that many frames plus one.
   */
  private recent: Frame[] = [];
  private readonly recentCapacity: number;
  /** Frames of silence still to capture before anything else, even while paused. */
  private silenceFrames = 0;
  private paused = false;
  private pumping = false;
  private closed = false;
  private lastReceivedSeq = 0;
  /** Every seq up to this one was captured or discarded. */
  private consumedSeq = 0;
  private ackedSeq = 0;

  constructor(
    private readonly room: string,
    private readonly source: AudioSource,
    queueSizeMs: number,
    private readonly gateway: GatewayOutput,
    private readonly counters: Counters,
  ) {
    this.recentCapacity = Math.ceil((2 * queueSizeMs) / FRAME_MS) + 1;
  }

  /** Queues one AudioOut frame; its bytes are copied (see copyToSamples). */
  offer(seq: number, pcm: Uint8Array): void {
    if (this.closed) return;
    if (seq <= this.lastReceivedSeq) {
      this.counters.framesInvalid++;
      log('warn', 'AudioOut seq not increasing, dropped', { room: this.room, seq, last: this.lastReceivedSeq });
      return;
    }
    this.lastReceivedSeq = seq;
    if (pcm.byteLength !== FRAME_BYTES) {
      this.counters.framesInvalid++;
      log('warn', 'AudioOut frame of the wrong size, dropped', { room: this.room, seq, bytes: pcm.byteLength });
      this.pending.push({ seq });
    } else {
      this.pending.push({ seq, samples: copyToSamples(pcm) });
    }
    this.kick();
  }

  /**
   * Empties both queues at once (synchronously, before the caller handles its next message).
   * With keep, the frames not yet played are saved for resume(); without, they are discarded.
   */
  clear(keep: boolean): AudioCleared {
    const unplayedMs = Math.round(this.source.queuedDuration);
    this.source.clearQueue();
    const affected = [...this.kept, ...this.unplayed(unplayedMs), ...this.pending].filter((f) => f.samples);
    this.pending = [];
    this.recent = [];
    this.kept = keep ? affected : [];
    this.paused = keep;
    if (!keep) this.counters.framesDroppedByClear += affected.length;
    this.consumedSeq = this.lastReceivedSeq;
    this.ackedSeq = this.consumedSeq;
    this.silenceFrames = SILENCE_AFTER_CLEAR_FRAMES;
    this.kick();
    return { room: this.room, acked_seq: this.ackedSeq, dropped_frames: affected.length, unplayed_ms: unplayedMs };
  }

  /** Plays what the last clear(keep) saved, then the frames received since. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pending = [...this.kept, ...this.pending];
    this.kept = [];
    this.kick();
  }

  /** Stops the loop for good; a capture in flight finishes on its own. */
  close(): void {
    this.closed = true;
    this.pending = [];
    this.kept = [];
    this.recent = [];
  }

  /**
   * The frames the source still held, by its queued-duration estimate rounded to whole frames.
   * That estimate is JS bookkeeping (rtc-node's audio_source.ts); the native queue cannot be asked.
   */
  private unplayed(unplayedMs: number): Frame[] {
    const count = Math.min(this.recent.length, Math.round(unplayedMs / FRAME_MS));
    return this.recent.slice(this.recent.length - count);
  }

  private kick(): void {
    if (this.pumping || !this.hasWork()) return;
    this.pump().catch((err) => log('error', 'audio loop failed', { room: this.room, error: errorText(err) }));
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (!this.closed && this.hasWork()) {
        if (this.silenceFrames > 0) {
          this.silenceFrames--;
          await this.captureSamples(SILENCE, 0);
          continue;
        }
        const frame = this.pending.shift()!;
        if (frame.samples) await this.capture(frame, frame.samples);
        // A clear during the await already consumed (and acked) this seq: max keeps it so.
        this.consumedSeq = Math.max(this.consumedSeq, frame.seq);
        if (this.pending.length === 0 || this.consumedSeq - this.ackedSeq >= ACK_EVERY_FRAMES) this.ack();
      }
    } finally {
      this.pumping = false;
    }
    this.ack();
  }

  private hasWork(): boolean {
    return this.silenceFrames > 0 || (!this.paused && this.pending.length > 0);
  }

  private async capture(frame: Frame, samples: Int16Array): Promise<void> {
    // Remembered before the await: from now on the frame sits in the source's queue, unplayed.
    this.recent.push(frame);
    if (this.recent.length > this.recentCapacity) this.recent.shift();
    if (await this.captureSamples(samples, frame.seq)) this.counters.framesCaptured++;
  }

  /** One captureFrame; false if it was rejected. seq is for the log (0: silence). */
  private async captureSamples(samples: Int16Array, seq: number): Promise<boolean> {
    try {
      await this.source.captureFrame(new AudioFrame(samples, SAMPLE_RATE, CHANNELS, FRAME_SAMPLES));
      return true;
    } catch (err) {
      // A rejection must not end the loop (agents-js#1984): count it, log it, go on.
      this.counters.captureErrors++;
      log('warn', 'captureFrame failed', { room: this.room, seq, error: errorText(err) });
      return false;
    }
  }

  private ack(): void {
    if (this.closed || this.consumedSeq <= this.ackedSeq) return;
    this.ackedSeq = this.consumedSeq;
    this.gateway.send({
      ack: { room: this.room, seq: this.ackedSeq, queued_ms: Math.round(this.source.queuedDuration) },
    });
  }
}
