package io.voicegateway.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import io.voicegateway.gateway.health.GatewayMetrics;
import io.voicegateway.gateway.health.HealthRoutes;
import io.voicegateway.gateway.health.HealthServer;
import io.voicegateway.gateway.health.HealthSources;
import io.voicegateway.gateway.health.RedisProbe;
import io.voicegateway.gateway.livekit.LiveKitConnector;
import io.voicegateway.gateway.livekit.LiveKitTransport;
import io.voicegateway.gateway.management.ManagementServer;
import io.voicegateway.gateway.management.ManagementSettings;
import io.voicegateway.gateway.protocol.ClientMessageParser;
import io.voicegateway.gateway.protocol.ProtocolLimits;
import io.voicegateway.gateway.warmup.NodeWarmUp;
import io.voicegateway.gateway.warmup.WarmUpSettings;
import io.voicegateway.gateway.ws.ConnectorSettings;
import io.voicegateway.gateway.ws.GatewayRoutes;
import io.voicegateway.gateway.ws.WebSocketConnector;
import io.voicegateway.registry.RegistryMirror;
import io.voicegateway.registry.RegistrySettings;
import io.voicegateway.registry.WorkerDirectory;
import io.voicegateway.registry.WorkerSelector;
import io.voicegateway.registry.WorkerSnapshot;
import io.voicegateway.session.NodeLocalSharding;
import io.voicegateway.session.ResumeSettings;
import io.voicegateway.session.SessionServices;
import io.voicegateway.session.SessionSettings;
import io.voicegateway.session.TtsStreamSettings;
import io.voicegateway.session.TurnTakingSettings;
import io.voicegateway.session.VadSettings;
import io.voicegateway.session.WorkerClients;
import io.voicegateway.session.store.RedisSessionStore;
import io.voicegateway.session.store.SessionStore;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gateway node: its actor system (a cluster member; it joins itself when no seed
 * nodes are configured), the session shard region, the registry mirror and worker selector, the
 * shared gRPC clients toward workers, the WebSocket server and the health server.
 */
public final class GatewayNode {

  private static final Logger log = LoggerFactory.getLogger(GatewayNode.class);

  /** Every setting the node reads, validated before anything starts. */
  public record Settings(
      GatewaySettings gateway,
      ProtocolLimits protocol,
      ConnectorSettings websocket,
      RegistrySettings registry,
      SessionSettings session,
      ResumeSettings resume,
      TtsStreamSettings ttsStream,
      TurnTakingSettings turnTaking,
      VadSettings vad,
      WarmUpSettings warmUp,
      ManagementSettings management) {

    /**
     * @throws IllegalArgumentException naming the key that is wrong
     */
    public static Settings fromConfig(Config config) {
      return new Settings(GatewaySettings.fromConfig(config), ProtocolLimits.fromConfig(config),
          ConnectorSettings.fromConfig(config), RegistrySettings.fromConfig(config),
          SessionSettings.fromConfig(config), ResumeSettings.fromConfig(config),
          TtsStreamSettings.fromConfig(config), TurnTakingSettings.fromConfig(config),
          VadSettings.fromConfig(config), WarmUpSettings.fromConfig(config),
          ManagementSettings.fromConfig(config));
    }
  }

  private final ActorSystem<Void> system;
  private final Settings settings;
  private final GatewayMetrics metrics;
  private final WorkerSelector selector;
  private final ServerBinding wsBinding;
  private final ServerBinding healthBinding;
  private final int managementPort;
  private final Optional<LiveKitTransport> liveKit;

  private GatewayNode(ActorSystem<Void> system, Settings settings, GatewayMetrics metrics,
      WorkerSelector selector, ServerBinding wsBinding, ServerBinding healthBinding,
      int managementPort, Optional<LiveKitTransport> liveKit) {
    this.system = system;
    this.settings = settings;
    this.metrics = metrics;
    this.selector = selector;
    this.wsBinding = wsBinding;
    this.healthBinding = healthBinding;
    this.managementPort = managementPort;
    this.liveKit = liveKit;
  }

