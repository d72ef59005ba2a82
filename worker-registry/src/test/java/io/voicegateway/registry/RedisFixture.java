package io.voicegateway.registry;

import com.typesafe.config.ConfigFactory;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/** Settings for a test Redis and a plain Lettuce client to inspect it. */
final class RedisFixture {

  private RedisFixture() {}

  static RegistrySettings settings(LocalRedisServer redis, String extra) {
    return RegistrySettings.fromConfig(
        ConfigFactory.parseString(
            "voicegw.redis { url = \"" + redis.uri() + "\", command-timeout = 1s,"
                + " reconnect-delay-max = 300ms }\n"
                + "voicegw.registry { ttl = 3s, heartbeat-interval = 500ms,"
                + " resync-interval = 1s }\n"
                + extra));
  }

  /** A fresh connection each call: the server may have been restarted in between. */
  static <T> T withRedis(LocalRedisServer redis, java.util.function.Function<RedisCommands<String, String>, T> f) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return f.apply(c.sync());
    } finally {
      client.shutdown();
    }
  }
}
