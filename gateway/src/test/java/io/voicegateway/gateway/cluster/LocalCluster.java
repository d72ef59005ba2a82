package io.voicegateway.gateway.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.registry.LocalRedisServer;
import io.voicegateway.worker.TtsWorker;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real cluster on loopback for integration tests ({@code *IT}, after {@code mvn package}): a
 * Redis server, a mock tone worker ({@code mock-440hz}, in this JVM), N gateway nodes as their own
 * JVMs ({@code ./voicegw gateway}, as an operator runs them) on free ports, and nginx in front,
 * configured from {@code deploy/nginx} exactly as {@code ./voicegw cluster up} does. Nodes are
 * numbered from 1. Close it to stop everything.
 */
public final class LocalCluster implements AutoCloseable {

  /** One gateway node's process and ports. */
  public record Node(int index, Process process, int wsPort, int healthPort, int clusterPort,
      int managementPort, Path log) {

    public long pid() {
      return process.pid();
    }

    /** Its address in the cluster, as Pekko logs it. */
    public String address() {
      return "pekko://voicegw@127.0.0.1:" + clusterPort;
    }

    public URI wsUri() {
      return URI.create("ws://127.0.0.1:" + wsPort + "/");
    }

    public URI managementUri(String path) {
      return URI.create("http://127.0.0.1:" + managementPort + path);
    }
  }

  /** When a node's log says something, by the log line's clock (HH:mm:ss.SSS, local time). */
  public record LogEvent(int node, LocalTime at, String line) {}

