package io.voicegateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionSettingsTest {

  @Test
  void defaultsFollowWireSection5() {
    SessionSettings s = SessionSettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ofSeconds(300), s.idleTimeout());
    assertEquals(Duration.ofSeconds(3600), s.maxDuration());
    assertEquals(100, s.maxMessages());
    assertEquals(32, s.maxQueuedUtterances());
    assertEquals(Duration.ofSeconds(30), s.workerWait());
    assertEquals("", s.model());
    assertEquals(Duration.ofMillis(100), s.pacingLead());
    assertFalse(s.burstPacing());
    assertEquals(3, s.maxFailovers());
  }

  @Test
  void invalidValuesAreRejectedNamingTheKey() {
    assertNamed("pacing.mode = fast", "voicegw.session.pacing.mode");
    assertNamed("max-messages = 0", "voicegw.session.max-messages");
    assertNamed("idle-timeout = soon", "voicegw.session.idle-timeout");
    assertNamed("max-queued-utterances = 0", "voicegw.session.max-queued-utterances");
    assertNamed("worker-wait = 0s", "voicegw.session.worker-wait");
    assertNamed("max-failovers = -1", "voicegw.session.max-failovers");
  }

  @Test
  void vadRunnerDefaultsAndLimits() {
    VadSettings v = VadSettings.fromConfig(ConfigFactory.load());
    assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() / 4), v.threads());
    assertEquals(32, v.maxBatch());
    assertEquals(Duration.ofMillis(10), v.linger());
    assertEquals(3, VadSettings.fromConfig(ConfigFactory.parseString("voicegw.session.vad.threads = 3")
        .withFallback(ConfigFactory.load())).threads());
    for (String bad : new String[] {"threads = -1", "threads = 65", "max-batch = 0", "linger = 40ms",
        "linger = -1ms"}) {
      String key = "voicegw.session.vad." + bad.substring(0, bad.indexOf(' '));
      var e = assertThrows(IllegalArgumentException.class, () -> VadSettings.fromConfig(
          ConfigFactory.parseString("voicegw.session.vad." + bad).withFallback(ConfigFactory.load())));
      assertTrue(e.getMessage().contains(key), e.getMessage());
    }
  }

  private static void assertNamed(String override, String key) {
    var e = assertThrows(IllegalArgumentException.class, () -> SessionSettings.fromConfig(
        ConfigFactory.parseString("voicegw.session." + override)
            .withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
