package io.voicegateway.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import io.voicegateway.gateway.ws.WebSocketSessionTest;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three gateway JVMs on loopback form one Pekko cluster behind nginx; a session through the load
 * balancer speaks; a node killed with SIGKILL is marked unreachable and downed by the split-brain
 * resolver of the surviving majority within the bounds of docs/ARCHITECTURE.md, "Cluster
 * timings" (asserted loosely here, as the machine is shared; the measured times are printed).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFormationIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int MOCK_FRAMES = 25;


  private static LocalCluster cluster;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(3, LocalCluster.logDir("ClusterFormationIT"), Duration.ofSeconds(180));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) cluster.close();
  }

  @Test
  @Order(1)
  void threeNodesFormOneCluster() {
    Set<String> all = Set.of(cluster.node(1).address(), cluster.node(2).address(),
        cluster.node(3).address());
    for (int i = 1; i <= 3; i++) {
      assertEquals(all, cluster.upMembersSeenBy(i), "members Up seen by gateway-" + i);
      assertTrue(cluster.log(i).contains("SBR started. Config: strategy [LeaseMajority],"
          + " stable-after [3 seconds]"), "the split-brain resolver of voicegw-cluster.conf");
    }
  }

  @Test
  @Order(2)
  void aSessionThroughTheLoadBalancerGetsSessionStartAnd440HzAudio() throws Exception {
    try (GatewayClient c = GatewayClient.connect(http, cluster.lbUri()).get(30, TimeUnit.SECONDS)) {
      ServerEvent.SessionStart start = c.expect(ServerEvent.SessionStart.class, WAIT);
      assertTrue(start.sessionId().startsWith("ws-"), start.toString());
      c.sendText("Hello, cluster.");
      List<ServerEvent> events = c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT);
      ByteArrayOutputStream pcm = new ByteArrayOutputStream();
      long expected = 1;
      for (ServerEvent e : events) {
        if (e instanceof ServerEvent.Audio a) {
          assertEquals(expected++, a.sequence());
          pcm.writeBytes(a.pcm());
        }
      }
      assertEquals(MOCK_FRAMES, expected - 1, "the mock tone's frames");
      double hz = WebSocketSessionTest.dominantFrequency(pcm.toByteArray(), 48_000);
      assertTrue(Math.abs(hz - 440) < 5, "the mock tone is 440 Hz, measured " + hz);
    }
  }

  @Test
  @Order(3)
  void aKilledNodeIsMarkedUnreachableAndDownedByTheSurvivors() throws Exception {
    int victim = 3;
    String address = Pattern.quote(cluster.node(victim).address());
    LocalTime killedAt = LocalTime.now();
    long killed = System.nanoTime();
    cluster.kill9(victim);
    assertTrue(cluster.node(victim).process().waitFor(10, TimeUnit.SECONDS), "killed");

    Optional<LocalCluster.LogEvent> unreachable = Optional.empty();
    Optional<LocalCluster.LogEvent> downed = Optional.empty();
    Optional<LocalCluster.LogEvent> removed = Optional.empty();
    long deadline = killed + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && (unreachable.isEmpty() || downed.isEmpty()
        || removed.isEmpty())) {
      unreachable = earliest(killedAt, "Marking node as UNREACHABLE \\[Member\\(" + address);
      // DownUnreachable, or AcquireLeaseAndDownUnreachable(0 days) with the lease strategy
      downed = earliest(killedAt, "SBR took decision \\w*DownUnreachable(?:\\([^)]*\\))?"
          + " and is downing \\[" + address + "\\]|Marking unreachable node \\[" + address
          + "\\] as \\[Down\\]");
      removed = earliest(killedAt, "Leader is removing unreachable node \\[" + address + "\\]");
      Thread.sleep(100);
    }
    assertTrue(unreachable.isPresent(), "no survivor marked gateway-3 unreachable within 20 s");
    assertTrue(downed.isPresent(), "the split-brain resolver did not down gateway-3 within 20 s");
    assertTrue(removed.isPresent(), "the leader did not remove gateway-3 within 20 s");

    double toUnreachable = seconds(killedAt, unreachable.get().at());
    double toDowned = seconds(killedAt, downed.get().at());
    double toRemoved = seconds(killedAt, removed.get().at());
    System.out.printf("cluster timings: kill -9 -> unreachable %.2f s (gateway-%d), -> downed"
        + " %.2f s (gateway-%d, SBR), -> removed %.2f s%n", toUnreachable,
        unreachable.get().node(), toDowned, downed.get().node(), toRemoved);
    System.out.println("  " + unreachable.get().line());
    System.out.println("  " + downed.get().line());
    System.out.println("  " + removed.get().line());
    assertTrue(toUnreachable <= toDowned && toDowned <= toRemoved, "in order");

    // The two survivors go on as a cluster of two, and serve sessions through the same URL.
    Set<String> survivors = Set.of(cluster.node(1).address(), cluster.node(2).address());
    long formed = System.nanoTime() + WAIT.toNanos();
    while (!(cluster.upMembersSeenBy(1).equals(survivors)
        && cluster.upMembersSeenBy(2).equals(survivors))) {
      assertTrue(System.nanoTime() < formed, "survivors see " + cluster.upMembersSeenBy(1));
      Thread.sleep(100);
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      try (GatewayClient c = GatewayClient.connect(http, cluster.lbUri()).get(30, TimeUnit.SECONDS)) {
        c.expect(ServerEvent.SessionStart.class, WAIT);
      }
    }
    assertFalse(cluster.node(victim).process().isAlive());
  }

  private static Optional<LocalCluster.LogEvent> earliest(LocalTime since, String regex) {
    Optional<LocalCluster.LogEvent> first = Optional.empty();
    for (int i = 1; i <= 2; i++) {
      Optional<LocalCluster.LogEvent> e = cluster.firstLogLine(i, regex, since);
      if (e.isPresent() && (first.isEmpty() || e.get().at().isBefore(first.get().at()))) {
        first = e;
      }
    }
    return first;
  }

  private static double seconds(LocalTime from, LocalTime to) {
    long nanos = Duration.between(from, to).toNanos();
    if (nanos < -TimeUnit.HOURS.toNanos(12)) nanos += TimeUnit.DAYS.toNanos(1); // past midnight
    return nanos / 1e9;
  }
}
