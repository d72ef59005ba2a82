package io.voicegateway.gateway.management;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * Contributes the gateway's routes ({@link ManagementRoutes}) to the Pekko Management endpoint;
 * named in {@code pekko.management.http.routes.voicegw} (reference.conf), instantiated by Pekko
 * Management with the actor system.
 */
public final class GatewayRouteProvider implements ManagementRouteProvider {

  private final ExtendedActorSystem system;

  public GatewayRouteProvider(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    Route routes = GatewayManagement.get(system).routes();
    if (routes == null) {
      throw new IllegalStateException("Pekko Management started before the gateway node registered"
          + " its routes (ManagementServer.start)");
    }
    return routes;
  }
}
