package io.voicegateway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RegistrySettingsTest {

  private static RegistrySettings parse(String hocon) {
    return RegistrySettings.fromConfig(ConfigFactory.parseString(hocon));
  }

  @Test
  void referenceDefaultsMatchTheWire() {
    RegistrySettings s = parse("voicegw.redis.url = \"redis://127.0.0.1:6379\"");
    assertEquals("worker:", s.keyPrefix());
    assertEquals(Duration.ofSeconds(30), s.ttl());
    assertEquals(Duration.ofSeconds(10), s.heartbeatInterval());
    assertEquals(Duration.ofSeconds(60), s.maxHeartbeatAge());
    assertEquals(SelectionStrategy.LEAST_LOADED, s.strategy());
    assertTrue(s.keyspaceNotifications());
    assertEquals("worker:a", s.keyFor("a"));
  }

  @Test
  void ttlNotLongerThanHeartbeatIsRejectedNamingTheKey() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> parse("voicegw.registry { ttl = 10s, heartbeat-interval = 10s }"));
    assertTrue(e.getMessage().contains("voicegw.registry.ttl"), e.getMessage());
  }

  @Test
  void fractionalTtlIsRejected() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> parse("voicegw.registry { ttl = 2500ms, heartbeat-interval = 1s }"));
    assertTrue(e.getMessage().contains("voicegw.registry.ttl"), e.getMessage());
  }

  @Test
  void unknownStrategyIsRejectedNamingTheKey() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> parse("voicegw.registry.strategy = fastest"));
    assertTrue(e.getMessage().contains("voicegw.registry.strategy"), e.getMessage());
  }

  @Test
  void badUrlSchemeIsRejectedNamingTheKey() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> parse("voicegw.redis.url = \"http://127.0.0.1:6379\""));
    assertTrue(e.getMessage().contains("voicegw.redis.url"), e.getMessage());
  }

  @Test
  void nonDurationIsRejectedNamingTheKey() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> parse("voicegw.registry.resync-interval = often"));
    assertTrue(e.getMessage().contains("voicegw.registry.resync-interval"), e.getMessage());
  }
}
