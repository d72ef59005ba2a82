package io.voicegateway.loadtest;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One measured quantity (first-audio latency, jitter, barge-in latency): recorded from any thread
 * without locks in microseconds, read once a second by the run's ticker into the whole run's
 * histogram and the current window's. Percentiles are of the recorded values at HdrHistogram's
 * precision (3 significant digits, i.e. within 0.1 %).
 */
final class LatencyStats {

  private static final long HIGHEST_MICROS = 3_600_000_000L; // one hour
  private static final int DIGITS = 3;

  private final Recorder recorder = new Recorder(HIGHEST_MICROS, DIGITS);
  private final Histogram total = new Histogram(HIGHEST_MICROS, DIGITS);
  private final Histogram window = new Histogram(HIGHEST_MICROS, DIGITS);
  private Histogram interval;

  /** Percentiles in milliseconds; NaN when there are no samples. */
  record Percentiles(long count, double p50, double p90, double p99, double max) {
    static final Percentiles EMPTY =
        new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    static Percentiles of(Histogram h) {
      if (h.getTotalCount() == 0) {
        return EMPTY;
      }
      return new Percentiles(h.getTotalCount(), ms(h.getValueAtPercentile(50)),
          ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
    }

    private static double ms(long micros) {
      return micros / 1_000.0;
    }
  }

  /** Records one value in nanoseconds (negative values count as 0). Any thread. */
  void recordNanos(long nanos) {
    long micros = Math.max(0, nanos) / 1_000;
    recorder.recordValue(Math.min(micros, HIGHEST_MICROS));
  }

  /** Moves what was recorded since the last call into the totals. Only the ticker calls it. */
  synchronized void roll() {
    interval = recorder.getIntervalHistogram(interval);
    total.add(interval);
    window.add(interval);
  }

  /** Drops everything recorded so far (the end of the warm-up). Only the ticker calls it. */
  synchronized void discard() {
    interval = recorder.getIntervalHistogram(interval);
    total.reset();
    window.reset();
  }

  /** The current window's percentiles, then starts a new window. */
  synchronized Percentiles closeWindow() {
    Percentiles p = Percentiles.of(window);
    window.reset();
    return p;
  }

  /** The whole run so far (as of the last {@link #roll()}). */
  synchronized Percentiles total() {
    return Percentiles.of(total);
  }

  /** A copy of the whole run's histogram (microseconds). */
  synchronized Histogram totalHistogram() {
    return total.copy();
  }
}
