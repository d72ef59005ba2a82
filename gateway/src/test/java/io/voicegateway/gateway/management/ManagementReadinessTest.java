package io.voicegateway.gateway.management;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.GatewayFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Pekko Management's {@code /ready} (cluster membership, sharding and the gateway's Redis check)
 * and the health port's {@code /readiness} follow a real Redis going away and coming back.
 */
class ManagementReadinessTest {

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readyGoesNotReadyWhenRedisStopsAndBackWhenItReturns() throws Exception {
    try (GatewayFixture f = GatewayFixture.start("mock-440hz",
        "voicegw.gateway.redis-probe-interval = 200ms")) {
      await().atMost(GatewayFixture.WAIT)
          .until(() -> get(f.managementUri("/ready")).statusCode() == 200);
      assertEquals(200, get(f.managementUri("/alive")).statusCode());
      String readiness = get(f.healthUri("/readiness")).body();
      assertTrue(readiness.contains("\"cluster\":\"Up\""), readiness);

      f.redis.stop();
      await().atMost(GatewayFixture.WAIT)
          .until(() -> get(f.managementUri("/ready")).statusCode() == 500); // Pekko's not-ready
      String why = get(f.managementUri("/ready")).body();
      assertTrue(why.contains("redis unreachable"), "the failing check says why: " + why);
      await().atMost(GatewayFixture.WAIT)
          .until(() -> get(f.healthUri("/readiness")).statusCode() == 503);
      assertEquals(200, get(f.managementUri("/alive")).statusCode(), "alive without Redis");

      f.redis.restart();
      await().atMost(GatewayFixture.WAIT)
          .until(() -> get(f.managementUri("/ready")).statusCode() == 200);
    }
  }
}
