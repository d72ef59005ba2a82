package io.voicegateway.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.client.ResumingClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 4's node failure, on three gateway JVMs behind nginx: {@code kill -9} of the oldest node
 * (it runs the shard coordinator) while 30 sessions speak. Every affected client reconnects
 * through nginx and resumes on a survivor; no utterance is lost or spoken twice, no frame is
 * missing or repeated. Then SIGTERM of a second node: its clients get {@code session_end}
 * {@code node_shutdown} with {@code resumable} and resume on the last node. Time bounds are
 * loose (a shared 2-core machine); the measured numbers are printed, and the benchmark in
 * docs/BENCHMARKS.md has the precise ones.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeFailureIT {

  private static final int TONE_FRAMES = 25;
  private static final Duration DONE_WITHIN = Duration.ofSeconds(90);


  private static LocalCluster cluster;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(3, LocalCluster.logDir("NodeFailureIT"), Duration.ofSeconds(180));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) cluster.close();
  }

  @Test
  @Order(1)
  void killNineOfANodeWithThirtySessionsLosesAndRepeatsNothing() throws Exception {
    List<ResumingClient> clients = open(30);
    try {
      for (ResumingClient c : clients) {
        for (int t = 1; t <= 6; t++) c.say("t" + t, "text " + t + " of " + c.sessionId());
      }
      Thread.sleep(1_200); // everyone is speaking
      long killed = System.nanoTime();
      cluster.kill9(1);
      assertTrue(cluster.node(1).process().waitFor(10, TimeUnit.SECONDS));
      Thread.sleep(500);
      for (ResumingClient c : clients) c.say("t7", "said after the kill");

      awaitAllEnded(clients);
      List<Double> resumeSeconds = new ArrayList<>();
      double worstGapMs = 0;
      for (ResumingClient c : clients) {
        assertExactlyOnce(c, 7);
        if (!c.failovers().isEmpty()) {
          // a resume can land on the dying node just before it dies: the last one counts
          ResumingClient.Failover f = c.failovers().get(c.failovers().size() - 1);
          assertTrue(f.firstFrameNanos() > 0, c + " resumed but heard nothing: " + f);
          resumeSeconds.add((f.firstFrameNanos() - killed) / 1e9);
        }
        if (c.failovers().isEmpty()) worstGapMs = Math.max(worstGapMs, maxGapMs(c, killed));
      }
      Collections.sort(resumeSeconds);
      // the counts first: the figures below read the list
      assertTrue(resumeSeconds.size() >= 3, "nginx spread the sessions: some were on gateway-1: "
          + resumeSeconds.size() + " resumed");
      assertTrue(resumeSeconds.size() < 30, "and some were not");
      System.out.printf("kill -9 of gateway-1 with 30 sessions: %d resumed; kill -> first"
          + " resumed frame median %.2f s, max %.2f s; largest frame gap of the other"
          + " sessions after the kill %.0f ms%n", resumeSeconds.size(),
          resumeSeconds.get(resumeSeconds.size() / 2),
          resumeSeconds.get(resumeSeconds.size() - 1), worstGapMs);
      assertTrue(resumeSeconds.get(resumeSeconds.size() - 1) < 15,
          "every session resumed within 15 s: " + resumeSeconds);
      // cold JVMs and 30 clients on 2 cores stall everything now and then: only the bound
      // that proves the other sessions went on is asserted (docs/BENCHMARKS.md has the numbers)
      assertTrue(worstGapMs < 5_000, "the other sessions went on: largest gap " + worstGapMs);
    } finally {
      clients.forEach(ResumingClient::close);
    }
    // the dead node never ended its sessions on the worker; their resumed incarnations did
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (cluster.worker.service().activeSessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(0, cluster.worker.service().activeSessions(),
        "no worker session is left behind by the killed node");
  }

  @Test
  @Order(2)
  void sigtermDrainsANodeItsClientsAreToldAndResumeOnTheOther() throws Exception {
    List<ResumingClient> clients = open(8);
    try {
      for (ResumingClient c : clients) {
        for (int t = 1; t <= 4; t++) c.say("t" + t, "text " + t);
      }
      Thread.sleep(700);
      cluster.sigterm(2);
      assertTrue(cluster.node(2).process().waitFor(30, TimeUnit.SECONDS), "gateway-2 stopped");
      awaitAllEnded(clients);
      int moved = 0;
      for (ResumingClient c : clients) {
        assertExactlyOnce(c, 4);
        for (ResumingClient.Failover f : c.failovers()) {
          assertEquals("session_end node_shutdown", f.why(), c + ": " + f);
          moved++;
        }
      }
      System.out.printf("SIGTERM of gateway-2: %d of %d sessions told node_shutdown and resumed"
          + " on gateway-3%n", moved, clients.size());
      assertTrue(moved >= 1, "nginx sent some sessions to gateway-2");
    } finally {
      clients.forEach(ResumingClient::close);
    }
  }

  private static List<ResumingClient> open(int n) throws Exception {
    List<ResumingClient> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clients.add(ResumingClient.start(http, cluster.lbUri(), ResumingClient.Options.DEFAULT));
    }
    return clients;
  }

  private static void awaitAllEnded(List<ResumingClient> clients) throws InterruptedException {
    long deadline = System.nanoTime() + DONE_WITHIN.toNanos();
    while (!clients.stream().allMatch(c -> c.allEnded() || c.over())) {
      if (System.nanoTime() > deadline) {
        StringBuilder s = new StringBuilder("not all utterances ended within " + DONE_WITHIN);
        for (ResumingClient c : clients) {
          if (!c.allEnded()) s.append("\n  ").append(c).append(": ").append(c.ends().size())
              .append(" ended, problems ").append(c.problems());
        }
        throw new AssertionError(s);
      }
      Thread.sleep(100);
    }
  }

  /** Utterances t1..tn each ended once, completed, with all their frames; frames 1..N once. */
  static void assertExactlyOnce(ResumingClient c, int n) {
    assertEquals(List.of(), c.problems(), c + " saw problems");
    List<String> ids = c.ends().stream().map(ServerEvent.UtteranceEnd::id).toList();
    List<String> expected = new ArrayList<>();
    for (int t = 1; t <= n; t++) expected.add("t" + t);
    assertEquals(expected, ids, c + ": every utterance ends once, in order");
    for (ServerEvent.UtteranceEnd u : c.ends()) {
      assertEquals("completed", u.reason(), c + ": " + u);
      assertEquals(TONE_FRAMES, u.frames(), c + ": " + u);
    }
    List<ServerEvent.Audio> frames = c.frames();
    assertEquals(n * TONE_FRAMES, frames.size(), c + ": every frame heard once");
    for (int i = 0; i < frames.size(); i++) {
      assertEquals(i + 1, frames.get(i).sequence(), c + ": frame " + i);
    }
    assertFalse(c.failovers().size() > 2, c + " failed over " + c.failovers().size() + " times");
  }

  /** The largest gap between two frames received after {@code since}, in ms. */
  private static double maxGapMs(ResumingClient c, long since) {
    long prev = 0;
    long worst = 0;
    for (ServerEvent.Audio a : c.frames()) {
      if (a.receivedNanos() < since) {
        prev = a.receivedNanos();
        continue;
      }
      if (prev != 0) worst = Math.max(worst, a.receivedNanos() - prev);
      prev = a.receivedNanos();
    }
    return worst / 1e6;
  }
}
