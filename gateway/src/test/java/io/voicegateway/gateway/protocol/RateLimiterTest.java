package io.voicegateway.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Time is passed in explicitly, so these tests never sleep and never depend on timing. */
class RateLimiterTest {

  private static final long MS = 1_000_000L;
  private static final long T0 = 123_456_789L;

  private static int acquireAll(RateLimiter limiter, long now, int attempts) {
    int granted = 0;
    for (int i = 0; i < attempts; i++) {
      if (limiter.tryAcquire(now)) {
        granted++;
      }
    }
    return granted;
  }

  @Test
  void allowsTheBurstAtOnceThenRefuses() {
    RateLimiter limiter = new RateLimiter(20, 40, T0);
    assertEquals(40, acquireAll(limiter, T0, 1000));
    assertFalse(limiter.tryAcquire(T0));
  }

  @Test
  void afterTheBurstAllowsOneMessagePerInterval() {
    RateLimiter limiter = new RateLimiter(20, 40, T0);
    acquireAll(limiter, T0, 40);
    assertFalse(limiter.tryAcquire(T0 + 49 * MS));
    assertTrue(limiter.tryAcquire(T0 + 50 * MS));
    assertFalse(limiter.tryAcquire(T0 + 50 * MS));
    assertTrue(limiter.tryAcquire(T0 + 100 * MS));
  }

  @Test
  void sustainedFloodGetsTheConfiguredRate() {
    RateLimiter limiter = new RateLimiter(20, 40, T0);
    int granted = 0;
    // 1 000 messages a second for 10 seconds.
    for (int i = 0; i < 10_000; i++) {
      if (limiter.tryAcquire(T0 + i * MS)) {
        granted++;
      }
    }
    assertEquals(40 + 10 * 20, granted, 1); // the burst, then 20 per second
  }

  @Test
  void refillsToTheBurstButNotBeyond() {
    RateLimiter limiter = new RateLimiter(20, 40, T0);
    acquireAll(limiter, T0, 40);
    long later = T0 + 60_000 * MS;
    assertEquals(40, acquireAll(limiter, later, 1000));
  }

  @Test
  void partialRefillGivesProportionalTokens() {
    RateLimiter limiter = new RateLimiter(20, 40, T0);
    acquireAll(limiter, T0, 40);
    assertEquals(10, acquireAll(limiter, T0 + 500 * MS, 1000));
  }

  @Test
  void fractionalRatesWork() {
    RateLimiter limiter = new RateLimiter(0.5, 1, T0);
    assertTrue(limiter.tryAcquire(T0));
    assertFalse(limiter.tryAcquire(T0 + 1_999 * MS));
    assertTrue(limiter.tryAcquire(T0 + 2_000 * MS));
  }

  @Test
  void worksAcrossNanoTimeWrapAround() {
    long start = Long.MAX_VALUE - 10 * MS;
    RateLimiter limiter = new RateLimiter(20, 1, start);
    assertTrue(limiter.tryAcquire(start));
    assertFalse(limiter.tryAcquire(start + 1));
    assertTrue(limiter.tryAcquire(start + 50 * MS)); // overflowed past Long.MAX_VALUE
  }

  @Test
  void limiterFromLimitsUsesTheConfiguredRate() {
    RateLimiter limiter = new ProtocolLimits(65_536, 5_000, 5, 2).newRateLimiter(T0);
    assertEquals(2, acquireAll(limiter, T0, 10));
    assertTrue(limiter.tryAcquire(T0 + 200 * MS));
  }

  @Test
  void rejectionIsRateLimitedAndNamesTheLimit() {
    ProtocolError rejection = new RateLimiter(20, 40, T0).rejection();
    assertEquals(ErrorCode.RATE_LIMITED, rejection.code());
    assertTrue(rejection.message().contains("20 messages per second"), rejection.message());
    assertTrue(rejection.message().contains("bursts of 40"), rejection.message());
  }

  @Test
  void refusesNonPositiveRateAndBurst() {
    assertThrows(IllegalArgumentException.class, () -> new RateLimiter(0, 1, T0));
    assertThrows(IllegalArgumentException.class, () -> new RateLimiter(Double.NaN, 1, T0));
    assertThrows(IllegalArgumentException.class, () -> new RateLimiter(1, 0, T0));
  }
}
