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

  private static void assertNamed(String override, String key) {
    var e = assertThrows(IllegalArgumentException.class, () -> SessionSettings.fromConfig(
        ConfigFactory.parseString("voicegw.session." + override)
            .withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
