package io.voicegateway.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.voicegateway.registry.LocalRedisServer;
import io.voicegateway.worker.TtsWorker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real parts on loopback: a Redis server with keyspace notifications, TTS workers that
 * register in it, and a gateway node on free ports. Close it to stop everything.
 */
public final class GatewayFixture implements AutoCloseable {

  public static final Duration WAIT = Duration.ofSeconds(30);

  public final LocalRedisServer redis;
  public volatile GatewayNode gateway;
  private final Config overrides;
  private final List<TtsWorker> workers = new ArrayList<>();

  private GatewayFixture(LocalRedisServer redis, Config overrides, GatewayNode gateway) {
    this.redis = redis;
    this.overrides = overrides;
    this.gateway = gateway;
  }

  /** Redis, one worker offering {@code workerModel} by default, and a gateway with {@code hocon}. */
  public static GatewayFixture start(String workerModel, String gatewayHocon) {
    GatewayFixture f = startWithoutWorker(gatewayHocon);
    f.startWorker(workerModel);
    return f;
  }

  /** Redis and a gateway; no worker registered. */
  public static GatewayFixture startWithoutWorker(String gatewayHocon) {
    LocalRedisServer redis =
        LocalRedisServer.start(LocalRedisServer.Options.DEFAULT.withKeyspaceNotifications());
    try {
      Config overrides = ConfigFactory.parseString(gatewayHocon)
          .withFallback(ConfigFactory.parseString("""
              voicegw.gateway { host = 127.0.0.1, ws-port = 0, health-port = 0 }
              # tests count their own sessions and utterances (WarmUpTest tests the warm-up)
              voicegw.gateway.warm-up.utterances = 0
              voicegw.redis.url = "%s"
              voicegw.registry.resync-interval = 1s
              pekko.remote.artery.canonical.port = 0
              pekko.management.http { hostname = "127.0.0.1", port = 0 }
              """.formatted(redis.uri())));
      return new GatewayFixture(redis, overrides,
          GatewayNode.start(GatewayNode.loadConfig(overrides)));
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  /**
   * Stops the gateway node (its sessions end with {@code shutdown}) and starts a new one on the
   * same ports, as an operator restarting it would.
   */
  public void restartGateway() throws Exception {
    int ws = gateway.wsPort();
    int health = gateway.healthPort();
    gateway.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    gateway = GatewayNode.start(GatewayNode.loadConfig(ConfigFactory.parseString(
        "voicegw.gateway { ws-port = " + ws + ", health-port = " + health + " }")
        .withFallback(overrides)));
  }

  /**
   * Starts another gateway node with this fixture's settings, joined to the fixture's node (its
   * seed), on free ports; waits until both see a cluster of all members Up. The caller stops it.
   */
  public GatewayNode startJoiningNode() {
    int seedPort = org.apache.pekko.cluster.typed.Cluster.get(gateway.system()).selfMember()
        .address().getPort().get();
    GatewayNode node = GatewayNode.start(GatewayNode.loadConfig(ConfigFactory.parseString(
            "pekko.cluster.seed-nodes = [\"pekko://voicegw@127.0.0.1:" + seedPort + "\"]")
        .withFallback(overrides)));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!allUp(node) || !allUp(gateway)) {
      if (System.nanoTime() > deadline) {
        node.stop();
        throw new AssertionError("the second node did not join within " + WAIT);
      }
      sleep(50);
    }
    return node;
  }

  private static boolean allUp(GatewayNode node) {
    var state = org.apache.pekko.cluster.typed.Cluster.get(node.system()).state();
    int up = 0;
    for (var m : state.getMembers()) {
      if (m.status() == org.apache.pekko.cluster.MemberStatus.up()) up++;
    }
    return up >= 2 && state.getUnreachable().isEmpty();
  }

  /** Starts a worker registered in this fixture's Redis; it serves {@code defaultModel}. */
  public TtsWorker startWorker(String defaultModel) {
    Config config = ConfigFactory.parseString("""
            voicegw.worker { host = 127.0.0.1, port = %d, advertise-host = 127.0.0.1,
              default-model = "%s", register = on, warm-up-utterances = 0 }
            voicegw.redis.url = "%s"
            voicegw.registry.heartbeat-interval = 1s
            """.formatted(freePort(), defaultModel, redis.uri()))
        .withFallback(ConfigFactory.load())
        .resolve();
    TtsWorker worker = TtsWorker.start(config).toCompletableFuture().join();
    synchronized (workers) {
      workers.add(worker);
    }
    return worker;
  }

  /** The WebSocket URL of the gateway, with an optional query ("" for none). */
  public URI wsUri(String pathAndQuery) {
    return URI.create("ws://127.0.0.1:" + gateway.wsPort() + "/" + pathAndQuery);
  }

  public URI healthUri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.healthPort() + path);
  }

  /** A URL on the gateway's Pekko Management port (bound to an ephemeral port on loopback). */
  public URI managementUri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + gateway.managementPort() + pathAndQuery);
  }

  /** Blocks until the gateway's selector sees {@code n} workers with a fresh heartbeat. */
  public void awaitWorkers(int n) {
    awaitWorkers(n, WAIT);
  }

  /** As {@link #awaitWorkers(int)}, waiting up to {@code timeout} (worker JVMs start slowly). */
  public void awaitWorkers(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (gateway.selector().freshWorkers() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the gateway saw " + gateway.selector().freshWorkers()
            + " workers, expected " + n);
      }
      sleep(20);
    }
  }

  /**
   * {@code n} distinct free ports on loopback, chosen below the kernel's ephemeral port range.
   * A port chosen ahead (for a node started later) stays free only until somebody binds it: any
   * socket bound to port 0 or any outgoing connection takes its local port from the ephemeral
   * range, and once took a management port chosen here, so the node failed to start (a
   * LiveKitFailoverIT run: the bridge's gRPC server had it). Below that range only another port
   * chosen ahead can take it, and this JVM hands each out once.
   */
  public static synchronized java.util.Deque<Integer> freePorts(int n) {
    java.util.Deque<Integer> ports = new java.util.ArrayDeque<>();
    while (ports.size() < n) ports.add(nextFreePort());
    return ports;
  }

  public static int freePort() {
    return freePorts(1).getFirst();
  }

  private static final int[] EPHEMERAL = ephemeralRange();
  private static final int PICK_FROM = 10_000;
  private static int nextPick = -1;

  private static int nextFreePort() {
    int below = EPHEMERAL[0];
    if (below - PICK_FROM < 1_000) return systemChosenPort(); // no room below the range
    if (nextPick < 0) {
      // processes of one run start at different places, so they rarely try the same ports
      nextPick = PICK_FROM + new java.util.Random().nextInt(below - PICK_FROM);
    }
    for (int tries = 0; tries < below - PICK_FROM; tries++) {
      int port = nextPick++;
      if (nextPick >= below) nextPick = PICK_FROM;
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException inUse) {
        // taken: the next one
      }
    }
    return systemChosenPort();
  }

  private static int systemChosenPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The kernel's ephemeral port range (Linux), or the IANA one elsewhere. */
  private static int[] ephemeralRange() {
    try {
      String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
          .trim().split("\\s+");
      return new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[1])};
    } catch (IOException | RuntimeException e) {
      return new int[] {49_152, 65_535};
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      gateway.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("gateway did not stop", e);
    } finally {
      synchronized (workers) {
        for (TtsWorker w : workers) w.shutdown().toCompletableFuture().join();
      }
      redis.close();
    }
  }
}
