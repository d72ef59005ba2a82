package io.voicegateway.loadtest;

import io.voicegateway.gateway.client.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code voicegw loadtest}: runs a load test against a gateway and writes
 * {@code DIR/summary.json}, {@code DIR/report.html} and the charts ({@code DIR/*.png}).
 *
 * <p>Exit status: 0 the run completed (targets are not judged), 1 the gateway is unreachable (or
 * the results cannot be written), 2 usage error (the bad option is named).
 */
public final class LoadTestMain {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  private LoadTestMain() {}

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(run(args, System.out, System.err, System.console() != null));
  }

  /** Parses the arguments and runs; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err, boolean interactive) {
    System.setProperty("java.awt.headless", "true");
    LoadOptions.Parsed parsed = LoadOptions.parse(args);
    if (parsed instanceof LoadOptions.Help) {
      out.print(LoadOptions.USAGE);
      return EXIT_OK;
    }
    if (parsed instanceof LoadOptions.UsageError usage) {
      err.println("loadtest: " + usage.message());
      err.println("Try 'voicegw loadtest --help'.");
      return EXIT_USAGE;
    }
    LoadOptions options = ((LoadOptions.Run) parsed).options();
    err.println("loadtest: " + options.sessions() + " sessions against " + options.connectUri()
        + " for " + Durations.format(options.duration()) + " (ramp "
        + Durations.format(options.ramp()) + ", warm-up " + Durations.format(options.warmup())
        + ", audio " + options.transport() + ", " + Math.min(options.clients(), options.sessions())
        + " clients)"
        + (options.metrics() == null ? "" : ", metrics " + options.metrics()));
    RunResult result;
    try {
      result = new LoadRun(options, err, interactive).run();
    } catch (LoadRun.UnreachableException e) {
      err.println("loadtest: gateway unreachable: " + e.getMessage());
      return EXIT_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("loadtest: interrupted");
      return EXIT_FAILED;
    }
    Path dir = options.out();
    try {
      Summary.write(result, dir.resolve("summary.json"));
      Report.write(result, dir);
    } catch (IOException | RuntimeException e) {
      err.println("loadtest: cannot write the results to " + dir + ": " + e);
      return EXIT_FAILED;
    }
    RunResult.Counts c = result.counts();
    out.printf(Locale.ROOT, "sessions %d, utterances %d, frames %d (lost %d, out of order %d,"
            + " duplicated %d), errors %d%n", options.sessions(), c.utterances(),
        c.framesReceived(), c.framesLost(), c.framesOutOfOrder(), c.framesDuplicated(),
        c.errors());
    out.printf(Locale.ROOT, "first audio ms p50 %s p90 %s p99 %s max %s | jitter ms p50 %s p99 %s"
            + " | barge-in ms p50 %s p99 %s (%d)%n",
        Report.fmt(result.firstAudio().p50()), Report.fmt(result.firstAudio().p90()),
        Report.fmt(result.firstAudio().p99()), Report.fmt(result.firstAudio().max()),
        Report.fmt(result.jitter().p50()), Report.fmt(result.jitter().p99()),
        Report.fmt(result.bargeIn().p50()), Report.fmt(result.bargeIn().p99()),
        result.bargeIn().count());
    out.println(qualityLine(result));
    out.println("wrote " + dir.resolve("summary.json") + " and " + dir.resolve("report.html"));
    return EXIT_OK;
  }

  /**
   * The playout figures, jitter beside them, the gateway's own send intervals (so that the
   * instrument's error shows) and the harness' CPU per frame, on one line.
   */
  static String qualityLine(RunResult r) {
    RunResult.Playout p = r.playout();
    GatewayHistogram.Quantiles gw = r.sendInterval();
    return String.format(Locale.ROOT, "underruns %d of %d frames (%d utterances) | lateness ms p50"
            + " %s p99 %s max %s | jitter ms p99 %s | gateway send interval ms p50 %s p99 %s |"
            + " harness CPU %s µs/frame (%d clients)", p.underruns(), p.frames(),
        p.utterancesWithUnderrun(), Report.fmt(p.lateness().p50()),
        Report.fmt(p.lateness().p99()), Report.fmt(p.lateness().max()),
        Report.fmt(r.jitter().p99()), Report.fmt(gw.p50()), Report.fmt(gw.p99()),
        Report.fmt(r.harness().cpuMicrosPerFrame(r.counts().framesReceived())),
        r.harness().clients());
  }
}
