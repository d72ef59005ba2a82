package io.voicegateway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;

class LocalRedisServerTest {

  @Test
  void answersOnLoopbackAndComesBackEmptyOnTheSamePortAfterRestart() {
    try (LocalRedisServer redis = LocalRedisServer.start()) {
      assertTrue(redis.isSystemBinary());
      assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri());
      RedisFixture.withRedis(redis, r -> r.set("k", "v"));
      redis.stop();
      assertFalse(redis.isRunning());
      redis.restart();
      assertNull(RedisFixture.<String>withRedis(redis, r -> r.get("k")));
    }
  }

  @Test
  void canStartWithConfigCommandDisabled() {
    var options = LocalRedisServer.Options.DEFAULT.withConfigCommandDisabled();
    try (LocalRedisServer redis = LocalRedisServer.start(options)) {
      assertThrows(RedisCommandExecutionException.class,
          () -> RedisFixture.withRedis(redis, r -> r.configGet("notify-keyspace-events")));
    }
  }

  @Test
  void theEmbeddedFallbackBinaryServesWhereNoRedisServerIsInstalled() {
    var options = LocalRedisServer.Options.DEFAULT.withEmbeddedBinary();
    try (LocalRedisServer redis = LocalRedisServer.start(options)) {
      assertFalse(redis.isSystemBinary());
      RedisFixture.withRedis(redis, r -> r.setex("worker:x", 30, "{}"));
      assertEquals("{}", RedisFixture.<String>withRedis(redis, r -> r.get("worker:x")));
      redis.stop();
      redis.restart();
      assertNull(RedisFixture.<String>withRedis(redis, r -> r.get("worker:x")));
    }
  }
}
