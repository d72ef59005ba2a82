package io.voicegateway.session;

import java.time.Duration;

/**
 * When the next audio frame may leave toward a client, so that frames go out at real-time rate
 * with at most {@code lead} of audio buffered at the client.
 *
 * <p>The clock models the client's playback buffer: each frame sent adds one frame period to the
 * time the client will have played everything ({@code playEnd}); a frame may leave once
 * {@code playEnd - now <= lead}. So the first {@code lead} of an utterance goes out at once, the
 * rest one frame per period, an idle gap (between utterances, a slow worker) never turns into a
 * burst, and a barge-in has at most {@code lead} of audio to flush at the client. PAUSE freezes
 * the buffer, RESUME thaws it, CLEAR (the client dropped its buffer) empties it.
 *
 * <p>Not thread-safe: one session's actor owns it. Times are {@link System#nanoTime} values.
 */
public final class PacingClock {

  private final long periodNanos;
  private final long leadNanos;
  private final boolean burst;
  private long playEnd = Long.MIN_VALUE;
  private long frozenRemaining = -1;

  /**
   * @param burst frames may always leave at once (for clients that pace themselves)
   */
  public PacingClock(Duration framePeriod, Duration lead, boolean burst) {
    if (framePeriod.isNegative() || framePeriod.isZero()) {
      throw new IllegalArgumentException("frame period must be positive, got " + framePeriod);
    }
    if (lead.isNegative()) throw new IllegalArgumentException("lead must be >= 0, got " + lead);
    this.periodNanos = framePeriod.toNanos();
    this.leadNanos = lead.toNanos();
    this.burst = burst;
  }

  /** The earliest time the next frame may be sent ({@code <= now} means: now). */
  public long nextDue(long now) {
    if (burst) return now;
    if (frozenRemaining >= 0) return Long.MAX_VALUE; // paused: nothing leaves
    return playEnd == Long.MIN_VALUE ? now : Math.max(now, playEnd - leadNanos);
  }

  /** Records that a frame was sent at {@code now}. */
  public void sent(long now) {
    playEnd = Math.max(playEnd == Long.MIN_VALUE ? now : playEnd, now) + periodNanos;
  }

  /** Audio the client is estimated to hold, in nanoseconds. */
  public long buffered(long now) {
    if (frozenRemaining >= 0) return frozenRemaining;
    return playEnd == Long.MIN_VALUE ? 0 : Math.max(0, playEnd - now);
  }

  /** The client halts playback: what it holds stays, and nothing is due until {@link #resume}. */
  public void pause(long now) {
    if (frozenRemaining < 0) frozenRemaining = buffered(now);
  }

  public void resume(long now) {
    if (frozenRemaining < 0) return;
    playEnd = now + frozenRemaining;
    frozenRemaining = -1;
  }

  public boolean isPaused() {
    return frozenRemaining >= 0;
  }

  /** The client dropped what it held (STOP, barge-in). Leaves a pause in place. */
  public void clear(long now) {
    if (frozenRemaining >= 0) {
      frozenRemaining = 0;
    } else {
      playEnd = now;
    }
  }
}
