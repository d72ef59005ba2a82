package io.voicegateway.gateway.management;

import io.voicegateway.gateway.health.RedisProbe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Pekko Management readiness check ({@code pekko.management.health-checks.readiness-checks.redis}
 * in reference.conf): ready while the node's {@link RedisProbe} last reached Redis, as the health
 * port's {@code /readiness} says. Without Redis no worker can be found. A failing check fails its
 * future with the reason, because Pekko Management names a check that merely answers false only
 * by an anonymous class name ({@code /ready} answers 500 with the message).
 */
public final class RedisReadinessCheck implements Supplier<CompletionStage<Boolean>> {

  private final ActorSystem system;

  public RedisReadinessCheck(ActorSystem system) {
    this.system = system;
  }

  @Override
  public CompletionStage<Boolean> get() {
    RedisProbe.Status status = GatewayManagement.get(system).redisStatus();
    if (status == null) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "redis check: no gateway node runs in this actor system"));
    }
    if (!status.up()) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis unreachable: "
          + status.detail() + " (checked at " + status.at() + ")"));
    }
    return CompletableFuture.completedFuture(true);
  }
}
