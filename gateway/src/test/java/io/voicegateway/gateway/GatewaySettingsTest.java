package io.voicegateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class GatewaySettingsTest {

  private static GatewaySettings settings(String hocon) {
    Config c = ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference()).resolve();
    return GatewaySettings.fromConfig(c);
  }

  private static String error(String hocon) {
    return assertThrows(IllegalArgumentException.class, () -> settings(hocon)).getMessage();
  }

  @Test
  void defaultsFollowTheExistingSystem() {
    GatewaySettings s = settings("");
    assertEquals(8080, s.wsPort());
    assertEquals(8081, s.healthPort());
    assertTrue(s.liveKit().isEmpty(), "LiveKit is off until a URL is set");
  }

  @Test
  void aWrongPortIsNamed() {
    assertTrue(error("voicegw.gateway.ws-port = 70000").startsWith("voicegw.gateway.ws-port"));
    assertTrue(error("voicegw.gateway.health-port = eighty").startsWith("voicegw.gateway.health-port"));
    assertTrue(error("voicegw.gateway { ws-port = 9000, health-port = 9000 }")
        .contains("health-port"));
  }

  @Test
  void liveKitNeedsItsKeysAndNeverShowsTheSecret() {
    assertTrue(error("voicegw.livekit.url = \"ws://127.0.0.1:7880\"")
        .contains("voicegw.livekit.api-key (LIVEKIT_API_KEY)"));
    assertTrue(error("voicegw.livekit.url = \"localhost:7880\"").startsWith("voicegw.livekit.url"));
    GatewaySettings s = settings("voicegw.livekit { url = \"ws://127.0.0.1:7880\", "
        + "api-key = devkey, api-secret = s3cr3t-value }");
    assertTrue(s.liveKit().isPresent());
    assertFalse(s.toString().contains("s3cr3t-value"), s.toString());
    assertTrue(s.toString().contains("<redacted>"));
  }
}
