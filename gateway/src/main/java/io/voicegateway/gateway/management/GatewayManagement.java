package io.voicegateway.gateway.management;

import io.voicegateway.gateway.health.RedisProbe;
import io.voicegateway.gateway.warmup.NodeWarmUp;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What a gateway node hands to Pekko Management, which instantiates its route providers and
 * health checks by class name from configuration ({@link GatewayRouteProvider},
 * {@link RedisReadinessCheck}, {@link WarmUpReadinessCheck}): they find the node's routes, Redis
 * probe and warm-up here, one instance per actor system.
 */
public final class GatewayManagement implements Extension {

  private static final AbstractExtensionId<GatewayManagement> ID =
      new AbstractExtensionId<>() {
        @Override
        public GatewayManagement createExtension(ExtendedActorSystem system) {
          return new GatewayManagement();
        }
      };

  private volatile Route routes;
  private volatile Supplier<RedisProbe.Status> redis;
  private volatile Supplier<NodeWarmUp.Status> warmUp;

  private GatewayManagement() {}

  public static GatewayManagement get(ClassicActorSystemProvider system) {
    return ID.get(system);
  }

  void register(Route routes, Supplier<RedisProbe.Status> redis,
      Supplier<NodeWarmUp.Status> warmUp) {
    this.routes = routes;
    this.redis = redis;
    this.warmUp = warmUp;
  }

  /** The node's routes, or none when no gateway node runs in this actor system. */
  Route routes() {
    return routes;
  }

  /** The node's last Redis observation, or null when no gateway node runs here. */
  RedisProbe.Status redisStatus() {
    Supplier<RedisProbe.Status> r = redis;
    return r == null ? null : r.get();
  }

  /** The node's start-up warm-up, or null when no gateway node runs here. */
  NodeWarmUp.Status warmUpStatus() {
    Supplier<NodeWarmUp.Status> w = warmUp;
    return w == null ? null : w.get();
  }
}
