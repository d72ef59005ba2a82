package io.voicegateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LoadStatsTest {

  @Test
  void theWarmUpIsForgottenButFramesSeenAndOpenSessionsStay() {
    LoadStats s = new LoadStats();
    s.sessionsOpen.set(7);
    s.framesSeen.add(500);
    s.framesReceived.add(500);
    s.underruns.add(3);
    s.playoutFrames.add(400);
    s.utterances.add(20);
    s.connects.add(7);
    s.errorEvents.increment();
    s.errorSample("during the warm-up");
    s.lateness.recordNanos(150_000_000);
    s.firstAudio.recordNanos(4_000_000);
    s.roll();

    s.discardWarmup();
    s.lateness.recordNanos(2_000_000);
    s.framesSeen.increment();
    s.framesReceived.increment();
    s.roll();

    assertEquals(7, s.sessionsOpen.get());
    assertEquals(501, s.framesSeen.sum());
    assertEquals(1, s.framesReceived.sum());
    assertEquals(0, s.underruns.sum());
    assertEquals(0, s.playoutFrames.sum());
    assertEquals(0, s.utterances.sum());
    assertEquals(0, s.connects.sum());
    assertEquals(0, s.errors());
    assertEquals(0, s.errorSamples().size());
    assertEquals(1, s.lateness.total().count());
    assertEquals(2.0, s.lateness.total().max(), 0.01);
    assertEquals(0, s.firstAudio.total().count());
    assertEquals(1, s.lateness.closeWindow().count()); // the window holds the new value only
  }
}
