package io.voicegateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.session.TurnDetector.Event;
import io.voicegateway.session.TurnDetector.SilenceSustained;
import io.voicegateway.session.TurnDetector.SpeechStarted;
import io.voicegateway.session.TurnDetector.SpeechStopped;
import io.voicegateway.session.TurnDetector.SpeechSustained;
import io.voicegateway.session.TurnDetector.TurnEnded;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The detector's rules on probability sequences built by hand, in the default settings' 32 ms
 * windows: min-speech 64 ms (2 windows), min-silence 256 ms (8), min-interruption 500 ms (16),
 * false-interruption-timeout 1 500 ms (47), min-endpointing 500 ms (16).
 */
class TurnDetectorTest {

  private static final float SPEECH = 0.9f;
  private static final float SILENCE = 0.02f;

  private final TurnDetector detector = new TurnDetector(TurnTakingSettings.DEFAULTS, 32);
  private final List<Event> events = new ArrayList<>();

  private void feed(float p, int windows) {
    for (int i = 0; i < windows; i++) detector.window(p, events::add);
  }

  @Test
  void oneSpeechWindowIsNotSpeechButTwoAre() {
    feed(SILENCE, 10);
    feed(SPEECH, 1);
    feed(SILENCE, 5);
    assertEquals(List.of(), events, "a 32 ms click is shorter than min-speech");
    feed(SPEECH, 2);
    assertEquals(List.of(new SpeechStarted(16 * 32, 64)), events);
  }

  @Test
  void speechStopsAfterMinSilenceAndTheTurnEndsAfterMinEndpointing() {
    feed(SILENCE, 5);
    feed(SPEECH, 30); // 160..1120 ms
    feed(SILENCE, 7);
    assertTrue(events.stream().noneMatch(e -> e instanceof SpeechStopped),
        "7 windows (224 ms) of silence are less than min-silence");
    feed(SILENCE, 1);
    assertEquals(new SpeechStopped(35 * 32, 30 * 32), events.get(events.size() - 1));
    feed(SILENCE, 7);
    assertTrue(events.stream().noneMatch(e -> e instanceof TurnEnded));
    feed(SILENCE, 1);
    assertEquals(new TurnEnded(35 * 32, 30 * 32, 16 * 32), events.get(events.size() - 1));
  }

  @Test
  void aDipBelowTheActivationButAboveTheDeactivationThresholdKeepsSpeaking() {
    feed(SPEECH, 4);
    feed(0.4f, 20); // under activation (0.5), over deactivation (0.35)
    feed(SILENCE, 8);
    SpeechStopped stopped = (SpeechStopped) events.stream()
        .filter(e -> e instanceof SpeechStopped).findFirst().orElseThrow();
    assertEquals(24 * 32, stopped.speechMs());
  }

  @Test
  void speechSustainedOnceAtMinInterruptionAndSilenceSustainedOnceAtTheTimeout() {
    feed(SPEECH, 20);
    List<Event> sustained = events.stream().filter(e -> e instanceof SpeechSustained).toList();
    assertEquals(List.of(new SpeechSustained(0, 16 * 32)), sustained);
    feed(SILENCE, 60);
    List<Event> silences = events.stream().filter(e -> e instanceof SilenceSustained).toList();
    assertEquals(List.of(new SilenceSustained(47 * 32)), silences);
  }

  @Test
  void aTurnGathersEveryStretchOfSpeechUntilTheEndpointingSilence() {
    feed(SPEECH, 10); // 320 ms
    feed(SILENCE, 10); // stopped, but the turn goes on
    feed(SPEECH, 5); // 160 ms
    feed(SILENCE, 20);
    List<Event> turns = events.stream().filter(e -> e instanceof TurnEnded).toList();
    assertEquals(1, turns.size(), events.toString());
    assertEquals(480, ((TurnEnded) turns.get(0)).speechMs());
    assertEquals(2, events.stream().filter(e -> e instanceof SpeechStarted).count());
  }

  @Test
  void inputThatStopsMidSpeechEndsTheSpeech() {
    feed(SPEECH, 6);
    detector.inputStopped(events::add);
    assertEquals(new SpeechStopped(6 * 32, 6 * 32), events.get(events.size() - 1));
  }
}
