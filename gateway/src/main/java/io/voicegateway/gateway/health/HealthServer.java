package io.voicegateway.gateway.health;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/** Binds the health routes on their own port (WIRE.md §5: WebSocket port + 1 by default). */
public final class HealthServer {

  private HealthServer() {}

  /** Binds and registers the unbinding with CoordinatedShutdown. */
  public static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system, String host, int port, HealthRoutes routes) {
    return Http.get(system)
        .newServerAt(host, port)
        .bind(routes.routes())
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(3), system));
  }
}