  /**
   * The environment variables of WIRE.md §5 and the node's ports. They win over a configuration
   * file, as operators of containers expect; unset ones change nothing.
   */
  private static final String ENVIRONMENT_OVERRIDES = """
      voicegw.redis.url = ${?REDIS_URL}
      voicegw.livekit.url = ${?LIVEKIT_URL}
      voicegw.livekit.api-key = ${?LIVEKIT_API_KEY}
      voicegw.livekit.api-secret = ${?LIVEKIT_API_SECRET}
      voicegw.livekit.public-url = ${?LIVEKIT_PUBLIC_URL}
      voicegw.gateway.ws-port = ${?GATEWAY_WS_PORT}
      voicegw.gateway.health-port = ${?GATEWAY_HEALTH_PORT}
      pekko.remote.artery.canonical.hostname = ${?GATEWAY_CLUSTER_HOST}
      pekko.remote.artery.canonical.port = ${?GATEWAY_CLUSTER_PORT}
      pekko.management.http.hostname = ${?GATEWAY_MANAGEMENT_HOST}
      pekko.management.http.port = ${?GATEWAY_MANAGEMENT_PORT}
      """;

  /** A seed node of this node's cluster: the actor system is always named {@code voicegw}. */
  private static final Pattern SEED_NODE =
      Pattern.compile("pekko://voicegw@(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5}");

  /**
   * {@code pekko.cluster.seed-nodes} from {@code GATEWAY_SEED_NODES}, a comma-separated list of
   * {@code pekko://voicegw@host:port} (HOCON's {@code ${?VAR}} cannot make a list of a string);
   * empty when the variable is unset or blank.
   *
   * @throws IllegalArgumentException naming the variable and the entry that is no seed address
   */
  static Config seedNodesFromEnvironment(String value) {
    List<String> seeds = new ArrayList<>();
    for (String entry : value == null ? new String[0] : value.split(",")) {
      String seed = entry.trim();
      if (seed.isEmpty()) continue;
      if (!SEED_NODE.matcher(seed).matches()) {
        throw new IllegalArgumentException("GATEWAY_SEED_NODES: '" + seed + "' is not a seed"
            + " node address (pekko://voicegw@host:port, comma-separated)");
      }
      seeds.add(seed);
    }
    return seeds.isEmpty() ? ConfigFactory.empty() : ConfigFactory.parseMap(
        Map.of("pekko.cluster.seed-nodes", seeds), "environment variable GATEWAY_SEED_NODES");
  }

  /**
   * The node's configuration: system properties, then the environment variables above, then
   * {@code overrides} (a user's file, a test's settings), then {@code voicegw-node.conf}, then
   * every module's {@code reference.conf}; resolved.
   *
   * @throws IllegalArgumentException naming a key under {@code voicegw} that no module defines (a
   *     typo would otherwise be ignored silently), or a value that cannot be resolved
   */
  public static Config loadConfig(Config overrides) {
    Config reference = ConfigFactory.defaultReference();
    // the node's own layer (with voicegw-cluster.conf) defines settings too: voicegw.cluster.*
    Config node = ConfigFactory.parseResources(GatewayNode.class.getClassLoader(),
        "voicegw-node.conf");
    for (Map.Entry<String, ConfigValue> e : overrides.entrySet()) {
      String key = e.getKey();
      if (key.startsWith("voicegw.") && !reference.hasPathOrNull(key)
          && !node.hasPathOrNull(key)) {
        throw new IllegalArgumentException(key + ": unknown setting (defined at "
            + e.getValue().origin().description() + "); the settings are listed in the"
            + " reference.conf of each module and in voicegw-cluster.conf");
      }
    }
    try {
      return ConfigFactory.systemProperties()
          .withFallback(ConfigFactory.parseString(ENVIRONMENT_OVERRIDES))
          .withFallback(seedNodesFromEnvironment(System.getenv("GATEWAY_SEED_NODES")))
          .withFallback(overrides)
          .withFallback(node)
          .withFallback(reference)
          .resolve();
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
    }
  }

