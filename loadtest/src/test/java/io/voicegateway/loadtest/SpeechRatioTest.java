package io.voicegateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The pause after an utterance under {@code --speech-ratio} / {@code --continuous}. */
class SpeechRatioTest {

  @Test
  void continuousSpeechNeverPauses() {
    assertEquals(0, SessionDriver.speechRatioPauseMs(25, 1.0, 0.99));
  }

  @Test
  void theMeanPauseMakesTheSessionSpeakItsShare() {
    // 25 frames = 500 ms of speech; at a ratio of 0.25 the mean pause is 1 500 ms: the pause is
    // uniform in 0..3 000 ms
    assertEquals(0, SessionDriver.speechRatioPauseMs(25, 0.25, 0.0));
    assertEquals(1_500, SessionDriver.speechRatioPauseMs(25, 0.25, 0.5));
    assertEquals(2_970, SessionDriver.speechRatioPauseMs(25, 0.25, 0.99));
    // half the time speaking: the mean pause equals the utterance
    assertEquals(500, SessionDriver.speechRatioPauseMs(25, 0.5, 0.5));
  }
}
