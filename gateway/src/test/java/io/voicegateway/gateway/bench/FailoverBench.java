package io.voicegateway.gateway.bench;

import io.voicegateway.gateway.client.ResumingClient;
import io.voicegateway.gateway.client.ServerEvent;
import io.voicegateway.gateway.cluster.LocalCluster;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The failover timeline of issue 4 (docs/BENCHMARKS.md, "Failover"): three gateway JVMs behind
 * nginx, one tone worker, and {@code --sessions} resuming clients speaking through the load
 * balancer; {@code --kills} times, {@code kill -9} of one node (each node in turn, the oldest
 * first), then: kill → a survivor marks it unreachable → the resolver downs it (both from the
 * survivors' logs) → each affected client's first resumed frame; and the largest gap between
 * frames of the sessions on the other nodes. The killed node is restarted between rounds.
 * Before each kill the same load runs once without one, for the frame gaps a kill-free round
 * has on the same machine (side by side). Prints one line per round and the medians and maxima.
 *
 * <pre>
 * java -cp "$CP" io.voicegateway.gateway.bench.FailoverBench --kills 10 --sessions 30
 * </pre>
 */
public final class FailoverBench {

  private record Round(int victim, double unreachable, double downed, List<Double> resumed,
      double worstOtherGapMs, int problems) {}

  public static void main(String[] args) throws Exception {
    int kills = 10;
    int sessions = 30;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kills" -> kills = Integer.parseInt(args[++i]);
        case "--sessions" -> sessions = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--kills N, --sessions N)");
      }
    }
    HttpClient http = HttpClient.newHttpClient();
    List<Round> rounds = new ArrayList<>();
    List<Double> baselineGaps = new ArrayList<>();
    try (LocalCluster cluster = LocalCluster.start(3, LocalCluster.logDir("FailoverBench"),
        Duration.ofSeconds(180))) {
      warmUp(cluster, http, sessions);
      for (int k = 0; k < kills; k++) {
        int victim = k % 3 + 1;
        Round calm = round(cluster, http, sessions, 0);
        baselineGaps.add(calm.worstOtherGapMs());
        System.out.printf(Locale.ROOT, "no kill  : largest frame gap %.0f ms, problems %d%n",
            calm.worstOtherGapMs(), calm.problems());
        Round r = round(cluster, http, sessions, victim);
        rounds.add(r);
        System.out.printf(Locale.ROOT, "kill %2d gateway-%d: unreachable %.2f s, downed %.2f s,"
                + " first resumed frame median %.2f s max %.2f s (%d sessions), other sessions'"
                + " largest gap %.0f ms, problems %d%n", k + 1, victim, r.unreachable(),
            r.downed(), median(r.resumed()), max(r.resumed()), r.resumed().size(),
            r.worstOtherGapMs(), r.problems());
        cluster.restart(victim);
        cluster.awaitFormed(3, Duration.ofSeconds(120));
        Thread.sleep(2_000);
      }
    }
    List<Double> unreachable = rounds.stream().map(Round::unreachable).toList();
    List<Double> downed = rounds.stream().map(Round::downed).toList();
    List<Double> resumed = rounds.stream().flatMap(r -> r.resumed().stream()).toList();
    List<Double> gaps = rounds.stream().map(Round::worstOtherGapMs).toList();
    System.out.printf(Locale.ROOT, "%n%d kills, %d sessions each: kill -> unreachable median %.2f s"
            + " max %.2f s; -> downed median %.2f s max %.2f s; -> first resumed frame median"
            + " %.2f s max %.2f s (%d resumes); other sessions' largest gap median %.0f ms max"
            + " %.0f ms; problems %d%n", rounds.size(), sessions, median(unreachable),
        max(unreachable), median(downed), max(downed), median(resumed), max(resumed),
        resumed.size(), median(gaps), max(gaps),
        rounds.stream().mapToInt(Round::problems).sum());
    System.out.printf(Locale.ROOT, "the same load without a kill: largest gap median %.0f ms max"
        + " %.0f ms%n", median(baselineGaps), max(baselineGaps));
    System.out.printf(Locale.ROOT, "gaps over 100 ms (all rounds): %d before an utterance's first"
        + " frame, %d inside an utterance%n", BOUNDARY_GAPS.sum(), INSIDE_GAPS.sum());
  }

  /** A first round that is not measured: every JVM's JIT and every connection warm. */
  private static void warmUp(LocalCluster cluster, HttpClient http, int sessions)
      throws Exception {
    List<ResumingClient> clients = open(cluster, http, sessions);
    for (ResumingClient c : clients) {
      for (int t = 1; t <= 4; t++) c.say("t" + t, "warm up " + t);
    }
    awaitEnded(clients);
    clients.forEach(ResumingClient::close);
  }

  /** One round of the load; {@code victim} 0: nobody is killed. */
  private static Round round(LocalCluster cluster, HttpClient http, int sessions, int victim)
      throws Exception {
    List<ResumingClient> clients = open(cluster, http, sessions);
    try {
      for (ResumingClient c : clients) {
        for (int t = 1; t <= 6; t++) c.say("t" + t, "text " + t + " before the kill");
      }
      Thread.sleep(1_200);
      LocalTime killedAt = LocalTime.now();
      long killed = System.nanoTime();
      if (victim > 0) {
        cluster.kill9(victim);
        cluster.node(victim).process().waitFor(10, TimeUnit.SECONDS);
      }
      for (ResumingClient c : clients) c.say("t7", "text 7 after the kill");
      awaitEnded(clients);
      if (victim == 0) {
        double worst = 0;
        int problems = 0;
        for (ResumingClient c : clients) {
          worst = Math.max(worst, maxGapMs(c.frames(), killed));
          problems += c.problems().size();
        }
        return new Round(0, Double.NaN, Double.NaN, List.of(), worst, problems);
      }

      String address = Pattern.quote(cluster.node(victim).address());
      double unreachable = fromLogs(cluster, victim, killedAt,
          "Marking node as UNREACHABLE \\[Member\\(" + address);
      double downed = fromLogs(cluster, victim, killedAt,
          "SBR took decision \\w*DownUnreachable(?:\\([^)]*\\))? and is downing \\["
              + address + "\\]");
      List<Double> resumed = new ArrayList<>();
      double worstGap = 0;
      int problems = 0;
      for (ResumingClient c : clients) {
        problems += c.problems().size();
        if (!c.problems().isEmpty() && problems == c.problems().size()) {
          System.out.println("  problems of " + c + " (first session with any): "
              + c.problems().subList(0, Math.min(5, c.problems().size())));
        }
        if (!c.failovers().isEmpty()) {
          ResumingClient.Failover f = c.failovers().get(c.failovers().size() - 1);
          if (f.firstFrameNanos() > 0) resumed.add((f.firstFrameNanos() - killed) / 1e9);
        } else {
          worstGap = Math.max(worstGap, maxGapMs(c.frames(), killed));
        }
      }
      return new Round(victim, unreachable, downed, resumed, worstGap, problems);
    } finally {
      clients.forEach(ResumingClient::close);
    }
  }

  private static List<ResumingClient> open(LocalCluster cluster, HttpClient http, int n)
      throws Exception {
    List<ResumingClient> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clients.add(ResumingClient.start(http, cluster.lbUri(), ResumingClient.Options.DEFAULT));
    }
    return clients;
  }

  private static void awaitEnded(List<ResumingClient> clients) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!clients.stream().allMatch(c -> c.allEnded() || c.over())
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  /** Seconds from the kill to the first survivor's log line matching {@code regex}; NaN: none. */
  private static double fromLogs(LocalCluster cluster, int victim, LocalTime since, String regex)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Optional<LocalCluster.LogEvent> first = Optional.empty();
      for (int i = 1; i <= cluster.size(); i++) {
        if (i == victim) continue;
        Optional<LocalCluster.LogEvent> e = cluster.firstLogLine(i, regex, since);
        if (e.isPresent() && (first.isEmpty() || e.get().at().isBefore(first.get().at()))) {
          first = e;
        }
      }
      if (first.isPresent()) return Duration.between(since, first.get().at()).toMillis() / 1e3;
      Thread.sleep(100);
    }
    return Double.NaN;
  }

  /** Gaps over 100 ms after {@code since}: at an utterance's first frame, or inside one. */
  static final java.util.concurrent.atomic.LongAdder BOUNDARY_GAPS =
      new java.util.concurrent.atomic.LongAdder();
  static final java.util.concurrent.atomic.LongAdder INSIDE_GAPS =
      new java.util.concurrent.atomic.LongAdder();

  private static double maxGapMs(List<ServerEvent.Audio> frames, long since) {
    long prev = 0;
    long worst = 0;
    for (ServerEvent.Audio a : frames) {
      if (prev != 0 && a.receivedNanos() >= since) {
        long gap = a.receivedNanos() - prev;
        worst = Math.max(worst, gap);
        if (gap > 100_000_000L) {
          // the tone has 25 frames per utterance: frame 25k+1 starts one
          ((a.sequence() - 1) % 25 == 0 ? BOUNDARY_GAPS : INSIDE_GAPS).increment();
        }
      }
      prev = a.receivedNanos();
    }
    return worst / 1e6;
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) return Double.NaN;
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private FailoverBench() {}
}
