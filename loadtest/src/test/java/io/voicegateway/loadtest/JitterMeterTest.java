package io.voicegateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JitterMeterTest {

  private static final long MS = 1_000_000L;

  /** Feeds arrival times (ms) and returns the measured jitter values (ms). */
  private static List<Long> feed(JitterMeter m, long... arrivalsMs) {
    List<Long> out = new ArrayList<>();
    for (long a : arrivalsMs) {
      long j = m.onFrame(a * MS);
      if (j >= 0) {
        out.add(j / MS);
      }
    }
    return out;
  }

  @Test
  void theLeadBurstIsSkippedThenEachIntervalIsCompared() {
    JitterMeter m = new JitterMeter();
    m.restart();
    // 6 frames at once (the 100 ms lead), then paced at 20 ms with some jitter
    List<Long> j = feed(m, 0, 0, 0, 1, 1, 1, 21, 41, 65, 80, 100);
    assertEquals(List.of(0L, 0L, 4L, 5L, 0L), j);
  }

  @Test
  void nothingIsMeasuredBeforeTheSeventhFrame() {
    JitterMeter m = new JitterMeter();
    m.restart();
    assertEquals(List.of(), feed(m, 0, 1, 2, 3, 4, 5));
  }

  @Test
  void withoutRestartNothingIsMeasured() {
    assertEquals(List.of(), feed(new JitterMeter(), 0, 20, 40, 60, 80, 100, 120, 140));
  }

  @Test
  void aPauseIsNotCountedAndResumeSkipsAgain() {
    JitterMeter m = new JitterMeter();
    m.restart();
    assertEquals(List.of(0L, 0L), feed(m, 0, 0, 0, 0, 0, 0, 20, 40));
    m.suspend(); // PAUSE sent
    assertEquals(List.of(), feed(m, 60));
    m.restart(); // resumed, 500 ms later
    assertEquals(List.of(3L), feed(m, 600, 600, 601, 602, 603, 604, 627));
  }

  @Test
  void lateAndEarlyFramesCountTheSame() {
    JitterMeter m = new JitterMeter();
    m.restart();
    assertEquals(List.of(7L, 7L), feed(m, 0, 0, 0, 0, 0, 0, 27, 40));
  }
}
