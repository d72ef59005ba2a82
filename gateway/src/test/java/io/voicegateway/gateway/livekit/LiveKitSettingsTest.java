package io.voicegateway.gateway.livekit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LiveKitSettingsTest {

  private static Optional<LiveKitSettings> settings(String hocon) {
    return LiveKitSettings.fromConfig(ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }

  private static final String ON =
      "voicegw.livekit { url = \"http://127.0.0.1:7880\", api-key = devkey, api-secret = s3cr3t }\n";

  private static String error(String hocon) {
    return assertThrows(IllegalArgumentException.class, () -> settings(ON + hocon)).getMessage();
  }

  @Test
  void offWithoutAUrlAndOnWithTheExistingConventions() {
    assertTrue(settings("").isEmpty());
    LiveKitSettings s = settings(ON).orElseThrow();
    assertEquals("ws://127.0.0.1:7880", s.bridgeUrl());
    assertEquals("ws://127.0.0.1:7880", s.participantUrl());
    assertEquals("http://127.0.0.1:7880", s.apiUrl());
    assertEquals("agent", s.agentIdentity());
    assertEquals(15, s.userTokenTtl().toMinutes());
    assertTrue(s.serves("tts-session-42") && s.serves("voice_assistant_room_7"));
    assertFalse(s.serves("someone-elses-room"));
    assertFalse(s.toString().contains("s3cr3t"), s.toString());
  }

  @Test
  void wrongValuesAreNamedWithTheirLimits() {
    assertTrue(error("voicegw.livekit.audio-queue = 15ms")
        .startsWith("voicegw.livekit.audio-queue: must be a multiple of 10 ms from 20 ms"));
    assertTrue(error("voicegw.livekit.room-prefixes = []").startsWith("voicegw.livekit.room-prefixes"));
    assertTrue(error("voicegw.livekit.new-room-prefix = \"other_\"")
        .startsWith("voicegw.livekit.new-room-prefix"));
    assertTrue(error("voicegw.livekit.bridge.ping-timeout = 500ms")
        .startsWith("voicegw.livekit.bridge.ping-timeout: must be longer than ping-interval"));
    assertTrue(error("voicegw.livekit.lease-ttl = 0s").startsWith("voicegw.livekit.lease-ttl"));
  }
}
