package io.voicegateway.gateway.livekit;

import com.typesafe.config.ConfigFactory;
import io.livekit.server.RoomServiceClient;
import io.voicegateway.bridge.v1.LiveKitBridgeHandlerFactory;
import io.voicegateway.registry.RegistrySettings;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LiveKit transport of one node (DESIGN.md: LiveKit connector, livekit-bridge): the bridge's
 * gRPC server on loopback, the supervised bridge process, the room dispatcher with its leases,
 * and the HTTP routes. Started only when {@code voicegw.livekit.url} is set; runs beside the
 * WebSocket transport, both feeding the same session entities.
 */
public final class LiveKitTransport {

  private static final Logger log = LoggerFactory.getLogger(LiveKitTransport.class);

  private final ActorSystem<?> system;
  private final ActorRef<RoomDispatcher.Command> dispatcher;
  private final LiveKitRoutes routes;
  private final int bridgePort;

  private LiveKitTransport(ActorSystem<?> system, ActorRef<RoomDispatcher.Command> dispatcher,
      LiveKitRoutes routes, int bridgePort) {
    this.system = system;
    this.dispatcher = dispatcher;
    this.routes = routes;
    this.bridgePort = bridgePort;
  }

  /**
   * Starts the transport.
   *
   * @param connectors what the node's room connectors share (minus the parts made here)
   * @throws IllegalStateException when the bridge's gRPC server cannot be bound
   */
  public static LiveKitTransport start(ActorSystem<?> system, LiveKitSettings settings,
      RegistrySettings redis, java.util.function.Function<Parts, LiveKitConnector.Context> connectors) {
    LiveKitTokens tokens = new LiveKitTokens(settings);
    RoomLeases leases = new RoomLeases(redis, settings.keyPrefix(), settings.leaseTtl());
    BridgeRouter router = new BridgeRouter();
    LiveKitConnector.Context context = connectors.apply(new Parts(tokens, leases, router));
    RoomServiceClient roomService = RoomServiceClient.createClient(settings.apiUrl(),
        settings.apiKey(), settings.apiSecret());
    ActorRef<RoomDispatcher.Command> dispatcher = system.systemActorOf(
        RoomDispatcher.create(context, roomService,
            system.dispatchers().lookup(DispatcherSelector.blocking())),
        "livekit-rooms", Props.empty());

    AtomicReference<String> bridgeToken = new AtomicReference<>();
    ActorRef<BridgeSupervisor.Command> supervisor = system.systemActorOf(
        BridgeSupervisor.create(settings.bridge(), bridgeToken, dispatcher),
        "livekit-bridge", Props.empty());
    BridgeService service = new BridgeService(Materializer.matFromSystem(system), router,
        supervisor, bridgeToken::get);
    // gRPC needs HTTP/2: switched on for this loopback binding only, not for the client port
    ServerSettings http2 = ServerSettings.create(ConfigFactory
        .parseString("pekko.http.server.enable-http2 = on")
        .withFallback(system.settings().config()));
    ServerBinding binding;
    try {
      binding = Http.get(system).newServerAt("127.0.0.1", 0).withSettings(http2)
          .bind(LiveKitBridgeHandlerFactory.create(service, system))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot bind the LiveKit bridge's gRPC server on"
          + " 127.0.0.1: " + e.getMessage(), e);
    }
    int port = binding.localAddress().getPort();
    supervisor.tell(new BridgeSupervisor.Bound(port));

    LiveKitTransport transport = new LiveKitTransport(system, dispatcher,
        new LiveKitRoutes(settings, tokens, dispatcher), port);
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "leave-livekit-rooms",
        () -> transport.leaveRooms(Duration.ofSeconds(3)));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "stop-livekit-bridge",
        () -> AskPattern.<BridgeSupervisor.Command, Boolean>ask(supervisor,
                BridgeSupervisor.Stop::new, Duration.ofSeconds(5), system.scheduler())
            .handle((ok, error) -> {
              leases.close();
              binding.unbind();
              return Done.getInstance();
            }));
    log.info("LiveKit transport on: server {}, rooms {}, bridge gRPC on 127.0.0.1:{}",
        settings.bridgeUrl(), settings.roomPrefixes(), port);
    return transport;
  }

  /** What {@link #start} makes for the connectors' context. */
  public record Parts(LiveKitTokens tokens, RoomLeases leases, BridgeRouter router) {}

  /** {@code POST /api/connection-details} and {@code POST /livekit/webhook}. */
  public Route routes() {
    return routes.routes();
  }

  /** The port of the bridge's gRPC server on 127.0.0.1. */
  public int bridgePort() {
    return bridgePort;
  }

  /** The rooms this node serves now. */
  public CompletionStage<Set<String>> servedRooms() {
    return AskPattern.ask(dispatcher, RoomDispatcher.GetServed::new, Duration.ofSeconds(3),
        system.scheduler());
  }

  /** Node shutdown: every room is given up (its session stays resumable for the next node). */
  private CompletionStage<Done> leaveRooms(Duration deadline) {
    return AskPattern.<RoomDispatcher.Command, Boolean>ask(dispatcher,
            RoomDispatcher.Shutdown::new, deadline, system.scheduler())
        .handle((ok, error) -> Done.getInstance());
  }
}
