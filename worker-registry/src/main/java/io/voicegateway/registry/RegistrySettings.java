package io.voicegateway.registry;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * Settings of {@code voicegw.redis} and {@code voicegw.registry} (see this module's reference.conf),
 * validated at construction: a bad value throws {@link IllegalArgumentException} naming its key.
 */
public record RegistrySettings(
    String redisUrl,
    Duration commandTimeout,
    Duration reconnectDelayMax,
    String keyPrefix,
    Duration ttl,
    Duration heartbeatInterval,
    Duration resyncInterval,
    Duration maxHeartbeatAge,
    boolean keyspaceNotifications,
    SelectionStrategy strategy) {

  public static final String REDIS = "voicegw.redis.";
  public static final String REGISTRY = "voicegw.registry.";

  public RegistrySettings {
    redisUri(redisUrl); // validates
    positive(commandTimeout, REDIS + "command-timeout");
    positive(reconnectDelayMax, REDIS + "reconnect-delay-max");
    if (keyPrefix == null || keyPrefix.isEmpty()) {
      throw new IllegalArgumentException(REGISTRY + "key-prefix must not be empty");
    }
    positive(ttl, REGISTRY + "ttl");
    if (ttl.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException(
          REGISTRY + "ttl must be whole seconds (Redis SET EX), got " + ttl);
    }
    positive(heartbeatInterval, REGISTRY + "heartbeat-interval");
    if (ttl.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException(
          REGISTRY + "ttl (" + ttl + ") must be longer than " + REGISTRY
              + "heartbeat-interval (" + heartbeatInterval + ")");
    }
    positive(resyncInterval, REGISTRY + "resync-interval");
    positive(maxHeartbeatAge, REGISTRY + "max-heartbeat-age");
    if (strategy == null) {
      throw new IllegalArgumentException(REGISTRY + "strategy must be set");
    }
  }

  /** Reads {@code voicegw.redis} and {@code voicegw.registry} from a resolved root config. */
  public static RegistrySettings fromConfig(Config root) {
    Config c = root.withFallback(ConfigFactory.defaultReference());
    SelectionStrategy strategy;
    try {
      strategy = SelectionStrategy.fromConfigName(string(c, REGISTRY + "strategy"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(REGISTRY + "strategy: " + e.getMessage()
          + " (expected least_loaded, round_robin, random or least_latency)", e);
    }
    return new RegistrySettings(
        string(c, REDIS + "url"),
        duration(c, REDIS + "command-timeout"),
        duration(c, REDIS + "reconnect-delay-max"),
        string(c, REGISTRY + "key-prefix"),
        duration(c, REGISTRY + "ttl"),
        duration(c, REGISTRY + "heartbeat-interval"),
        duration(c, REGISTRY + "resync-interval"),
        duration(c, REGISTRY + "max-heartbeat-age"),
        bool(c, REGISTRY + "keyspace-notifications"),
        strategy);
  }

  /** The defaults of reference.conf, with {@code REDIS_URL} honoured. */
  public static RegistrySettings load() {
    return fromConfig(ConfigFactory.load());
  }

  public RegistrySettings withRedisUrl(String url) {
    return new RegistrySettings(url, commandTimeout, reconnectDelayMax, keyPrefix, ttl,
        heartbeatInterval, resyncInterval, maxHeartbeatAge, keyspaceNotifications, strategy);
  }

  public RedisURI redisUri() {
    return redisUri(redisUrl);
  }

  /** The Redis key a worker of this name registers under. */
  public String keyFor(String workerName) {
    return keyPrefix + workerName;
  }

  private static RedisURI redisUri(String url) {
    if (url == null || !(url.startsWith("redis://") || url.startsWith("rediss://"))) {
      throw new IllegalArgumentException(
          REDIS + "url must start with redis:// or rediss://, got '" + url + "'");
    }
    try {
      return RedisURI.create(url);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(REDIS + "url is not a Redis URI: " + e.getMessage(), e);
    }
  }

  private static void positive(Duration d, String key) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be a positive duration, got " + d);
    }
  }

  private static String string(Config c, String key) {
    try {
      return c.getString(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static Duration duration(Config c, String key) {
    try {
      return c.getDuration(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static boolean bool(Config c, String key) {
    try {
      return c.getBoolean(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }
}
