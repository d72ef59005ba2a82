package io.voicegateway.registry;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Lettuce clients the registry actors own. Each gets its own {@link ClientResources}
 * so that its event bus carries only its own connection events (used to react to a reconnect).
 */
public final class RedisClients {

  private RedisClients() {}

  /** Small resources: the registry issues a few commands per second at most. */
  public static ClientResources resources(RegistrySettings settings) {
    return ClientResources.builder()
        .ioThreadPoolSize(1)
        .computationThreadPoolSize(1)
        .reconnectDelay(
            Delay.exponential(
                Duration.ofMillis(10), settings.reconnectDelayMax(), 2, TimeUnit.MILLISECONDS))
        .build();
  }

  /**
   * Auto-reconnect on, and commands rejected while disconnected so that a write fails at once
   * instead of waiting in an unbounded buffer for a Redis that may be gone for minutes.
   */
  public static RedisClient create(RegistrySettings settings, ClientResources resources) {
    RedisClient client = RedisClient.create(resources, settings.redisUri());
    client.setDefaultTimeout(settings.commandTimeout());
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
            .build());
    return client;
  }

  /** Shuts client and resources down without blocking the caller (an actor's PostStop). */
  public static void shutdownAsync(RedisClient client, ClientResources resources) {
    client
        .shutdownAsync(0, 2, TimeUnit.SECONDS)
        .whenComplete((ok, err) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
  }
}
