package io.voicegateway.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkerRegistrarTest {

  private static final Duration PATIENCE = Duration.ofSeconds(15);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static ActorTestKit testKit;

  private LocalRedisServer redis;
  private RegistrySettings settings;

  @BeforeAll
  static void startActors() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stopActors() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void startRedis() {
    redis = LocalRedisServer.start();
    settings = RedisFixture.settings(redis, "");
  }

  @AfterEach
  void stopRedis() {
    redis.close();
  }

  private String stored(String key) {
    return RedisFixture.withRedis(redis, r -> r.get(key));
  }

  private ActorRef<WorkerRegistrar.Command> register(String name) {
    return testKit.spawn(WorkerRegistrar.create(settings, () -> Workers.worker(name)));
  }

  @Test
  void registersUnderThePrefixedKeyWithExactlyTheWireFields() throws Exception {
    register("tts-a");
    await().atMost(PATIENCE).until(() -> stored("worker:tts-a") != null);
    JsonNode json = MAPPER.readTree(stored("worker:tts-a"));
    Set<String> keys = new HashSet<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertEquals(Set.copyOf(WorkerRecordCodec.FIELDS), keys);
    assertEquals("tts-a", json.get("name").textValue());
    long ttl = RedisFixture.withRedis(redis, r -> r.ttl("worker:tts-a"));
    assertTrue(ttl > 0 && ttl <= 3, "ttl " + ttl);
  }

  @Test
  void heartbeatRefreshesTtlAndHeartbeatTime() throws Exception {
    register("tts-b");
    await().atMost(PATIENCE).until(() -> stored("worker:tts-b") != null);
    double first = MAPPER.readTree(stored("worker:tts-b")).get("last_heartbeat_ts").doubleValue();
    // a 3 s key still exists after 4 s only if heartbeats rewrote it
    await().atMost(PATIENCE).until(() -> {
      String v = stored("worker:tts-b");
      return v != null
          && MAPPER.readTree(v).get("last_heartbeat_ts").doubleValue() > first + 3.5;
    });
    long ttl = RedisFixture.withRedis(redis, r -> r.ttl("worker:tts-b"));
    assertTrue(ttl >= 2, "ttl refreshed, was " + ttl);
  }

  @Test
  void deregisterDeletesTheKeyAndReplies() {
    ActorRef<WorkerRegistrar.Command> registrar = register("tts-c");
    await().atMost(PATIENCE).until(() -> stored("worker:tts-c") != null);
    TestProbe<Done> probe = testKit.createTestProbe();
    registrar.tell(new WorkerRegistrar.Deregister(probe.getRef()));
    probe.expectMessage(PATIENCE, Done.getInstance());
    assertEquals(null, stored("worker:tts-c"));
    probe.expectTerminated(registrar, PATIENCE);
  }

  @Test
  void registersAgainAfterRedisRestarts() {
    ActorRef<WorkerRegistrar.Command> registrar = register("tts-d");
    await().atMost(PATIENCE).until(() -> stored("worker:tts-d") != null);
    redis.stop();
    // several heartbeats fail while Redis is down; the actor must survive them
    TestProbe<Done> watcher = testKit.createTestProbe();
    watcher.expectNoMessage(Duration.ofMillis(1500));
    redis.restart();
    await().atMost(PATIENCE).until(() -> stored("worker:tts-d") != null);
    TestProbe<Done> probe = testKit.createTestProbe();
    registrar.tell(new WorkerRegistrar.Deregister(probe.getRef()));
    probe.expectMessage(PATIENCE, Done.getInstance());
  }

  @Test
  void startsEvenWhileRedisIsDownAndRegistersOnceItIsUp() {
    redis.stop();
    register("tts-e");
    TestProbe<Done> watcher = testKit.createTestProbe();
    watcher.expectNoMessage(Duration.ofMillis(1000));
    redis.restart();
    await().atMost(PATIENCE).until(() -> stored("worker:tts-e") != null);
  }
}
