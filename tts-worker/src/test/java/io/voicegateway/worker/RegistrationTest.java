package io.voicegateway.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.voicegateway.registry.LocalRedisServer;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worker's own record in a real Redis: written, refreshed, deleted, and written again. */
class RegistrationTest {

  private static final Set<String> WIRE_FIELDS = Set.of("name", "addr", "capabilities",
      "resident_models", "metrics", "last_heartbeat_ts");
  private final ObjectMapper json = new ObjectMapper();
  private LocalRedisServer redis;
  private RedisClient redisClient;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> commands;

  @BeforeEach
  void startRedis() {
    redis = LocalRedisServer.start();
    redisClient = RedisClient.create(redis.uri());
    connection = redisClient.connect();
    commands = connection.sync();
  }

  @AfterEach
  void stopRedis() {
    connection.close();
    redisClient.shutdown();
    redis.close();
  }

  private WorkerFixture worker(String name) {
    return WorkerFixture.start("""
        voicegw.worker { name = %s, register = on, advertise-host = "127.0.0.1" }
        voicegw.redis.url = "%s"
        voicegw.registry { ttl = 3s, heartbeat-interval = 500ms }
        """.formatted(name, redis.uri()));
  }

  @Test
  void theWorkerRegistersExactlyTheWireFieldsWithItsReachableAddress() throws Exception {
    try (WorkerFixture fx = worker("reg-1")) {
      String value = await().atMost(Duration.ofSeconds(10))
          .until(() -> commands.get("worker:reg-1"), v -> v != null);
      JsonNode record = json.readTree(value);
      Set<String> fields = new TreeSet<>();
      record.fieldNames().forEachRemaining(fields::add);
      assertEquals(new TreeSet<>(WIRE_FIELDS), fields);
      assertEquals("reg-1", record.get("name").asText());
      assertEquals("grpc://127.0.0.1:" + fx.worker.port(), record.get("addr").asText());
      assertTrue(record.get("resident_models").toString().contains(ModelCatalog.TONE));
      assertTrue(record.get("metrics").has("rtf") && record.get("metrics").has("queue_depth"));
      assertTrue(record.get("capabilities").get("streaming").asBoolean());
      assertEquals("en", record.get("capabilities").get("languages").get(0).asText());
    }
  }

  @Test
  void gracefulShutdownDeletesTheRecord() {
    WorkerFixture fx = worker("reg-2");
    await().atMost(Duration.ofSeconds(10)).until(() -> commands.exists("worker:reg-2") == 1);
    fx.close();
    assertEquals(0, commands.exists("worker:reg-2"), "the record is gone once shutdown completes");
  }

  @Test
  void withRedisDownTheWorkerServesAndRegistersAgainWhenRedisReturns() {
    try (WorkerFixture fx = worker("reg-3")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> commands.exists("worker:reg-3") == 1);

      redis.stop();
      fx.startSession("while-down", ModelCatalog.TONE);
      assertEquals(25, fx.synthesize("while-down", "Redis is down").size());

      redis.restart();
      await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
          .until(() -> commands.exists("worker:reg-3") == 1);
    }
  }
}
