package io.voicegateway.gateway.management;

import io.voicegateway.gateway.health.RedisProbe;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What a gateway node hands to Pekko Management, which instantiates its route providers and
 * health checks by class name from configuration ({@link GatewayRouteProvider},
 * {@link RedisReadinessCheck}): they find the node's routes and Redis probe here, one instance
 * per actor system.
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

  private GatewayManagement() {}

  public static GatewayManagement get(ClassicActorSystemProvider system) {
    return ID.get(system);
  }

  void register(Route routes, Supplier<RedisProbe.Status> redis) {
    this.routes = routes;
    this.redis = redis;
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
}
