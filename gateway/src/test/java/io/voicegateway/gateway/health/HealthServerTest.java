package io.voicegateway.gateway.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.voicegateway.registry.LocalRedisServer;
import io.voicegateway.registry.RegistrySettings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The health port against a real Redis that stops and comes back. */
class HealthServerTest {

  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger healthyWorkers = new AtomicInteger(1);
  private final AtomicReference<String> memberStatus = new AtomicReference<>("Up");
  private LocalRedisServer redis;
  private ActorSystem<Void> system;
  private RedisProbe probe;
  private GatewayMetrics metrics;
  private int port;

  @BeforeEach
  void start() throws Exception {
    redis = LocalRedisServer.start();
    system = ActorSystem.create(Behaviors.empty(), "health-test");
    RegistrySettings settings = RegistrySettings.fromConfig(
        ConfigFactory.parseString("voicegw.redis.url = \"" + redis.uri() + "\""));
    probe = new RedisProbe(system, settings, Duration.ofMillis(200));
    metrics = new GatewayMetrics();
    HealthSources sources = new HealthSources() {
      public RedisProbe.Status redis() { return probe.status(); }
      public int workersKnown() { return 2; }
      public int workersHealthy() { return healthyWorkers.get(); }
      public int activeSessions() { return metrics.activeSessions(); }
      public String clusterMemberStatus() { return memberStatus.get(); }
    };
    port = HealthServer.bind(system, "127.0.0.1", 0, new HealthRoutes(sources, metrics))
        .toCompletableFuture().get(10, TimeUnit.SECONDS).localAddress().getPort();
  }

  @AfterEach
  void stop() {
    probe.close();
    system.terminate();
    redis.close();
  }

  private Reply get(String path) throws Exception {
    HttpResponse r = Http.get(system)
        .singleRequest(HttpRequest.GET("http://127.0.0.1:" + port + path))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    String body = r.entity().toStrict(5000, system).toCompletableFuture().get(10, TimeUnit.SECONDS)
        .getData().utf8String();
    return new Reply(r.status().intValue(), body);
  }

  record Reply(int code, String body) {}

  @Test
  void readinessFollowsRedisDownAndBackUp() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/readiness").code() == 200);

    redis.stop();
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/readiness").code() == 503);
    Reply health = get("/health");
    assertEquals(503, health.code());
    JsonNode body = json.readTree(health.body());
    assertEquals("degraded", body.get("status").asText());
    assertTrue(body.get("reason").asText().startsWith("redis unreachable"), health.body());
    assertEquals("down", body.get("redis").get("status").asText());

    redis.restart();
    await().atMost(Duration.ofSeconds(15)).until(() -> get("/readiness").code() == 200);
    assertEquals("ok", json.readTree(get("/health").body()).get("status").asText());
  }

  @Test
  void healthSaysWhyWhenNoWorkerIsHealthy() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/health").code() == 200);
    healthyWorkers.set(0);
    Reply health = get("/health");
    assertEquals(503, health.code());
    JsonNode body = json.readTree(health.body());
    assertEquals("no healthy TTS worker registered", body.get("reason").asText());
    assertEquals(2, body.get("workers").get("known").asInt());
    assertEquals(200, get("/readiness").code(), "no worker does not make the node unready");
  }

  @Test
  void aNodeThatIsNotAnUpClusterMemberIsNotReadyAndSaysSo() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/readiness").code() == 200);
    assertEquals("Up", json.readTree(get("/health").body()).get("cluster").get("member_status")
        .asText());
    memberStatus.set("Leaving");
    Reply readiness = get("/readiness");
    assertEquals(503, readiness.code());
    JsonNode body = json.readTree(readiness.body());
    assertEquals("not_ready", body.get("status").asText());
    assertEquals("not an Up cluster member: Leaving", body.get("reason").asText());
    assertEquals("Leaving", body.get("cluster").asText());
    JsonNode health = json.readTree(get("/health").body());
    assertEquals("degraded", health.get("status").asText());
    assertEquals("down", health.get("cluster").get("status").asText());
    assertEquals(200, get("/liveness").code(), "a leaving node is still alive");
  }

  @Test
  void livenessAnswersAndMetricsAreInPrometheusFormat() throws Exception {
    assertEquals(200, get("/liveness").code());
    metrics.sessionOpened();
    metrics.firstAudio(3_000_000, 1_000_000);
    String text = get("/metrics").body();
    assertTrue(text.contains("voicegw_sessions_active 1.0"), text);
    assertTrue(text.contains("voicegw_first_audio_latency_seconds_bucket"), text);
    assertTrue(text.contains("voicegw_first_audio_gateway_latency_seconds_count 1"), text);
    assertTrue(text.contains("voicegw_utterances_total{outcome=\"completed\"} 0.0"), text);
  }
}
