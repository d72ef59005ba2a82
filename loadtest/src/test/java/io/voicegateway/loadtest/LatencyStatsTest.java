package io.voicegateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

  @Test
  void percentilesOfOneToAThousandMilliseconds() {
    LatencyStats s = new LatencyStats();
    for (int ms = 1000; ms >= 1; ms--) {
      s.recordNanos(ms * 1_000_000L);
    }
    s.roll();
    LatencyStats.Percentiles p = s.total();
    assertEquals(1000, p.count());
    assertEquals(500, p.p50(), 0.5);
    assertEquals(900, p.p90(), 0.9);
    assertEquals(990, p.p99(), 1.0);
    assertEquals(1000, p.max(), 1.0);
  }

  @Test
  void smallValuesKeepMicrosecondPrecision() {
    LatencyStats s = new LatencyStats();
    s.recordNanos(1_234_000);
    s.recordNanos(2_345_000);
    s.recordNanos(-5); // clamped to 0
    s.roll();
    LatencyStats.Percentiles p = s.total();
    assertEquals(3, p.count());
    assertEquals(1.234, p.p50(), 0.002);
    assertEquals(2.345, p.max(), 0.003);
  }

  @Test
  void emptyIsNaN() {
    LatencyStats s = new LatencyStats();
    s.roll();
    assertEquals(0, s.total().count());
    assertTrue(Double.isNaN(s.total().p99()));
  }

  @Test
  void windowsAreSeparateTheTotalIsCumulative() {
    LatencyStats s = new LatencyStats();
    s.recordNanos(10_000_000);
    s.roll();
    LatencyStats.Percentiles w1 = s.closeWindow();
    s.recordNanos(30_000_000);
    s.recordNanos(50_000_000);
    s.roll();
    LatencyStats.Percentiles w2 = s.closeWindow();
    assertEquals(1, w1.count());
    assertEquals(10, w1.max(), 0.01);
    assertEquals(2, w2.count());
    assertEquals(30, w2.p50(), 0.05);
    assertEquals(3, s.total().count());
    assertEquals(50, s.total().max(), 0.05);
    assertEquals(0, s.closeWindow().count());
  }

  @Test
  void concurrentRecordingLosesNothing() throws InterruptedException {
    LatencyStats s = new LatencyStats();
    Thread[] threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      threads[i] = new Thread(() -> {
        for (int k = 0; k < 10_000; k++) {
          s.recordNanos(1_000_000L + k);
        }
      });
      threads[i].start();
    }
    for (int i = 0; i < 5; i++) {
      s.roll();
    }
    for (Thread t : threads) {
      t.join();
    }
    s.roll();
    assertEquals(40_000, s.total().count());
  }
}
