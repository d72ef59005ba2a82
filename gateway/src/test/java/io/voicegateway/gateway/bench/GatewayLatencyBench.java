package io.voicegateway.gateway.bench;

import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * First-audio and barge-in latency of a running gateway at several concurrency levels
 * (docs/BENCHMARKS.md has the command). Each session speaks a text, waits a random 0.5–1.5 s
 * after its {@code utterance_end}, and speaks again; every fourth utterance is interrupted with
 * PAUSE after 5 frames and resumed 100 ms after {@code paused}.
 *
 * <p>Reported per level, from the gateway's own histograms (the difference of two /metrics
 * scrapes, quantiles interpolated within buckets as Prometheus' histogram_quantile does): the
 * gateway's part of first-audio latency (text received → first frame sent, minus the worker's time
 * to first frame) and barge-in (PAUSE read off the socket → last frame the socket took before
 * {@code paused}); and the whole first-audio latency the gateway sees (text received → first
 * frame sent, the worker's time to first frame included). Measured exactly at the client: text sent → first frame received, and PAUSE
 * sent → {@code paused} received (both include the loopback network and the client's own
 * scheduling).
 *
 * <p>Usage: {@code GatewayLatencyBench --url ws://127.0.0.1:8080/ --metrics
 * http://127.0.0.1:8081/metrics --sessions 1,100,500 --seconds 30}
 */
public final class GatewayLatencyBench {

  private record Args(URI url, URI metrics, int[] levels, int seconds) {}

  public static void main(String[] argv) throws Exception {
    Args args = parse(argv);
    System.out.printf("%-8s %6s | %-22s | %-22s | %-22s | %-22s | %-22s | %s%n", "sessions",
        "utts", "gw-added first p50/p99", "gw total first p50/p99", "client first p50/p99",
        "gw barge-in p50/p99", "client pause p50/p99", "errors");
    for (int level : args.levels()) {
      runLevel(args, level);
    }
    System.exit(0);
  }

  private static void runLevel(Args args, int sessions) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Map<String, Histogram> before = scrape(http, args.metrics());
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    ConcurrentLinkedQueue<Long> firstAudio = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Long> pauseToPaused = new ConcurrentLinkedQueue<>();
    AtomicLong utterances = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(args.seconds());

    List<GatewayClient> clients = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      GatewayClient c = GatewayClient.connect(http, args.url()).get(30, TimeUnit.SECONDS);
      clients.add(c);
      new Session(c, timers, stopAt, firstAudio, pauseToPaused, utterances, errors).begin(
          ThreadLocalRandom.current().nextLong(1_000));
      if (i % 50 == 49) Thread.sleep(200); // ramp
    }
    while (System.nanoTime() < stopAt) Thread.sleep(200);
    Thread.sleep(3_000); // let the last utterances finish
    for (GatewayClient c : clients) c.closeAsync();
    timers.shutdownNow();
    Thread.sleep(1_000);

    Map<String, Histogram> after = scrape(http, args.metrics());
    Histogram gwFirst = after.get("voicegw_first_audio_gateway_latency_seconds")
        .minus(before.get("voicegw_first_audio_gateway_latency_seconds"));
    Histogram gwTotal = after.get("voicegw_first_audio_latency_seconds")
        .minus(before.get("voicegw_first_audio_latency_seconds"));
    Histogram gwBarge = after.get("voicegw_barge_in_latency_seconds")
        .minus(before.get("voicegw_barge_in_latency_seconds"));
    System.out.printf("%-8d %6d | %9.2f / %9.2f ms | %9.2f / %9.2f ms | %9.2f / %9.2f ms | "
            + "%9.2f / %9.2f ms | %9.2f / %9.2f ms | %d%n",
        sessions, utterances.get(),
        gwFirst.quantile(0.5) * 1e3, gwFirst.quantile(0.99) * 1e3,
        gwTotal.quantile(0.5) * 1e3, gwTotal.quantile(0.99) * 1e3,
        exact(firstAudio, 0.5), exact(firstAudio, 0.99),
        gwBarge.quantile(0.5) * 1e3, gwBarge.quantile(0.99) * 1e3,
        exact(pauseToPaused, 0.5), exact(pauseToPaused, 0.99), errors.get());
  }

  /** One client's loop: speak, wait, speak again; every fourth utterance paused and resumed. */
  private static final class Session {
    private final GatewayClient client;
    private final ScheduledExecutorService timers;
    private final long stopAt;
    private final ConcurrentLinkedQueue<Long> firstAudio;
    private final ConcurrentLinkedQueue<Long> pauseToPaused;
    private final AtomicLong utterances;
    private final AtomicLong errors;
    private long sentAt;
    private long pausedAt;
    private int framesThisUtterance;
    private int count;

    Session(GatewayClient client, ScheduledExecutorService timers, long stopAt,
        ConcurrentLinkedQueue<Long> firstAudio, ConcurrentLinkedQueue<Long> pauseToPaused,
        AtomicLong utterances, AtomicLong errors) {
      this.client = client;
      this.timers = timers;
      this.stopAt = stopAt;
      this.firstAudio = firstAudio;
      this.pauseToPaused = pauseToPaused;
      this.utterances = utterances;
      this.errors = errors;
    }

    void begin(long delayMillis) {
      client.listen(this::onEvent, malformed -> errors.incrementAndGet());
      timers.schedule(this::speak, delayMillis, TimeUnit.MILLISECONDS);
    }

    private synchronized void speak() {
      if (System.nanoTime() > stopAt) return;
      framesThisUtterance = 0;
      count++;
      sentAt = System.nanoTime();
      client.sendText("Benchmark utterance " + count + ".");
    }

    private synchronized void onEvent(ServerEvent e) {
      if (e instanceof ServerEvent.Audio a) {
        framesThisUtterance++;
        if (framesThisUtterance == 1) firstAudio.add(a.receivedNanos() - sentAt);
        if (framesThisUtterance == 5 && count % 4 == 0) {
          pausedAt = System.nanoTime();
          client.sendControl("PAUSE");
        }
      } else if (e instanceof ServerEvent.Paused p) {
        pauseToPaused.add(p.receivedNanos() - pausedAt);
        timers.schedule(() -> client.sendControl("RESUME"), 100, TimeUnit.MILLISECONDS);
      } else if (e instanceof ServerEvent.UtteranceEnd) {
        utterances.incrementAndGet();
        timers.schedule(this::speak, 500 + ThreadLocalRandom.current().nextLong(1_000),
            TimeUnit.MILLISECONDS);
      } else if (e instanceof ServerEvent.Error || e instanceof ServerEvent.SessionEnd) {
        errors.incrementAndGet();
      }
    }
  }

  private static double exact(ConcurrentLinkedQueue<Long> nanos, double q) {
    long[] v = nanos.stream().mapToLong(Long::longValue).toArray();
    if (v.length == 0) return Double.NaN;
    Arrays.sort(v);
    return v[(int) Math.min(v.length - 1, Math.ceil(q * v.length) - 1)] / 1e6;
  }

  // ---------------------------------------------------------------- Prometheus histograms

  /** Cumulative bucket counts by upper bound (seconds). */
  record Histogram(TreeMap<Double, Double> buckets) {
    Histogram minus(Histogram earlier) {
      TreeMap<Double, Double> d = new TreeMap<>();
      buckets.forEach((le, n) -> d.put(le, n - earlier.buckets.getOrDefault(le, 0.0)));
      return new Histogram(d);
    }

    /** Linear interpolation inside the bucket holding the quantile (histogram_quantile). */
    double quantile(double q) {
      double total = buckets.lastEntry().getValue();
      if (total == 0) return Double.NaN;
      double rank = q * total;
      double lowerBound = 0;
      double lowerCount = 0;
      for (Map.Entry<Double, Double> b : buckets.entrySet()) {
        if (b.getValue() >= rank) {
          if (b.getKey().isInfinite()) return lowerBound;
          double inBucket = b.getValue() - lowerCount;
          return lowerBound + (b.getKey() - lowerBound)
              * (inBucket == 0 ? 0 : (rank - lowerCount) / inBucket);
        }
        lowerBound = b.getKey();
        lowerCount = b.getValue();
      }
      return lowerBound;
    }
  }

  private static final Pattern BUCKET =
      Pattern.compile("^(\\w+)_bucket\\{le=\"([^\"]+)\"[^}]*\\}\\s+(\\S+)$");

  static Map<String, Histogram> scrape(HttpClient http, URI metrics) throws Exception {
    String text = http.send(HttpRequest.newBuilder(metrics).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Histogram> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      Matcher m = BUCKET.matcher(line);
      if (!m.matches()) continue;
      double le = m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
      out.computeIfAbsent(m.group(1), k -> new Histogram(new TreeMap<>()))
          .buckets().put(le, Double.parseDouble(m.group(3)));
    }
    return out;
  }

  private static Args parse(String[] argv) {
    URI url = URI.create("ws://127.0.0.1:8080/");
    URI metrics = URI.create("http://127.0.0.1:8081/metrics");
    int[] levels = {1, 100, 500};
    int seconds = 30;
    for (int i = 0; i < argv.length; i += 2) {
      String v = argv[i + 1];
      switch (argv[i]) {
        case "--url" -> url = URI.create(v);
        case "--metrics" -> metrics = URI.create(v);
        case "--sessions" -> levels = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
        case "--seconds" -> seconds = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + argv[i]);
      }
    }
    return new Args(url, metrics, levels, seconds);
  }
}
