package io.voicegateway.gateway.protocol;

/**
 * Per-session token bucket: {@code burst} messages at once, refilled at {@code messagesPerSecond}.
 * Implemented as its equivalent GCRA form (one theoretical arrival time in integer nanoseconds), so
 * {@link #tryAcquire(long)} allocates nothing and accumulates no rounding error. Not thread-safe:
 * one session's messages are handled by one stream stage or actor at a time.
 */
public final class RateLimiter {

  private final long intervalNanos;
  private final long toleranceNanos;
  private final ProtocolError rejection;
  private long theoreticalArrivalNanos;

  /**
   * @param nowNanos the current {@link System#nanoTime()}; the bucket starts full
   */
  public RateLimiter(double messagesPerSecond, int burst, long nowNanos) {
    if (!(messagesPerSecond > 0) || messagesPerSecond > ProtocolLimits.MAX_MESSAGES_PER_SECOND) {
      throw new IllegalArgumentException("messagesPerSecond must be in (0, "
          + ProtocolLimits.MAX_MESSAGES_PER_SECOND + "], got " + messagesPerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1, got " + burst);
    }
    this.intervalNanos = Math.max(1L, Math.round(1_000_000_000d / messagesPerSecond));
    this.toleranceNanos = intervalNanos * (burst - 1L);
    this.theoreticalArrivalNanos = nowNanos;
    this.rejection = new ProtocolError(ErrorCode.RATE_LIMITED, "too many messages: the limit is "
        + formatRate(messagesPerSecond) + " messages per second with bursts of " + burst
        + "; this message was dropped, the session continues");
  }

  /** Takes one token if there is one; {@code nowNanos} is {@link System#nanoTime()}. */
  public boolean tryAcquire(long nowNanos) {
    long tat = theoreticalArrivalNanos;
    if (nowNanos - tat > 0) { // an idle bucket refills to full, never beyond
      tat = nowNanos;
    }
    if (tat - nowNanos > toleranceNanos) {
      return false;
    }
    theoreticalArrivalNanos = tat + intervalNanos;
    return true;
  }

  /** The RATE_LIMITED error to answer a rejected message with (one shared instance). */
  public ProtocolError rejection() {
    return rejection;
  }

  private static String formatRate(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }
}
