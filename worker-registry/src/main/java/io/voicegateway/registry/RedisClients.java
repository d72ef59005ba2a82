package io.voicegateway.registry;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;

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

  /**
   * A client with resources of its own, calling {@code onConnectionActivated} each time one of
   * its connections is (re)established and ready, from a Lettuce thread.
   */
  public static Owned open(RegistrySettings settings, Runnable onConnectionActivated) {
    ClientResources resources = resources(settings);
    RedisClient client = create(settings, resources);
    Disposable activations = resources.eventBus().get()
        .filter(ConnectionActivatedEvent.class::isInstance)
        .subscribe(e -> onConnectionActivated.run());
    return new Owned(client, resources, activations);
  }

  /** What {@link #open} made; one actor owns it and shuts it down in its PostStop. */
  public record Owned(RedisClient client, ClientResources resources, Disposable activations) {

    /** Shuts client and resources down without blocking the caller (an actor's PostStop). */
    public void shutdownAsync() {
      activations.dispose();
      client
          .shutdownAsync(0, 2, TimeUnit.SECONDS)
          .whenComplete((ok, err) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
    }
  }
}
