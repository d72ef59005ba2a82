package io.voicegateway.loadtest;

import io.voicegateway.gateway.client.GatewayClient;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One load run: checks the gateway is reachable, starts the sessions linearly over the ramp, ticks
 * once a second (rolls the latency recorders, samples /metrics, prints progress), stops starting
 * utterances at the end of the duration, lets the ones in flight finish (at most
 * {@link #DRAIN}), closes every session and returns the {@link RunResult}.
 *
 * <p>Until {@code --warmup} has passed the sessions run as usual but the ticker then discards
 * everything recorded ({@link LoadStats#discardWarmup()}): the statistics, counters, gateway
 * figures and the harness' own CPU time all cover only the rest of the run.
 *
 * <p>Threads: those of {@code --clients} {@code HttpClient}s (each its own selector thread; the
 * sessions are spread over them round-robin, so that receiving scales across cores), one more
 * client for the probe and {@code /metrics}, and a small scheduler (ramp, pauses between
 * utterances, RESUME, the ticker). None per session.
 */
final class LoadRun {

  /** How long utterances in flight at the end may take to finish. */
  static final Duration DRAIN = Duration.ofSeconds(10);
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  /** The gateway cannot be reached: exit status 1. */
  static final class UnreachableException extends Exception {
    UnreachableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final LoadOptions options;
  private final PrintStream progress;
  private final boolean interactive;
  private final LoadStats stats = new LoadStats();
  /** The sessions' clients; session i uses {@code sessionClients[i % length]}. */
  private final HttpClient[] sessionClients;
  /** The probe's and the metrics sampler's, apart from the sessions'. */
  private final HttpClient control = HttpClient.newHttpClient();
  private final ScheduledExecutorService scheduler;
  private final MetricsSampler metrics;
  private final int windowSeconds;
  private final List<RunResult.Tick> ticks = new ArrayList<>();
  private final List<RunResult.Window> windows = new ArrayList<>();
  private volatile boolean stopping;
  private long startNanos;
  private double lastWindowEnd;
  private boolean recording;
  private double recordedFrom;
  private long harnessCpuAtRecordStart;
  private List<PrometheusText.Sample> metricsAtRecordStart;

  LoadRun(LoadOptions options, PrintStream progress, boolean interactive) {
    this.options = options;
    this.progress = progress;
    this.interactive = interactive;
    this.scheduler = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "loadtest-scheduler");
      t.setDaemon(true);
      return t;
    });
    this.sessionClients = new HttpClient[Math.min(options.clients(), options.sessions())];
    for (int i = 0; i < sessionClients.length; i++) {
      sessionClients[i] = HttpClient.newHttpClient();
    }
    this.metrics = options.metrics() == null ? null
        : new MetricsSampler(control, options.metrics());
    this.windowSeconds = options.soak() ? 10 : 5;
  }

  LoadOptions options() {
    return options;
  }

  LoadStats stats() {
    return stats;
  }

  /** The client session {@code index} connects through. */
  HttpClient http(int index) {
    return sessionClients[index % sessionClients.length];
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** Whether the duration is over: no new utterance starts. */
  boolean stopping() {
    return stopping;
  }

  RunResult run() throws UnreachableException, InterruptedException {
    try {
      return runInternal();
    } finally {
      scheduler.shutdownNow();
    }
  }

  private RunResult runInternal() throws UnreachableException, InterruptedException {
    probe();
    List<PrometheusText.Sample> firstScrape = metrics == null ? null : metrics.scrapeSamplesNow();
    if (metrics != null && firstScrape == null) {
      progress.println("loadtest: warning: cannot read gateway metrics at " + metrics.uri() + " ("
          + metrics.lastFailure() + "); the run goes on without them (--metrics URL or none)");
    }
    Instant startedAt = Instant.now();
    startNanos = System.nanoTime();
    if (options.warmup().isZero()) {
      synchronized (this) {
        startRecording(0, firstScrape);
      }
    }
    long durationNanos = options.duration().toNanos();
    List<SessionDriver> drivers = new ArrayList<>(options.sessions());
    for (int i = 0; i < options.sessions(); i++) {
      SessionDriver d = new SessionDriver(this, i);
      drivers.add(d);
      long delay = options.sessions() == 1 ? 0
          : options.ramp().toNanos() * i / options.sessions();
      scheduler.schedule(d::start, delay, TimeUnit.NANOSECONDS);
    }
    ScheduledFuture<?> ticker = scheduler.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);

    sleepUntil(startNanos + durationNanos);
    stopping = true;
    long drainEnd = System.nanoTime() + DRAIN.toNanos();
    while (System.nanoTime() < drainEnd && !drivers.stream().allMatch(SessionDriver::idle)) {
      Thread.sleep(50);
    }
    drivers.forEach(SessionDriver::stop);
    long closeEnd = System.nanoTime() + CLOSE_WAIT.toNanos();
    while (System.nanoTime() < closeEnd && stats.sessionsOpen.get() > 0) {
      Thread.sleep(50);
    }
    drivers.forEach(SessionDriver::abort);
    ticker.cancel(false);
    double harnessCpu = (harnessCpuNanos() - harnessCpuAtRecordStart) / 1e9;
    synchronized (this) {
      stats.roll();
      closeWindow(elapsedSeconds());
    }
    if (interactive) {
      progress.println();
    }
    double wall = elapsedSeconds();
    GatewayHistogram.Quantiles sendInterval = GatewayHistogram.Quantiles.EMPTY;
    if (metrics != null && metricsAtRecordStart != null) {
      List<PrometheusText.Sample> end = metrics.scrapeSamplesNow();
      if (end != null) {
        sendInterval = GatewayHistogram.between(metricsAtRecordStart, end,
            GatewayHistogram.SEND_INTERVAL);
      }
    }
    RunResult.Playout playout = new RunResult.Playout(stats.playoutFrames.sum(),
        stats.underruns.sum(), stats.utterancesWithUnderrun.sum(), stats.lateness.total());
    return new RunResult(options, startedAt, wall, windowSeconds,
        RunResult.Counts.of(stats), stats.firstAudio.total(), stats.jitter.total(),
        stats.bargeIn.total(), stats.controlAck.total(), stats.errorSamples(),
        List.copyOf(ticks), List.copyOf(windows), stats.jitter.totalHistogram(),
        metrics == null ? null : metrics.uri().toString(),
        metrics == null ? 0 : metrics.ok(), metrics == null ? 0 : metrics.failed(),
        metrics == null ? null : metrics.lastFailure(), recordedFrom, playout,
        new RunResult.Harness(sessionClients.length, harnessCpu), sendInterval);
  }

  /**
   * The warm-up is over at {@code t} seconds: forget what was recorded, note the harness' CPU time
   * and the gateway's latest scrape, the baseline of its histograms (null: none). Holds the
   * monitor.
   */
  private void startRecording(double t, List<PrometheusText.Sample> gatewayBaseline) {
    stats.roll();
    stats.discardWarmup();
    recording = true;
    recordedFrom = t;
    lastWindowEnd = t;
    harnessCpuAtRecordStart = harnessCpuNanos();
    metricsAtRecordStart = gatewayBaseline;
    if (t > 0) {
      progress.println("loadtest: warm-up over after " + Report.fmt(t) + " s; recording");
    }
  }

  /** CPU time of this process so far (all threads), 0 where the platform does not say. */
  static long harnessCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  /** One connection to see that the gateway answers; exit 1 when it does not. */
  private void probe() throws UnreachableException, InterruptedException {
    try {
      GatewayClient c = GatewayClient.connect(control, options.connectUri(), PROBE_TIMEOUT)
          .get(PROBE_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
      c.close(Duration.ofSeconds(2));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new UnreachableException(cause.getMessage() == null ? cause.toString()
          : cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new UnreachableException("cannot connect to " + options.connectUri() + ": no answer"
          + " within " + PROBE_TIMEOUT.toSeconds() + " s", e);
    }
  }

  private void tick() {
    try {
      synchronized (this) {
        double t = elapsedSeconds();
        if (!recording && t >= options.warmup().toNanos() / 1e9) {
          startRecording(t, metrics == null ? null : metrics.latestSamples());
        }
        stats.roll();
        if (metrics != null) {
          metrics.scrape(); // read by the next tick
        }
        GatewaySample gw = metrics == null ? null : metrics.fresh(TimeUnit.MILLISECONDS.toNanos(2_500));
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        RunResult.Tick tick = new RunResult.Tick(t, stats.sessionsOpen.get(),
            stats.utterances.sum(), stats.framesSeen.sum(), stats.errors(), gw,
            heap / 1048576.0);
        RunResult.Tick previous = ticks.isEmpty() ? null : ticks.get(ticks.size() - 1);
        ticks.add(tick);
        if (recording && ticks.size() % windowSeconds == 0) {
          closeWindow(t);
        }
        printProgress(tick, previous);
      }
    } catch (RuntimeException e) {
      progress.println("loadtest: tick failed: " + e); // never kill the ticker
    }
  }

  private void closeWindow(double end) {
    if (end - lastWindowEnd < 0.5) {
      return;
    }
    windows.add(new RunResult.Window(lastWindowEnd, end, stats.firstAudio.closeWindow(),
        stats.jitter.closeWindow(), stats.bargeIn.closeWindow()));
    lastWindowEnd = end;
  }

  private void printProgress(RunResult.Tick tick, RunResult.Tick previous) {
    double dt = previous == null ? tick.tSeconds() : tick.tSeconds() - previous.tSeconds();
    long frames = tick.frames() - (previous == null ? 0 : previous.frames());
    LatencyStats.Percentiles fa = stats.firstAudio.total();
    String line = String.format(Locale.ROOT,
        "[%5.0fs] sessions %d/%d  utterances %d  frames/s %.0f  first-audio p99 %s  errors %d%s%s",
        tick.tSeconds(), tick.sessionsOpen(), options.sessions(), tick.utterances(),
        dt > 0 ? frames / dt : 0.0, fa.count() == 0 ? "-" : String.format(Locale.ROOT, "%.1f ms",
            fa.p99()), tick.errors(), recording ? "" : "  (warm-up)",
        stopping ? "  (draining)" : "");
    if (interactive) {
      progress.print("\r" + line + "\033[K");
      progress.flush();
    } else {
      progress.println(line);
    }
  }

  private double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.min(200, Math.max(1, left / 1_000_000)));
    }
  }
}
