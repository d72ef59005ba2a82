package io.voicegateway.gateway.warmup;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.GatewayNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * A fresh node runs sessions through itself, against a real worker, before it reports ready
 * (voicegw.gateway.warm-up); its readiness says why it is not ready meanwhile.
 */
class WarmUpTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode readiness(GatewayFixture f) throws Exception {
    return JSON.readTree(get(f.healthUri("/readiness")).body());
  }

  private static double counter(GatewayFixture f, String name, String tag) {
    var search = f.gateway.metrics().registry().find(name);
    if (tag != null) search = search.tag("outcome", tag);
    var c = search.counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void theNodeIsReadyOnlyOnceItsWarmUpSessionsHaveSpoken() throws Exception {
    try (GatewayFixture f = GatewayFixture.startWithoutWorker(
        "voicegw.gateway.warm-up { utterances = 4, worker-wait = 120s }")) {
      // Up and Redis reachable, but the warm-up waits for a worker to speak with
      await().atMost(GatewayFixture.WAIT).until(() ->
          readiness(f).path("reason").asText().equals("warming up: waiting for a worker"));
      assertEquals(503, get(f.healthUri("/readiness")).statusCode());
      assertEquals("not_ready", readiness(f).get("status").asText());
      assertEquals("Up", readiness(f).get("cluster").asText());
      HttpResponse<String> ready = get(f.managementUri("/ready"));
      assertEquals(500, ready.statusCode(), ready.body());
      assertTrue(ready.body().contains("waiting for a worker"), ready.body());

      f.startWorker("mock-440hz");
      await().atMost(GatewayFixture.WAIT)
          .until(() -> get(f.healthUri("/readiness")).statusCode() == 200);
      assertEquals("warm: 4 sessions, 4 utterances", readiness(f).get("warm_up").asText());
      assertEquals(200, get(f.managementUri("/ready")).statusCode());
      // they were real sessions through the node's WebSocket port, spoken by the worker
      assertEquals(4.0, counter(f, "voicegw_sessions_started", null));
      assertEquals(4.0, counter(f, "voicegw_utterances", "completed"));
      await().atMost(GatewayFixture.WAIT).until(() -> f.gateway.metrics().activeSessions() == 0);
    }
  }

  @Test
  void withoutAWorkerTheSessionsOnlyListenAndTheNodeIsReadyAfterTheWait() throws Exception {
    try (GatewayFixture f = GatewayFixture.startWithoutWorker(
        "voicegw.gateway.warm-up { utterances = 3, worker-wait = 1s }")) {
      await().atMost(GatewayFixture.WAIT)
          .until(() -> get(f.healthUri("/readiness")).statusCode() == 200);
      assertEquals("warm: 3 sessions, 0 utterances", readiness(f).get("warm_up").asText());
      assertEquals(3.0, counter(f, "voicegw_sessions_started", null));
      // their silence went through the VAD: the node's runner evaluated windows
      assertTrue(f.gateway.metrics().registry().find("voicegw_vad_window_seconds").timer().count() > 0);
    }
  }

  @Test
  void settingsAreCheckedNamingTheKey() {
    for (String bad : new String[] {"utterances = -1", "concurrency = 0", "worker-wait = -1s",
        "timeout = 0s"}) {
      var e = assertThrows(IllegalArgumentException.class, () -> GatewayNode.Settings.fromConfig(
          GatewayNode.loadConfig(ConfigFactory.parseString("voicegw.gateway.warm-up." + bad))));
      String key = "voicegw.gateway.warm-up." + bad.substring(0, bad.indexOf(' '));
      assertTrue(e.getMessage().contains(key), e.getMessage());
    }
  }
}
