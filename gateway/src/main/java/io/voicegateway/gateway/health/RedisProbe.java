package io.voicegateway.gateway.health;

import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.voicegateway.registry.RedisClients;
import io.voicegateway.registry.RegistrySettings;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Whether this node reaches Redis right now: a PING every {@code interval}, the last answer kept
 * for /health and /readiness. Never blocks a caller.
 */
public final class RedisProbe implements AutoCloseable {

  /** The last observation: up or down, why, and when it was made. */
  public record Status(boolean up, String detail, Instant at) {}

  private final RedisClients.Owned redis;
  private final RedisURI uri;
  private final AtomicReference<Status> status =
      new AtomicReference<>(new Status(false, "not checked yet", Instant.now()));
  private final Cancellable schedule;
  private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;

  public RedisProbe(ActorSystem<?> system, RegistrySettings settings, Duration interval) {
    this.redis = RedisClients.open(settings, () -> {});
    this.uri = settings.redisUri();
    this.schedule = system.scheduler().scheduleAtFixedRate(
        Duration.ZERO, interval, this::ping, system.executionContext());
  }

  public Status status() {
    return status.get();
  }

  private void ping() {
    CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
    if (c == null || c.isCompletedExceptionally()) {
      c = redis.client().connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
      connection = c;
    }
    c.thenCompose(conn -> conn.async().ping().toCompletableFuture())
        .whenComplete((pong, error) -> status.set(error == null
            ? new Status(true, "PONG", Instant.now())
            : new Status(false, describe(error), Instant.now())));
  }

  private static String describe(Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  @Override
  public void close() {
    schedule.cancel();
    CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
    if (c == null) {
      redis.shutdownAsync();
      return;
    }
    // the connection first, then the client (closing both at once warns of a double close)
    c.thenCompose(StatefulRedisConnection::closeAsync)
        .whenComplete((done, error) -> redis.shutdownAsync());
  }
}
