// A remote participant's audio track, read at 48 kHz mono and forwarded as 20 ms frames.
import { AudioStream, type AudioFrame, type RemoteTrack } from '@livekit/rtc-node';
import { errorText, log } from './log.js';
import { FRAME_MS, FRAME_SAMPLES, Rechunker, SAMPLE_RATE, CHANNELS } from './pcm.js';

/** Receives each 960-sample frame with its per-track seq (from 1). */
export type FrameSink = (seq: number, samples: Int16Array) => void;

export class InboundAudio {
  private readonly reader: ReadableStreamDefaultReader<AudioFrame>;
  private stopped = false;

  constructor(
    track: RemoteTrack,
    private readonly room: string,
    private readonly trackSid: string,
    private readonly sink: FrameSink,
  ) {
    // frameSizeMs asks the native sink for 20 ms frames (it delivers 10 ms by default); the
    // Rechunker still guarantees exactly 960 samples whatever arrives.
    const stream = new AudioStream(track, {
      sampleRate: SAMPLE_RATE,
      numChannels: CHANNELS,
      frameSizeMs: FRAME_MS,
    });
    this.reader = stream.getReader();
    this.forward().catch((err) =>
      log('warn', 'inbound audio stopped', { room, track: trackSid, error: errorText(err) }),
    );
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reader.cancel().catch(() => {
      // Already closed by the track going away: nothing left to release.
    });
  }

  private async forward(): Promise<void> {
    const chunker = new Rechunker(FRAME_SAMPLES);
    let seq = 0;
    for (;;) {
      const { done, value } = await this.reader.read();
      if (done || this.stopped) break;
      for (const frame of chunker.push(value.data)) this.sink(++seq, frame);
    }
    log('debug', 'inbound audio ended', { room: this.room, track: this.trackSid, frames: seq });
  }
}
