package io.voicegateway.audio.vad;

import static io.voicegateway.audio.vad.SileroModel.CONTEXT_SAMPLES;
import static io.voicegateway.audio.vad.SileroModel.WINDOW_SAMPLES;

import java.util.Arrays;
import java.util.Objects;

/**
 * Cuts one stream of 16 kHz samples into the model's input rows: each 512-sample window with the
 * 64 samples before it as context, as Silero's reference wrapper does, so the probabilities depend
 * only on the audio and never on how it was cut into calls. Not thread-safe.
 */
final class WindowFramer {

  /** What receives each completed row. */
  interface Sink {
    /** {@code row}: context (64) then window (512), floats in [-1, 1); valid during the call only. */
    void row(float[] row);
  }

  static final int ROW = CONTEXT_SAMPLES + WINDOW_SAMPLES;

  private final float[] row = new float[ROW];
  private int filled;

  /** How many rows {@link #feed} of {@code length} more samples completes. */
  int completes(int length) {
    return (filled + length) / WINDOW_SAMPLES;
  }

  /** Feeds samples (any count); calls the sink for each row completed, in order. */
  void feed(short[] samples, int offset, int length, Sink sink) {
    Objects.checkFromIndexSize(offset, length, samples.length);
    int end = offset + length;
    for (int i = offset; i < end; ) {
      int take = Math.min(WINDOW_SAMPLES - filled, end - i);
      int at = CONTEXT_SAMPLES + filled;
      for (int k = 0; k < take; k++) {
        row[at + k] = samples[i + k] / 32768f;
      }
      filled += take;
      i += take;
      if (filled == WINDOW_SAMPLES) {
        sink.row(row);
        filled = 0;
        // the last 64 samples of this window are the next one's context
        System.arraycopy(row, WINDOW_SAMPLES, row, 0, CONTEXT_SAMPLES);
      }
    }
  }

  /** Forgets the context and any partial window. */
  void reset() {
    filled = 0;
    Arrays.fill(row, 0f);
  }
}
