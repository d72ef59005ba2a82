package io.voicegateway.worker.audio;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a 48 kHz mono sample stream into the 20 ms wire frames of WIRE.md §1: exactly 960 samples,
 * 1 920 bytes of signed 16-bit little-endian PCM each.
 *
 * <p>A complete frame leaves as soon as it is complete, so the first frame can go out once 20 ms
 * exist; the only frame ever held back is the incomplete remainder. Every stream ends with exactly
 * one final frame: when the caller says {@code last}, the remainder is zero-padded into the final
 * frame, or, with no remainder, the last complete frame of that call is marked final; {@link
 * #finish()} (end without a last flag) pads the remainder, or emits one frame of silence, as the
 * final frame. Nothing is emitted after the final frame. Not thread-safe.
 */
public final class FrameCutter {

  public static final int SAMPLE_RATE = 48_000;
  public static final int SAMPLES_PER_FRAME = 960;
  public static final int BYTES_PER_FRAME = SAMPLES_PER_FRAME * 2;

  /**
   * One wire frame.
   *
   * @param pcm exactly {@link #BYTES_PER_FRAME} bytes, signed 16-bit little-endian
   * @param last true for the final frame of the stream
   */
  public record Frame(byte[] pcm, boolean last) {}

  private final short[] pending = new short[SAMPLES_PER_FRAME];
  private int pendingCount;
  private boolean finished;

  /** Adds samples; returns the frames completed by them (and the final frame if {@code last}). */
  public List<Frame> accept(short[] samples, boolean last) {
    if (finished) {
      return List.of();
    }
    List<Frame> frames = new ArrayList<>(samples.length / SAMPLES_PER_FRAME + 1);
    int offset = 0;
    while (offset < samples.length) {
      int n = Math.min(SAMPLES_PER_FRAME - pendingCount, samples.length - offset);
      System.arraycopy(samples, offset, pending, pendingCount, n);
      pendingCount += n;
      offset += n;
      if (pendingCount == SAMPLES_PER_FRAME) {
        frames.add(new Frame(encode(pending, SAMPLES_PER_FRAME), false));
        pendingCount = 0;
      }
    }
    if (last) {
      if (pendingCount > 0 || frames.isEmpty()) {
        frames.add(finalFrame());
      } else {
        Frame lastFull = frames.remove(frames.size() - 1);
        frames.add(new Frame(lastFull.pcm(), true));
      }
      finished = true;
    }
    return frames;
  }

  /** Ends the stream without a last flag: the final frame is the padded remainder or silence. */
  public List<Frame> finish() {
    if (finished) {
      return List.of();
    }
    finished = true;
    return List.of(finalFrame());
  }

  /** True once the final frame has been emitted. */
  public boolean isFinished() {
    return finished;
  }

  private Frame finalFrame() {
    Frame f = new Frame(encode(pending, pendingCount), true);
    pendingCount = 0;
    return f;
  }

  /** Encodes {@code count} samples little-endian into a full frame, zero-padded. */
  private static byte[] encode(short[] samples, int count) {
    byte[] pcm = new byte[BYTES_PER_FRAME];
    for (int i = 0; i < count; i++) {
      short s = samples[i];
      pcm[2 * i] = (byte) s;
      pcm[2 * i + 1] = (byte) (s >> 8);
    }
    return pcm;
  }
}
