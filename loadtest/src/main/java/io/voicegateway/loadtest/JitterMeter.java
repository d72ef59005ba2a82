package io.voicegateway.loadtest;

/**
 * Frame arrival jitter of one session: for consecutive frames of one utterance while it is not
 * paused, {@code |inter-arrival − 20 ms|}.
 *
 * <p>The gateway paces frames with a lead: the first 100 ms of an utterance (and, after RESUME,
 * what the client still held) leave at once, then one frame every 20 ms. So after every
 * {@link #restart()} (a new utterance, a {@code resumed}) the first {@value #SKIP} frames are not
 * measured; the first interval measured is the one ending at frame {@value #SKIP} + 1, the first
 * paced frame. {@link #suspend()} (PAUSE or STOP sent, {@code utterance_end}) stops measuring until
 * the next restart, so the gap of a pause never counts.
 */
final class JitterMeter {

  /** Frames after a (re)start that are not measured: 100 ms lead / 20 ms + the first frame. */
  static final int SKIP = 6;
  static final long PERIOD_NANOS = 20_000_000L;

  private int frames;
  private long lastNanos;
  private boolean active;

  /** A new utterance, or playback resumed: count frames from 1 again. */
  void restart() {
    frames = 0;
    active = true;
  }

  /** Stop measuring (paused, stopped, utterance over). */
  void suspend() {
    active = false;
  }

  /** A frame arrived at {@code nanos}; returns its jitter in nanoseconds, or -1 if not measured. */
  long onFrame(long nanos) {
    if (!active) {
      return -1;
    }
    frames++;
    long previous = lastNanos;
    lastNanos = nanos;
    if (frames <= SKIP) {
      return -1;
    }
    return Math.abs(nanos - previous - PERIOD_NANOS);
  }
}
