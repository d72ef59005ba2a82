package io.voicegateway.gateway.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.voicegateway.gateway.GatewayFixture;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A running node's /health and /readiness follow a real Redis going away and coming back. */
class HealthFollowsRedisTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(GatewayFixture f, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(f.healthUri(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void redisStoppedMakesTheNodeUnreadyAndSaysWhyAndItRecoversWhenRedisIsBack() throws Exception {
    try (GatewayFixture f = GatewayFixture.start("mock-440hz",
        "voicegw.gateway.redis-probe-interval = 200ms")) {
      f.awaitWorkers(1);
      await().atMost(GatewayFixture.WAIT).until(() -> get(f, "/readiness").statusCode() == 200);
      JsonNode ok = JSON.readTree(get(f, "/health").body());
      assertEquals("ok", ok.get("status").asText());
      assertEquals("up", ok.get("redis").get("status").asText());
      assertEquals(1, ok.get("workers").get("known").asInt());

      f.redis.stop();
      await().atMost(GatewayFixture.WAIT).until(() -> get(f, "/readiness").statusCode() == 503);
      JsonNode readiness = JSON.readTree(get(f, "/readiness").body());
      assertEquals("not_ready", readiness.get("status").asText());
      assertTrue(readiness.get("reason").asText().startsWith("redis unreachable"), readiness.toString());
      HttpResponse<String> health = get(f, "/health");
      assertEquals(503, health.statusCode());
      JsonNode degraded = JSON.readTree(health.body());
      assertEquals("degraded", degraded.get("status").asText());
      assertEquals("down", degraded.get("redis").get("status").asText());
      assertEquals(200, get(f, "/liveness").statusCode(), "the process itself is alive");

      f.redis.restart();
      await().atMost(GatewayFixture.WAIT).until(() -> get(f, "/readiness").statusCode() == 200);
      await().atMost(GatewayFixture.WAIT).until(() -> get(f, "/health").statusCode() == 200);
    }
  }
}
