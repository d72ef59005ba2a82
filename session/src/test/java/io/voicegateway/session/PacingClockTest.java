package io.voicegateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pacing decisions on a simulated clock (no real time involved). */
class PacingClockTest {

  private static final long MS = 1_000_000;
  private static final Duration FRAME = Duration.ofMillis(20);

  /** Sends {@code n} frames as early as the clock allows, all available from {@code start}. */
  private static List<Long> sendTimes(PacingClock clock, long start, int n) {
    List<Long> times = new ArrayList<>();
    long now = start;
    for (int i = 0; i < n; i++) {
      now = Math.max(now, clock.nextDue(now));
      clock.sent(now);
      times.add(now);
    }
    return times;
  }

  @Test
  void theLeadLeavesAtOnceThenOneFramePerPeriod() {
    PacingClock clock = new PacingClock(FRAME, Duration.ofMillis(100), false);
    List<Long> t = sendTimes(clock, 0, 20);
    for (int i = 0; i <= 5; i++) assertEquals(0, t.get(i), "frame " + i + " is within the lead");
    for (int i = 6; i < 20; i++) {
      assertEquals(20 * MS, t.get(i) - t.get(i - 1), "frame " + i + " one period after the last");
    }
    assertEquals(120 * MS, clock.buffered(t.get(19)), "lead plus the frame just sent");
  }

  @Test
  void anIdleGapDoesNotTurnIntoABurst() {
    PacingClock clock = new PacingClock(FRAME, Duration.ofMillis(100), false);
    sendTimes(clock, 0, 30);
    long later = 5_000 * MS; // the next utterance comes seconds later
    List<Long> t = sendTimes(clock, later, 10);
    long immediate = t.stream().filter(x -> x == later).count();
    assertEquals(6, immediate, "again only the lead leaves at once");
  }

  @Test
  void pauseHoldsEverythingAndResumeKeepsWhatTheClientHeld() {
    PacingClock clock = new PacingClock(FRAME, Duration.ofMillis(100), false);
    sendTimes(clock, 0, 6); // 120 ms buffered at t=0
    clock.pause(50 * MS);
    assertTrue(clock.isPaused());
    assertEquals(Long.MAX_VALUE, clock.nextDue(10_000 * MS));
    assertEquals(70 * MS, clock.buffered(10_000 * MS), "frozen while paused");

    clock.resume(10_000 * MS);
    assertEquals(70 * MS, clock.buffered(10_000 * MS), "the client plays on from where it held");
    assertEquals(10_000 * MS, clock.nextDue(10_000 * MS), "70 ms held is under the lead: due now");
  }

  @Test
  void clearEmptiesTheClientBuffer() {
    PacingClock clock = new PacingClock(FRAME, Duration.ofMillis(100), false);
    sendTimes(clock, 0, 12);
    long now = 130 * MS;
    assertTrue(clock.nextDue(now) > now);
    clock.clear(now);
    assertEquals(0, clock.buffered(now));
    assertEquals(now, clock.nextDue(now));
  }

  @Test
  void burstModeNeverWaits() {
    PacingClock clock = new PacingClock(FRAME, Duration.ofMillis(100), true);
    List<Long> t = sendTimes(clock, 7, 50);
    assertTrue(t.stream().allMatch(x -> x == 7));
  }

  @Test
  void nonsenseSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new PacingClock(Duration.ZERO, Duration.ofMillis(100), false));
    assertThrows(IllegalArgumentException.class,
        () -> new PacingClock(FRAME, Duration.ofMillis(-1), false));
  }
}
