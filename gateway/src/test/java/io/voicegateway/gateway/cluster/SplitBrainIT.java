package io.voicegateway.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.client.ResumingClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A frozen node (SIGSTOP) on three gateway JVMs behind nginx: its clients find their audio
 * stalled and resume on the majority while the split-brain resolver downs it; after SIGCONT the
 * frozen node finds itself downed and exits, and its stale incarnations serve nothing: their
 * writes are fenced in Redis, and no client hears a frame twice.
 */
class SplitBrainIT {


  private static LocalCluster cluster;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(3, LocalCluster.logDir("SplitBrainIT"), Duration.ofSeconds(180));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) cluster.close();
  }

  @Test
  void aFrozenNodeIsDownedItsSessionsResumeOnTheMajorityAndItServesNothingAfterWaking()
      throws Exception {
    List<ResumingClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 12; i++) {
        clients.add(ResumingClient.start(http, cluster.lbUri(), ResumingClient.Options.DEFAULT));
      }
      for (ResumingClient c : clients) {
        for (int t = 1; t <= 8; t++) c.say("t" + t, "text " + t); // 4 s of audio each
      }
      Thread.sleep(1_000);
      LocalTime frozenAt = LocalTime.now();
      cluster.sigstop(2);

      String address = Pattern.quote(cluster.node(2).address());
      Optional<LocalCluster.LogEvent> downed = Optional.empty();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (downed.isEmpty() && System.nanoTime() < deadline) {
        for (int observer : new int[] {1, 3}) {
          if (downed.isEmpty()) {
            downed = cluster.firstLogLine(observer, "SBR took decision"
                + " \\w*DownUnreachable(?:\\([^)]*\\))? and is downing \\[" + address + "\\]",
                frozenAt);
          }
        }
        Thread.sleep(100);
      }
      assertTrue(downed.isPresent(), "the majority downed the frozen gateway-2 within 30 s");

      // wait until every client has heard everything, then wake the frozen node up
      long done = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!clients.stream().allMatch(ResumingClient::allEnded)) {
        assertTrue(System.nanoTime() < done, "not all utterances ended within 90 s");
        Thread.sleep(100);
      }
      int moved = (int) clients.stream().filter(c -> !c.failovers().isEmpty()).count();
      long heardBefore = clients.stream().mapToLong(c -> c.frames().size()).sum();
      cluster.sigcont(2);
      assertTrue(cluster.node(2).process().waitFor(60, TimeUnit.SECONDS),
          "the downed node shut itself down after waking up");
      Thread.sleep(1_000);

      for (ResumingClient c : clients) NodeFailureIT.assertExactlyOnce(c, 8);
      assertEquals(heardBefore, clients.stream().mapToLong(c -> c.frames().size()).sum(),
          "nothing more was heard from the woken node");
      System.out.printf("SIGSTOP of gateway-2: downed after %.2f s; %d of %d sessions resumed on"
          + " the majority; after SIGCONT it exited (code %d) and served nothing%n",
          Duration.between(frozenAt, downed.get().at()).toMillis() / 1e3, moved, clients.size(),
          cluster.node(2).process().exitValue());
      assertTrue(moved >= 1, "nginx had sent some sessions to gateway-2");
    } finally {
      clients.forEach(ResumingClient::close);
    }
  }
}