  /**
   * Validates the settings, starts the node and waits until both ports are bound.
   *
   * @param config the whole configuration, as {@link #loadConfig} makes it
   * @throws IllegalArgumentException for a wrong setting (nothing was started)
   * @throws IllegalStateException when a port cannot be bound (the node is stopped again)
   */
  public static GatewayNode start(Config config) {
    Settings settings = Settings.fromConfig(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "voicegw", config);
    try {
      return wire(system, settings);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  private static GatewayNode wire(ActorSystem<Void> system, Settings settings) {
    Cluster cluster = Cluster.get(system);
    if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address())); // a one-node cluster
    }

    GatewayMetrics metrics = new GatewayMetrics();
    WorkerDirectory directory = new WorkerDirectory();
    ActorRef<RegistryMirror.Command> mirror = system.systemActorOf(
        RegistryMirror.create(settings.registry(), directory), "registry-mirror", Props.empty());
    WorkerSelector selector = new WorkerSelector(directory, settings.registry());
    WorkerClients clients = new WorkerClients(system, settings.ttsStream());
    // connections to every fresh worker the registry shows, opened before a session needs one:
    // a session's first utterance through a new worker does not wait for them
    mirror.tell(new RegistryMirror.Subscribe(system.systemActorOf(
        Behaviors.<WorkerSnapshot>receiveMessage(snapshot -> {
          snapshot.workers().values().stream().filter(selector::isFresh)
              .forEach(clients::preconnect);
          return Behaviors.same();
        }), "worker-preconnect", Props.empty())));
    SessionStore store = SessionStore.NONE;
    if (settings.resume().enabled()) {
      RedisSessionStore redisStore =
          new RedisSessionStore(settings.registry(), settings.resume().keyPrefix());
      store = redisStore;
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-session-store", () -> {
            redisStore.close();
            return CompletableFuture.completedFuture(Done.getInstance());
          });
    }
    int shardsPerNode = settings.resume().shardsPerNode();
    NodeVad vad = new NodeVad(settings.vad(), metrics);
    CoordinatedShutdown.get(system).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-vad-runner", () -> {
          vad.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    NodeLocalSharding.init(system, new SessionServices(selector, clients, mirror,
        settings.ttsStream(), settings.session(), metrics, metrics, store, settings.resume(),
        settings.turnTaking(), vad::get), shardsPerNode);
    // The VAD model loads once per JVM (about 0.2 s): at start-up, not at a user's first word.
    CompletableFuture.runAsync(() -> {
      try {
        vad.get();
      } catch (RuntimeException e) {
        system.log().error("the voice activity model did not load: sessions cannot hear their"
            + " users: {}", e.toString());
      }
    });
    // every shard of this node allocated once it is Up: new sessions and resumes never wait for
    // the shard coordinator (which may be on a node that just died)
    org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))
        .registerOnMemberUp(() -> NodeLocalSharding.warmUp(system, shardsPerNode));

    RedisProbe redis = new RedisProbe(system, settings.registry(),
        settings.gateway().redisProbeInterval());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "close-redis-probe", () -> {
          redis.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    // the loopback sessions need the bound WebSocket port: created once it is bound, below
    AtomicReference<NodeWarmUp> warmUpRef = new AtomicReference<>();
    Supplier<NodeWarmUp.Status> warmUpStatus = () -> warmUpRef.get() == null
        ? new NodeWarmUp.Status(false, "warming up: the WebSocket port is not bound yet")
        : warmUpRef.get().status();
    HealthSources sources = new HealthSources() {
      @Override
      public RedisProbe.Status redis() {
        return redis.status();
      }

      @Override
      public int workersKnown() {
        return directory.snapshot().size();
      }

      @Override
      public int workersHealthy() {
        return selector.freshWorkers();
      }

      @Override
      public int activeSessions() {
        return metrics.activeSessions();
      }

      @Override
      public String clusterMemberStatus() {
        return cluster.selfMember().status().toString();
      }

      @Override
      public NodeWarmUp.Status warmUp() {
        return warmUpStatus.get();
      }
    };

    WebSocketConnector.Context context = new WebSocketConnector.Context(system,
        ClusterSharding.get(system), new ClientMessageParser(settings.protocol()),
        settings.websocket(), metrics, ConcurrentHashMap.newKeySet(), store,
        NodeLocalSharding.nodeTag(system), settings.turnTaking());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "end-client-sessions", () -> WebSocketConnector.endAll(context, Duration.ofSeconds(3)));
    GatewaySettings g = settings.gateway();
    // LiveKit rooms beside WebSocket connections, into the same session entities
    SessionStore sessionStore = store;
    Optional<LiveKitTransport> liveKit = g.liveKit().map(lk -> LiveKitTransport.start(system, lk,
        settings.registry(), parts -> new LiveKitConnector.Context(system, context.sharding(),
            context.parser(), settings.websocket().rateLimitedReplyInterval(), metrics,
            sessionStore, context.nodeTag(), settings.turnTaking(), lk, parts.tokens(),
            parts.leases(), parts.router())));
    CompletionStage<ServerBinding> ws = Http.get(system).newServerAt(g.host(), g.wsPort())
        .bind(new GatewayRoutes(context, g.webRoot(), liveKit.map(LiveKitTransport::routes))
            .routes())
        .thenApply(b -> b.addToCoordinatedShutdown(Duration.ofSeconds(5), system));
    CompletionStage<ServerBinding> health = HealthServer.bind(system, g.host(), g.healthPort(),
        new HealthRoutes(sources, metrics));
    ServerBinding wsBinding = await(ws, "voicegw.gateway.ws-port", g.wsPort());
    ServerBinding healthBinding = await(health, "voicegw.gateway.health-port", g.healthPort());
    NodeWarmUp warmUp = new NodeWarmUp(settings.warmUp(),
        URI.create("ws://" + loopbackTo(g.host()) + ":" + wsBinding.localAddress().getPort() + "/"),
        selector::freshWorkers);
    warmUpRef.set(warmUp);
    org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))
        .registerOnMemberUp(warmUp::start);
    int managementPort = ManagementServer.start(system, settings.management(),
        new ManagementServer.Sources(directory,
        selector, settings.registry().maxHeartbeatAge(), redis::status, warmUpStatus));
    log.info("gateway node up: WebSocket on {}:{}, health on {}:{}, management on port {},"
        + " Redis at {}:{}", g.host(), wsBinding.localAddress().getPort(), g.host(),
        healthBinding.localAddress().getPort(), managementPort,
        settings.registry().redisUri().getHost(), settings.registry().redisUri().getPort());
    return new GatewayNode(system, settings, metrics, selector, wsBinding, healthBinding,
        managementPort, liveKit);
  }

  /** The address a loopback client dials for a server bound to {@code host}. */
  private static String loopbackTo(String host) {
    if (host.equals("0.0.0.0") || host.isEmpty()) return "127.0.0.1";
    if (host.equals("::") || host.equals("[::]")) return "[::1]";
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private static ServerBinding await(CompletionStage<ServerBinding> binding, String key, int port) {
    try {
      return binding.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot bind " + key + " (" + port + "): "
          + cause.getMessage(), cause);
    }
  }

  /** The bound WebSocket port (useful when configured as 0). */
  public int wsPort() {
    return wsBinding.localAddress().getPort();
  }

  /** The bound health port (useful when configured as 0). */
  public int healthPort() {
    return healthBinding.localAddress().getPort();
  }

  /** The bound Pekko Management port (useful when configured as 0). */
  public int managementPort() {
    return managementPort;
  }

  /** The LiveKit transport, when {@code voicegw.livekit.url} is set. */
  public Optional<LiveKitTransport> liveKit() {
    return liveKit;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Settings settings() {
    return settings;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public WorkerSelector selector() {
    return selector;
  }

  /**
   * Stops the node through CoordinatedShutdown: ports unbound, sessions ended (their clients get
   * {@code session_end}), the system terminated.
   */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
  }
}
