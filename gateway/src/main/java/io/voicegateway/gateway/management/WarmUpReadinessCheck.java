package io.voicegateway.gateway.management;

import io.voicegateway.gateway.warmup.NodeWarmUp;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Pekko Management readiness check ({@code pekko.management.health-checks.readiness-checks.warm-up}
 * in reference.conf): ready once the node's start-up warm-up ({@link NodeWarmUp}) is over, as the
 * health port's {@code /readiness} says. Fails its future with the reason, as {@link
 * RedisReadinessCheck} does.
 */
public final class WarmUpReadinessCheck implements Supplier<CompletionStage<Boolean>> {

  private final ActorSystem system;

  public WarmUpReadinessCheck(ActorSystem system) {
    this.system = system;
  }

  @Override
  public CompletionStage<Boolean> get() {
    NodeWarmUp.Status status = GatewayManagement.get(system).warmUpStatus();
    if (status == null) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "warm-up check: no gateway node runs in this actor system"));
    }
    if (!status.done()) {
      return CompletableFuture.failedFuture(new IllegalStateException(status.detail()));
    }
    return CompletableFuture.completedFuture(true);
  }
}
