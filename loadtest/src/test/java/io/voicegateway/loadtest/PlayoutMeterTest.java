package io.voicegateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlayoutMeterTest {

  private static final long MS = 1_000_000L;
  private static final long LEAD = 100 * MS;

  /** Feeds arrival times (ms) of one utterance; returns the frames' results. */
  private static List<PlayoutMeter.Frame> feed(PlayoutMeter m, long... arrivalsMs) {
    List<PlayoutMeter.Frame> out = new ArrayList<>();
    for (long a : arrivalsMs) {
      out.add(m.onFrame(a * MS));
    }
    return out;
  }

  private static long underruns(List<PlayoutMeter.Frame> frames) {
    return frames.stream().filter(PlayoutMeter.Frame::underrun).count();
  }

  private static List<Long> latenessMs(List<PlayoutMeter.Frame> frames) {
    return frames.stream().map(f -> f.latenessNanos() / MS).toList();
  }

  /** The gateway's schedule: frames 0..5 at once (the 100 ms lead), then one every 20 ms. */
  private static long[] paced(int frames, long startMs) {
    long[] a = new long[frames];
    for (int k = 0; k < frames; k++) {
      a[k] = startMs + Math.max(0, (k - 5) * 20L);
    }
    return a;
  }

  @Test
  void framesOnThePacingScheduleAreNeitherLateNorUnderruns() {
    PlayoutMeter m = new PlayoutMeter(LEAD);
    m.restart();
    List<PlayoutMeter.Frame> f = feed(m, paced(25, 1_000));
    assertEquals(0, underruns(f));
    assertEquals(List.of(0L), latenessMs(f).stream().distinct().toList());
  }

  @Test
  void aFrameWithinTheLeadIsLateButNotAnUnderrun() {
    PlayoutMeter m = new PlayoutMeter(LEAD);
    m.restart();
    // frame 8 is due to leave at 60 ms; it arrives at 150 (90 ms late), 10 ms before it plays
    List<PlayoutMeter.Frame> f = feed(m, 0, 0, 0, 0, 0, 0, 20, 40, 150, 150, 150, 160, 180);
    assertEquals(0, underruns(f));
    assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 90L, 70L, 50L, 40L, 40L), latenessMs(f));
  }

  @Test
  void aStallCountsOnceAndTheRefilledLeadIsOnTime() {
    PlayoutMeter m = new PlayoutMeter(LEAD);
    m.restart();
    // frame 8 plays at 160 ms but arrives at 200: one underrun (lateness 140 = lead + 40 ms).
    // The gateway then sends the lead again at once and paces on from there.
    List<PlayoutMeter.Frame> f = feed(m, 0, 0, 0, 0, 0, 0, 20, 40, 200, 200, 200, 200, 200, 200,
        220, 240, 260);
    assertEquals(1, underruns(f));
    assertEquals(true, f.get(8).underrun());
    assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 140L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L),
        latenessMs(f));
  }

  @Test
  void earlyFramesScoreZeroUnlikeJitter() {
    PlayoutMeter m = new PlayoutMeter(LEAD);
    m.restart();
    // frames 6 and 7 come 13 ms early, in a bunch with frame 8
    List<PlayoutMeter.Frame> f = feed(m, 0, 0, 0, 0, 0, 0, 20, 27, 40, 60);
    assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L), latenessMs(f));
    assertEquals(0, underruns(f));
  }

  @Test
  void withoutALeadEverySlowFrameUnderruns() {
    PlayoutMeter m = new PlayoutMeter(0);
    m.restart();
    List<PlayoutMeter.Frame> f = feed(m, 0, 20, 41, 60, 80, 105);
    assertEquals(2, underruns(f)); // 41 > 40, and 105 > 41 + 20 + 20 + 20 = 101
    assertEquals(List.of(0L, 0L, 1L, 0L, 0L, 4L), latenessMs(f));
  }

  @Test
  void theFirstFramesMayOnlyBeAsLateAsTheAudioPlayedSoFar() {
    PlayoutMeter m = new PlayoutMeter(LEAD);
    m.restart();
    // frame 1 plays at 20 ms after frame 0: arriving at 30 it underruns, though under the lead
    List<PlayoutMeter.Frame> f = feed(m, 0, 30, 30);
    assertEquals(List.of(false, true, false),
        f.stream().map(PlayoutMeter.Frame::underrun).toList());
    assertEquals(List.of(0L, 30L, 0L), latenessMs(f));
  }

  @Test
  void nothingIsMeasuredWhileSuspendedAndARestartIsANewUtterance() {
    PlayoutMeter m = new PlayoutMeter(LEAD);
    assertNull(m.onFrame(0)); // never started
    m.restart();
    feed(m, paced(8, 0));
    m.suspend(); // PAUSE sent
    assertNull(m.onFrame(5_000 * MS));
    m.restart(); // the next utterance, 5 s later: its first frame plays on arrival
    List<PlayoutMeter.Frame> f = feed(m, paced(10, 5_000));
    assertEquals(0, underruns(f));
    assertEquals(0L, latenessMs(f).stream().mapToLong(Long::longValue).max().orElseThrow());
  }

  @Test
  void percentilesOverUtterancesAreOfEveryMeasuredFrame() {
    PlayoutMeter m = new PlayoutMeter(LEAD);
    LatencyStats lateness = new LatencyStats();
    long underruns = 0;
    int utterancesWithUnderrun = 0;
    // 10 utterances of 100 frames; utterance 3 has one 140 ms stall, utterance 7 one frame 50 ms
    // late within the lead: 1000 frames, 998 with lateness 0
    for (int u = 0; u < 10; u++) {
      m.restart();
      long[] a = paced(100, u * 10_000L);
      if (u == 3) {
        long late = a[30] + 140; // frame 30 arrives 140 ms after it was sent
        for (int k = 30; k < 100; k++) {
          a[k] = late + Math.max(0, (k - 35) * 20L); // then the lead again at once, then paced
        }
      }
      if (u == 7) {
        a[50] += 50;
      }
      long n = underruns(feed(m, a).stream().peek(f -> lateness.recordNanos(f.latenessNanos()))
          .toList());
      underruns += n;
      utterancesWithUnderrun += n > 0 ? 1 : 0;
    }
    lateness.roll();
    LatencyStats.Percentiles p = lateness.total();
    assertEquals(1, underruns);
    assertEquals(1, utterancesWithUnderrun);
    assertEquals(1000, p.count());
    assertEquals(0, p.p50());
    assertEquals(0, p.p99());
    assertEquals(140, p.max(), 0.2);
  }

  @Test
  void aNegativeLeadIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PlayoutMeter(-1));
  }
}
