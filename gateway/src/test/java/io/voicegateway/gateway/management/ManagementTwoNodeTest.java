package io.voicegateway.gateway.management;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.GatewayNode;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes of one cluster in this JVM (their messages cross through Artery as CBOR): either
 * node's management port lists the sessions of both and describes a session living on the other.
 */
class ManagementTwoNodeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static GatewayFixture fixture;
  private static GatewayNode second;

  @BeforeAll
  static void start() {
    fixture = GatewayFixture.start("mock-440hz", "");
    fixture.awaitWorkers(1);
    second = fixture.startJoiningNode();
  }

  @AfterAll
  static void stop() throws Exception {
    if (second != null) second.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (fixture != null) fixture.close();
  }

  private static JsonNode get(GatewayNode node, String pathAndQuery) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.managementPort() + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), pathAndQuery + ": " + r.body());
    return JSON.readTree(r.body());
  }

  private static String address(GatewayNode node) {
    return Cluster.get(node.system()).selfMember().address().toString();
  }

  private static GatewayClient open(GatewayNode node) throws Exception {
    return GatewayClient.connect(URI.create("ws://127.0.0.1:" + node.wsPort() + "/"))
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void eachNodeListsTheSessionsOfBothWithTheNodeTheyLiveOn() throws Exception {
    try (GatewayClient a = open(fixture.gateway); GatewayClient b = open(second)) {
      String onFirst = a.expect(ServerEvent.SessionStart.class, GatewayFixture.WAIT).sessionId();
      String onSecond = b.expect(ServerEvent.SessionStart.class, GatewayFixture.WAIT).sessionId();
      assertNotEquals(address(fixture.gateway), address(second));

      for (GatewayNode asked : new GatewayNode[] {fixture.gateway, second}) {
        Map<String, JsonNode> listed = new HashMap<>();
        await().atMost(GatewayFixture.WAIT).until(() -> {
          listed.clear();
          for (JsonNode s : get(asked, "/sessions").get("sessions")) {
            listed.put(s.get("id").asText(), s);
          }
          return listed.containsKey(onFirst) && listed.containsKey(onSecond);
        });
        assertEquals(address(fixture.gateway), listed.get(onFirst).get("node").asText());
        assertEquals(address(second), listed.get(onSecond).get("node").asText());
        assertEquals("idle", listed.get(onFirst).get("state").asText(), listed.toString());
        assertEquals("idle", listed.get(onSecond).get("state").asText(), listed.toString());
      }

      JsonNode remote = get(fixture.gateway, "/sessions/" + onSecond);
      assertEquals(address(second), remote.get("node").asText());
      assertEquals("idle", remote.get("state").asText(), remote.toString());
      assertTrue(remote.get("timers").get("max_duration_ms").asLong() > 0, remote.toString());
      assertEquals(2, get(second, "/cluster/members").get("members").size());
    }
  }
}