  private static final File ROOT = new File(System.getProperty("voicegw.root", ".."));
  private static final Pattern LOG_TIME = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) ");
  private static final Pattern LEADER_MOVED_UP =
      Pattern.compile("Leader is moving node \\[(pekko://voicegw@[^\\]]+)\\] to \\[Up\\]");
  private static final Pattern GONE = Pattern.compile(
      "(?:Marking unreachable node \\[|Leader is removing (?:unreachable|confirmed Exiting) node"
          + " \\[)(pekko://voicegw@[^\\]]+)\\]");

  public final LocalRedisServer redis;
  public final TtsWorker worker;
  private final List<Node> nodes;
  private final Process nginx;
  private final int lbPort;
  private final Path dir;
  private final Map<String, String> env;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private LocalCluster(LocalRedisServer redis, TtsWorker worker, List<Node> nodes, Process nginx,
      int lbPort, Path dir, Map<String, String> env) {
    this.env = env;
    this.redis = redis;
    this.worker = worker;
    this.nodes = nodes;
    this.nginx = nginx;
    this.lbPort = lbPort;
    this.dir = dir;
  }

  /**
   * Starts everything and waits until every node is ready and sees {@code n} members Up.
   *
   * @param dir where the nodes' logs and nginx's files go
   */
  public static LocalCluster start(int n, Path dir, Duration timeout) throws Exception {
    return start(n, dir, timeout, Map.of());
  }

  /** As {@link #start(int, Path, Duration)}, with extra environment variables for every node. */
  public static LocalCluster start(int n, Path dir, Duration timeout, Map<String, String> env)
      throws Exception {
    LocalRedisServer redis =
        LocalRedisServer.start(LocalRedisServer.Options.DEFAULT.withKeyspaceNotifications());
    TtsWorker worker = null;
    List<Node> nodes = new ArrayList<>();
    Process nginx = null;
    try {
      worker = startToneWorker(redis.uri());
      List<Integer> clusterPorts = new ArrayList<>();
      // every port of the cluster at once: ports picked one by one can repeat
      java.util.Deque<Integer> ports = GatewayFixture.freePorts(4 * n + 1);
      for (int i = 0; i < n; i++) clusterPorts.add(ports.pop());
      String seeds = String.join(",", clusterPorts.stream().limit(3)
          .map(p -> "pekko://voicegw@127.0.0.1:" + p).toList());
      for (int i = 1; i <= n; i++) {
        nodes.add(startNode(i, ports.pop(), ports.pop(), clusterPorts.get(i - 1), ports.pop(),
            seeds, redis.uri(), dir, env));
      }
      int lbPort = ports.pop();
      nginx = startNginx(dir.resolve("nginx"), lbPort, nodes);
      LocalCluster cluster = new LocalCluster(redis, worker, nodes, nginx, lbPort, dir, env);
      cluster.awaitFormed(n, timeout);
      return cluster;
    } catch (Exception | Error e) {
      for (Node node : nodes) node.process().destroyForcibly();
      if (nginx != null) nginx.destroyForcibly();
      if (worker != null) worker.shutdown().toCompletableFuture().join();
      redis.close();
      throw e;
    }
  }

  private static TtsWorker startToneWorker(String redisUri) {
    Config config = ConfigFactory.parseString("""
            voicegw.worker { host = 127.0.0.1, port = %d, advertise-host = 127.0.0.1,
              default-model = "mock-440hz", register = on, name = "cluster-it-worker",
              warm-up-utterances = 0 }
            voicegw.redis.url = "%s"
            voicegw.registry.heartbeat-interval = 1s
            """.formatted(GatewayFixture.freePort(), redisUri))
        .withFallback(ConfigFactory.load())
        .resolve();
    return TtsWorker.start(config).toCompletableFuture().join();
  }

  private static Node startNode(int i, int ws, int health, int clusterPort, int management,
      String seeds, String redisUri, Path dir, Map<String, String> env) throws IOException {
    Path config = dir.resolve("node-" + i + ".conf");
    Files.writeString(config, "voicegw.gateway.host = \"127.0.0.1\"\n"
        + "voicegw.gateway.warm-up.utterances = 0\n" // the ITs count sessions and utterances
        + "voicegw.registry.resync-interval = 1s\n");
    Path log = dir.resolve("gateway-" + i + ".log");
    ProcessBuilder pb = new ProcessBuilder(new File(ROOT, "voicegw").getAbsolutePath(),
        "gateway", "--config", config.toString()).directory(ROOT)
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC");
    pb.environment().put("GATEWAY_WS_PORT", "" + ws);
    pb.environment().put("GATEWAY_HEALTH_PORT", "" + health);
    pb.environment().put("GATEWAY_CLUSTER_HOST", "127.0.0.1");
    pb.environment().put("GATEWAY_CLUSTER_PORT", "" + clusterPort);
    pb.environment().put("GATEWAY_MANAGEMENT_HOST", "127.0.0.1");
    pb.environment().put("GATEWAY_MANAGEMENT_PORT", "" + management);
    pb.environment().put("GATEWAY_SEED_NODES", seeds);
    pb.environment().put("REDIS_URL", redisUri);
    pb.environment().putAll(env);
    // ./voicegw execs java: the process is the node's JVM, its pid the JVM's
    return new Node(i, pb.start(), ws, health, clusterPort, management, log);
  }

  private static Process startNginx(Path state, int port, List<Node> nodes) throws Exception {
    Files.createDirectories(state);
    List<String> render = new ArrayList<>(List.of(
        new File(ROOT, "deploy/nginx/render.sh").getAbsolutePath(), state.toString(),
        "127.0.0.1:" + port));
    for (Node node : nodes) render.add("127.0.0.1:" + node.wsPort());
    Path conf = state.resolve("nginx.conf");
    Process r = new ProcessBuilder(render).redirectOutput(conf.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    if (!r.waitFor(30, TimeUnit.SECONDS) || r.exitValue() != 0) {
      throw new IllegalStateException("deploy/nginx/render.sh failed");
    }
    String binary = new File("/usr/sbin/nginx").canExecute() ? "/usr/sbin/nginx" : "nginx";
    return new ProcessBuilder(binary, "-p", state.toString(), "-c", conf.toString(), "-e",
        state.resolve("error.log").toString()).redirectErrorStream(true)
        .redirectOutput(state.resolve("nginx.out").toFile()).start();
  }

  /**
   * A fresh directory for a test's cluster under {@code target/cluster-logs/}: the nodes' logs
   * stay there after the test, for whoever has to find out why it failed.
   */
  public static Path logDir(String test) throws IOException {
    Path dir = Path.of("target", "cluster-logs", test).toAbsolutePath();
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return Files.createDirectories(dir);
  }

  /**
   * Starts node {@code i} again after it exited: a new incarnation on the same ports, joining
   * the others (its log file starts over).
   */
  public void restart(int i) throws IOException {
    Node old = node(i);
    if (old.process().isAlive()) throw new IllegalStateException("gateway-" + i + " still runs");
    String seeds = String.join(",", nodes.stream().limit(3).map(Node::address).toList());
    nodes.set(i - 1, startNode(i, old.wsPort(), old.healthPort(), old.clusterPort(),
        old.managementPort(), seeds, redis.uri(), dir, env));
  }

  public int size() {
    return nodes.size();
  }

  /** Node {@code i}, from 1. */
  public Node node(int i) {
    return nodes.get(i - 1);
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** The load balancer's WebSocket URL. */
  public URI lbUri() {
    return URI.create("ws://127.0.0.1:" + lbPort + "/");
  }

  public Path dir() {
    return dir;
  }

  public void kill9(int i) {
    signal(i, "KILL");
  }

  public void sigstop(int i) {
    signal(i, "STOP");
  }

  public void sigcont(int i) {
    signal(i, "CONT");
  }

  /** SIGTERM: the node leaves the cluster gracefully (CoordinatedShutdown). */
  public void sigterm(int i) {
    signal(i, "TERM");
  }

  private void signal(int i, String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, "" + node(i).pid()).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + node(i).pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Node {@code i}'s output so far. */
  public String log(int i) {
    try {
      return Files.readString(node(i).log());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Node {@code i}'s {@code /readiness} answers 200. */
  public boolean ready(int i) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + node(i).healthPort() + "/readiness"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * The addresses node {@code i} counts as Up members. Through Pekko Management's standard
   * {@code GET /cluster/members} when the node serves it; until the management routes exist,
   * from the logs: the members the leader moved to Up and no log reports downed or removed,
   * provided node {@code i} itself has joined. (Non-leaders log no membership changes; gossip
   * brings them the leader's view within a gossip interval or two.)
   */
  public Set<String> upMembersSeenBy(int i) {
    Optional<String> members = managementMembers(i);
    if (members.isPresent()) {
      Set<String> up = new HashSet<>();
      Matcher m = Pattern.compile("\"node\"\\s*:\\s*\"([^\"]+)\"[^}]*?\"status\"\\s*:\\s*\"Up\"")
          .matcher(members.get());
      while (m.find()) up.add(m.group(1));
      return up;
    }
    String own = log(i);
    if (!own.contains("Welcome from [") && !own.contains("is JOINING itself")) return Set.of();
    Set<String> up = new HashSet<>();
    Set<String> gone = new HashSet<>();
    for (int j = 1; j <= size(); j++) {
      String log = log(j);
      Matcher m = LEADER_MOVED_UP.matcher(log);
      while (m.find()) up.add(m.group(1));
      Matcher g = GONE.matcher(log);
      while (g.find()) gone.add(g.group(1));
    }
    up.removeAll(gone);
    return up;
  }

  private Optional<String> managementMembers(int i) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(node(i).managementUri(
          "/cluster/members")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Blocks until every node is ready and sees {@code n} members Up. */
  public void awaitFormed(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 1; i <= size(); i++) {
      while (!(ready(i) && upMembersSeenBy(i).size() == n)) {
        if (!node(i).process().isAlive()) {
          throw new AssertionError("gateway-" + i + " exited: " + log(i));
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("gateway-" + i + " did not see " + n + " members Up within "
              + timeout.toSeconds() + " s (it sees " + upMembersSeenBy(i) + ")");
        }
        Thread.sleep(200);
      }
    }
  }

  /**
   * The first line in node {@code observer}'s log, at or after {@code since}, matching
   * {@code regex}; log lines carry the time of day (local time, milliseconds).
   */
  public Optional<LogEvent> firstLogLine(int observer, String regex, LocalTime since) {
    Pattern p = Pattern.compile(regex);
    for (String line : log(observer).split("\n")) {
      Matcher t = LOG_TIME.matcher(line);
      if (!t.find() || !p.matcher(line).find()) continue;
      LocalTime at = LocalTime.parse(t.group(1));
      if (!at.isBefore(since.withNano(since.getNano() / 1_000_000 * 1_000_000))) {
        return Optional.of(new LogEvent(observer, at, line));
      }
    }
    return Optional.empty();
  }

  /** Stops the nodes (SIGTERM, youngest first, SIGKILL after 20 s), nginx, the worker, Redis. */
  @Override
  public void close() {
    try {
      for (int i = size(); i >= 1; i--) {
        Process p = node(i).process();
        if (!p.isAlive()) continue;
        try {
          sigcont(i); // a stopped JVM cannot handle SIGTERM
        } catch (RuntimeException e) {
          // it exited meanwhile
        }
        p.destroy();
        try {
          if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          p.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    } finally {
      nginx.destroy();
      try {
        if (!nginx.waitFor(10, TimeUnit.SECONDS)) nginx.destroyForcibly();
      } catch (InterruptedException e) {
        nginx.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      worker.shutdown().toCompletableFuture().join();
      redis.close();
    }
  }
}
