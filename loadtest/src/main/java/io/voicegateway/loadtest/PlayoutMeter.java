package io.voicegateway.loadtest;

/**
 * Playout of one session's utterances by a model client that starts playing at the first frame,
 * with no jitter buffer of its own: all it holds is the lead the gateway sends ahead
 * ({@code voicegw.session.pacing.lead}). For every frame it gives two figures.
 *
 * <p><b>Underrun.</b> The first frame of an utterance plays the moment it arrives, and every
 * next frame is due when the one before it has played: {@code due(k) = play(k−1) + 20 ms}. A frame
 * that arrives after its due time is an underrun: the client ran dry and stalls until it arrives,
 * then plays it at once ({@code play(k) = arrival(k)}) and goes on from there, as the gateway's
 * {@code PacingClock} assumes (it refills the lead after a gap instead of catching up). A frame on
 * time plays at its due time. So one stall counts once, not for every frame after it.
 *
 * <p><b>Lateness.</b> How much later than the gateway's pacing intends a frame arrived:
 * {@code lateness(k) = arrival(k) − max(start, due(k) − lead)}, never below 0, where
 * {@code start} is the arrival of the utterance's first frame, or of the frame that ended the last
 * stall (the client's buffer is empty then, and the gateway sends the lead again at once). A frame
 * exactly on the pacing schedule has lateness 0, an early one 0 too (unlike jitter, which scores an
 * early frame like a late one), and a frame underruns exactly when its lateness exceeds
 * {@code lead} (or, within the first {@code lead} of playout, when it exceeds the audio played so
 * far).
 *
 * <p>Only frames of an utterance before any PAUSE or STOP is sent are measured
 * ({@link #suspend()}); what follows a barge-in is the client's choice, not a pacing quality.
 * Not thread-safe: one session's monitor guards it.
 */
final class PlayoutMeter {

  static final long PERIOD_NANOS = JitterMeter.PERIOD_NANOS;

  /** One frame's playout figures. */
  record Frame(boolean underrun, long latenessNanos) {}

  private final long leadNanos;
  private boolean active;
  private boolean started;
  private long startNanos;
  private long playNanos;

  /** @param leadNanos the gateway's pacing lead ({@code voicegw.session.pacing.lead}) */
  PlayoutMeter(long leadNanos) {
    if (leadNanos < 0) {
      throw new IllegalArgumentException("lead must be >= 0, got " + leadNanos + " ns");
    }
    this.leadNanos = leadNanos;
  }

  /** A new utterance: its next frame is frame 0 and plays on arrival. */
  void restart() {
    active = true;
    started = false;
  }

  /** Stop measuring until the next {@link #restart()} (PAUSE or STOP sent, utterance over). */
  void suspend() {
    active = false;
  }

  /** A frame of the utterance arrived at {@code nanos}; null when not measured. */
  Frame onFrame(long nanos) {
    if (!active) {
      return null;
    }
    if (!started) {
      started = true;
      startNanos = nanos;
      playNanos = nanos;
      return new Frame(false, 0);
    }
    long due = playNanos + PERIOD_NANOS;
    long intended = Math.max(startNanos, due - leadNanos);
    long lateness = Math.max(0, nanos - intended);
    if (nanos > due) {
      playNanos = nanos;
      startNanos = nanos;
      return new Frame(true, lateness);
    }
    playNanos = due;
    return new Frame(false, lateness);
  }
}
