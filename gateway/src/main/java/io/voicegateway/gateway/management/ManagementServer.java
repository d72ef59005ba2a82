package io.voicegateway.gateway.management;

import io.voicegateway.gateway.health.RedisProbe;
import io.voicegateway.gateway.warmup.NodeWarmUp;
import io.voicegateway.registry.WorkerDirectory;
import io.voicegateway.registry.WorkerSelector;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * Starts Pekko Management HTTP on its own port ({@code pekko.management.http.hostname} and
 * {@code port}; loopback by default): the cluster routes of pekko-management-cluster-http, the
 * health checks ({@code /ready}: cluster membership, Redis and the start-up warm-up; {@code
 * /alive}) and the gateway's
 * routes. Also starts this node's {@link LocalSessions}.
 */
public final class ManagementServer {

  /** What the gateway's routes read on this node. */
  public record Sources(WorkerDirectory directory, WorkerSelector selector,
      Duration maxHeartbeatAge, Supplier<RedisProbe.Status> redis,
      Supplier<NodeWarmUp.Status> warmUp) {}

  private ManagementServer() {}

  /**
   * Starts management, waits until its port is bound and registers its stop with
   * CoordinatedShutdown (last, so that {@code /ready} reports the node leaving).
   *
   * @return the bound port (useful when configured as 0)
   * @param settings {@code voicegw.management}, validated with the node's other settings before
   *     any port is bound
   * @throws IllegalStateException when the port cannot be bound
   */
  public static int start(ActorSystem<?> system, ManagementSettings settings, Sources sources) {
    system.systemActorOf(LocalSessions.create(settings.listTimeout()), "local-sessions",
        Props.empty());
    ManagementRoutes routes = new ManagementRoutes(new SessionsView(system, settings), settings,
        sources.directory(), sources.selector(), sources.maxHeartbeatAge());
    GatewayManagement.get(system).register(routes.routes(), sources.redis(), sources.warmUp());

    PekkoManagement management = PekkoManagement.get(system);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "stop-pekko-management", management::stop);
    Uri uri;
    try {
      uri = management.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause.getCause() != null) cause = cause.getCause(); // "Failed to start ..." wraps it
      throw new IllegalStateException("cannot bind pekko.management.http ("
          + system.settings().config().getString("pekko.management.http.hostname") + ":"
          + system.settings().config().getString("pekko.management.http.port") + "): "
          + cause.getMessage(), cause);
    }
    return uri.port();
  }
}
