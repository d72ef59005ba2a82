package io.voicegateway.loadtest;

import io.voicegateway.gateway.client.Durations;
import io.voicegateway.loadtest.LatencyStats.Percentiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Writes the run's charts ({@code DIR/*.png}) and {@code DIR/report.html}, which embeds them as
 * data URIs so that the one file is the whole report.
 */
final class Report {

  static final int JITTER_BINS = 40;

  private Report() {}

  /** Writes the PNGs and report.html; returns the chart files written. */
  static List<Path> write(RunResult r, Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, BufferedImage> charts = charts(r);
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, BufferedImage> e : charts.entrySet()) {
      Path file = dir.resolve(e.getKey());
      Charts.writePng(e.getValue(), file);
      files.add(file);
    }
    StringBuilder html = new StringBuilder();
    html(r, dir, charts.keySet(), html);
    Files.writeString(dir.resolve("report.html"), html);
    return files;
  }

  /** The charts by file name, in report order. */
  static Map<String, BufferedImage> charts(RunResult r) {
    Map<String, BufferedImage> out = new LinkedHashMap<>();
    int w = r.windowSeconds();
    double[][] fa = Summary.windowSeries(r.windows());
    out.put("first_audio.png", Charts.line(
        "First-audio latency (text sent → first frame received) per " + w + " s window",
        "time since start (s)", "latency (ms)", null, List.of(
            new Charts.Series("p50", Charts.BLUE, fa[0], fa[1]),
            new Charts.Series("p99", Charts.RED, fa[0], fa[2]))));

    Histogram jitter = r.jitterHistogram();
    double top = jitter.getTotalCount() == 0 ? 1
        : Math.max(1, jitter.getValueAtPercentile(99.9) / 1000.0);
    double binMs = Charts.niceStep(top / JITTER_BINS);
    int bins = (int) Math.ceil(top / binMs) + 1;
    long[] counts = new long[bins];
    for (HistogramIterationValue v : jitter.recordedValues()) {
      int bin = (int) Math.min(bins - 1, (v.getValueIteratedTo() / 1000.0) / binMs);
      counts[bin] += v.getCountAtValueIteratedTo();
    }
    out.put("jitter.png", Charts.bars(
        "Frame arrival jitter |inter-arrival − 20 ms| (" + jitter.getTotalCount() + " intervals)",
        "jitter (ms), bins of " + fmt(binMs) + " ms", "intervals", binMs, counts, true));

    List<Timeline> tl = Timeline.of(r.ticks(), Summary.timelineStep(r));
    double[] t = tl.stream().mapToDouble(Timeline::tSeconds).toArray();
    double[] sessions = tl.stream().mapToDouble(Timeline::sessions).toArray();
    double[] gwSessions = tl.stream().mapToDouble(Timeline::gatewaySessions).toArray();
    double[] cpu = tl.stream().mapToDouble(x -> x.cpu() * 100).toArray();
    double[] heap = tl.stream().mapToDouble(Timeline::heapMb).toArray();
    double[] threads = tl.stream().mapToDouble(Timeline::threads).toArray();
    String per = tl.size() > 0 && Summary.timelineStep(r) > 1
        ? " (per " + Summary.timelineStep(r) + " s)" : "";
    out.put("gateway_cpu.png", Charts.line("Sessions and gateway CPU" + per,
        "time since start (s)", "gateway CPU (% of all cores)", "sessions", List.of(
            new Charts.Series("gateway CPU", Charts.RED, t, cpu),
            new Charts.Series("client sessions open", Charts.BLUE, t, sessions, true, false),
            new Charts.Series("gateway voicegw_sessions_active", Charts.GREEN, t, gwSessions,
                true, true))));
    out.put("gateway_heap.png", Charts.line("Sessions and gateway heap used" + per,
        "time since start (s)", "gateway heap used (MiB)", "sessions", List.of(
            new Charts.Series("gateway heap", Charts.PURPLE, t, heap),
            new Charts.Series("client sessions open", Charts.BLUE, t, sessions, true, false))));
    if (r.options().soak()) {
      double[] minutes = tl.stream().mapToDouble(x -> x.tSeconds() / 60).toArray();
      out.put("soak_heap.png", Charts.line("Soak: gateway heap used, max per 10 s",
          "time since start (min)", "heap used (MiB)", null, List.of(
              new Charts.Series("gateway heap", Charts.PURPLE, minutes, heap))));
      out.put("soak_threads.png", Charts.line("Soak: gateway live threads, max per 10 s",
          "time since start (min)", "live threads", null, List.of(
              new Charts.Series("jvm_threads_live_threads", Charts.ORANGE, minutes, threads))));
      out.put("soak_sessions.png", Charts.line("Soak: active sessions, per 10 s",
          "time since start (min)", "sessions", null, List.of(
              new Charts.Series("gateway voicegw_sessions_active", Charts.GREEN, minutes,
                  gwSessions),
              new Charts.Series("client sessions open", Charts.BLUE, minutes, sessions, false,
                  true))));
    }
    return out;
  }

  /** Least-squares slope of {@code y} per unit of {@code x} over the points that have a value. */
  static double slope(double[] x, double[] y) {
    int n = 0;
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < x.length; i++) {
      if (Double.isNaN(y[i])) {
        continue;
      }
      n++;
      sx += x[i];
      sy += y[i];
      sxx += x[i] * x[i];
      sxy += x[i] * y[i];
    }
    double d = n * sxx - sx * sx;
    return n < 2 || d == 0 ? Double.NaN : (n * sxy - sx * sy) / d;
  }

  private static void html(RunResult r, Path dir, Iterable<String> chartFiles, StringBuilder h)
      throws IOException {
    LoadOptions o = r.options();
    RunResult.Counts c = r.counts();
    h.append("""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>Voice Gateway load test</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
        table{border-collapse:collapse;margin:0.5em 0 1.5em}
        td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}
        th{background:#f3f3f3} td.n{text-align:right;font-variant-numeric:tabular-nums}
        img{max-width:100%;border:1px solid #ddd;margin:0.5em 0 1.5em}
        .bad{color:#b00020;font-weight:bold} code{background:#f5f5f5;padding:0 3px}
        </style></head><body>
        """);
    h.append("<h1>Voice Gateway load test</h1>\n<p>")
        .append(esc(r.startedAt().toString())).append(" · ").append(o.sessions())
        .append(" sessions · ").append(esc(Durations.format(o.duration())))
        .append(o.soak() ? " · soak" : "").append("</p>\n");

    h.append("<h2>Run</h2>\n<table>\n");
    row(h, "gateway", "<code>" + esc(o.connectUri().toString()) + "</code>");
    row(h, "sessions / ramp", o.sessions() + " over " + Durations.format(o.ramp()));
    row(h, "duration (wall)", Durations.format(o.duration()) + " ("
        + fmt(r.wallSeconds()) + " s with drain and close)");
    row(h, "audio transport", o.transport());
    row(h, "pattern", esc(o.pattern()));
    row(h, "barge-in probability", fmt(o.bargeIn()) + " (PAUSE + RESUME or STOP, half each)");
    row(h, "warm-up (not recorded)", Durations.format(o.warmup()) + ", recording from "
        + fmt(r.recordedFromSeconds()) + " s");
    row(h, "HTTP clients", r.harness().clients() + " (sessions spread round-robin)");
    row(h, "pacing lead (playout model)", Durations.format(o.lead()));
    row(h, "gateway metrics", r.metricsUri() == null ? "not sampled"
        : "<code>" + esc(r.metricsUri()) + "</code>, " + r.metricsScrapes() + " scrapes, "
            + r.metricsFailures() + " failed");
    h.append("</table>\n");

    h.append("<h2>Results (measured at the client)</h2>\n<table>\n")
        .append("<tr><th></th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>max</th>"
            + "</tr>\n");
    prow(h, "lateness (ms)", r.playout().lateness(), true);
    prow(h, "jitter (ms)", r.jitter(), false);
    prow(h, "first audio (ms)", r.firstAudio(), true);
    prow(h, "barge-in (ms)", r.bargeIn(), false);
    prow(h, "PAUSE/STOP → paused/clear (ms)", r.controlAck(), false);
    h.append("</table>\n<table>\n");
    row(h, "utterances completed / started", c.utterances() + " / " + c.utterancesStarted()
        + " (stopped " + c.utterancesStopped() + ", failed " + c.utterancesFailed() + ")");
    row(h, "playout underruns", flag(r.playout().underruns()) + " of " + r.playout().frames()
        + " frames measured, in " + r.playout().utterancesWithUnderrun() + " utterances");
    row(h, "frames received", Long.toString(c.framesReceived()));
    row(h, "harness CPU", fmt(r.harness().cpuSeconds()) + " s, "
        + fmt(r.harness().cpuMicrosPerFrame(c.framesReceived())) + " µs per frame received");
    row(h, "frames lost / out of order / duplicated", flag(c.framesLost()) + " / "
        + flag(c.framesOutOfOrder()) + " / " + flag(c.framesDuplicated()));
    row(h, "barge-ins", c.pauses() + " PAUSE, " + c.stops() + " STOP");
    row(h, "errors", flag(c.errors()) + " (error events " + c.errorEvents()
        + ", unexpected session_end " + c.unexpectedSessionEnds() + ", connect failures "
        + c.connectFailures() + ", connections lost " + c.connectionsLost() + ", malformed "
        + c.malformed() + ", unanswered controls " + c.controlTimeouts() + ")");
    row(h, "connections (rotations)", c.connects() + " (" + c.rotations() + ")");
    h.append("</table>\n");
    if (!r.errorSamples().isEmpty()) {
      h.append("<p>First errors:</p><ul>\n");
      for (String e : r.errorSamples()) {
        h.append("<li><code>").append(esc(e)).append("</code></li>\n");
      }
      h.append("</ul>\n");
    }

    com.fasterxml.jackson.databind.JsonNode gw = Summary.toJson(r).get("gateway");
    h.append("<h2>Gateway (sampled from /metrics every second)</h2>\n<table>\n");
    com.fasterxml.jackson.databind.JsonNode si = gw.get("send_interval_ms");
    row(h, "send interval p50 / p99 (its own histogram)", val(si.get("p50"), " ms") + " / "
        + val(si.get("p99"), " ms") + " (" + si.get("count").asLong() + " intervals)");
    row(h, "CPU max / mean", pct(gw.get("cpu_max")) + " / " + pct(gw.get("cpu_mean")));
    row(h, "heap used max", val(gw.get("heap_max_mb"), " MiB"));
    row(h, "live threads min / max", val(gw.get("threads_min"), "") + " / "
        + val(gw.get("threads_max"), ""));
    row(h, "active sessions max", val(gw.get("sessions_active_max"), ""));
    row(h, "GC pauses", val(gw.get("gc_pauses"), "") + ", total "
        + val(gw.get("gc_pause_total_ms"), " ms") + ", mean " + val(gw.get("gc_pause_mean_ms"),
        " ms"));
    if (o.soak()) {
      List<Timeline> tl = Timeline.of(r.ticks(), Summary.timelineStep(r));
      double[] min = tl.stream().mapToDouble(x -> x.tSeconds() / 60).toArray();
      double[] heap = tl.stream().mapToDouble(Timeline::heapMb).toArray();
      double[] threads = tl.stream().mapToDouble(Timeline::threads).toArray();
      row(h, "heap trend (least squares)", fmt(slope(min, heap)) + " MiB/min");
      row(h, "live threads trend (least squares)", fmt(slope(min, threads)) + " threads/min");
    }
    h.append("</table>\n");

    h.append("<h2>Charts</h2>\n");
    for (String name : chartFiles) {
      byte[] png = Files.readAllBytes(dir.resolve(name));
      h.append("<figure><img alt=\"").append(esc(name)).append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption><a href=\"")
          .append(esc(name)).append("\">").append(esc(name)).append("</a></figcaption></figure>\n");
    }

    h.append("""
        <h2>How it is measured</h2>
        <ul>
        <li><b>Playout underruns</b>: a model client starts playing an utterance the moment its
        first frame arrives and holds nothing but the lead the gateway sends ahead. Each next frame
        is due when the previous one has played (+20 ms); one arriving later is an underrun: the
        client stalls once, plays it on arrival and goes on from there (as the gateway's pacing
        assumes: it sends the lead again after a gap).</li>
        <li><b>Lateness</b>: arrival − the time the gateway's pacing meant the frame to arrive
        (due − lead, but not before the utterance's first frame or the end of the last stall);
        early frames count 0. A frame underruns exactly when its lateness exceeds the lead. Only
        frames before any PAUSE/STOP of their utterance are measured.</li>
        <li><b>Warm-up</b>: for <code>--warmup</code> from the start the sessions run but
        nothing is kept; all figures here except the charts' time series cover the rest.</li>
        <li><b>Harness CPU</b>: the load generator's own process CPU time (all threads) while
        recording, per frame received.</li>
        <li><b>Gateway send interval</b>: the gateway's histogram
        <code>voicegw_frame_send_interval_seconds</code>, the difference of a scrape at the end
        of the warm-up and one at the end, interpolated in its buckets. It includes the lead's
        burst (intervals near 0) that the client's jitter skips.</li>
        <li><b>First audio</b>: System.nanoTime() just before the text is handed to the WebSocket →
        the first audio frame of that utterance fully received. A session sends its next text only
        after the previous utterance's <code>utterance_end</code>, so no queueing is included.</li>
        <li><b>Jitter</b>: |inter-arrival − 20 ms| for consecutive frames of one utterance while it
        is not paused. The gateway sends the first 100 ms of an utterance (and, after RESUME, what
        the client still holds) at once, so the first 6 frames after an utterance start or a
        <code>resumed</code> are skipped: the first interval measured ends at the 7th frame, the
        first paced one. Measuring stops when PAUSE or STOP is sent.</li>
        <li><b>Barge-in</b>: PAUSE or STOP sent → the last audio frame received before
        <code>paused</code> / <code>clear</code>; 0 when no frame arrived after the control was
        sent. The control's round trip (→ <code>paused</code>/<code>clear</code>) is shown
        separately.</li>
        <li><b>Frames lost / duplicated / out of order</b>: the audio <code>sequence</code> per
        connection (1, 2, 3… across utterances): skipped numbers are lost, a repeated one a
        duplicate, a late one out of order (and no longer lost).</li>
        <li><b>Errors</b>: <code>error</code> events, <code>session_end</code> other than the
        end of the run or the gateway's message/duration limits, connections that failed or
        broke, malformed messages, PAUSE/STOP not answered within 5 s.</li>
        <li>Percentiles are of every recorded value (HdrHistogram, 3 significant digits).</li>
        </ul>
        </body></html>
        """);
  }

  private static void row(StringBuilder h, String name, String valueHtml) {
    h.append("<tr><th>").append(esc(name)).append("</th><td>").append(valueHtml)
        .append("</td></tr>\n");
  }

  private static void prow(StringBuilder h, String name, Percentiles p, boolean p90) {
    h.append("<tr><th>").append(esc(name)).append("</th><td class=n>").append(p.count())
        .append("</td><td class=n>").append(fmt(p.p50())).append("</td><td class=n>")
        .append(p90 ? fmt(p.p90()) : "").append("</td><td class=n>").append(fmt(p.p99()))
        .append("</td><td class=n>").append(fmt(p.max())).append("</td></tr>\n");
  }

  private static String flag(long n) {
    return n == 0 ? "0" : "<span class=bad>" + n + "</span>";
  }

  private static String pct(com.fasterxml.jackson.databind.JsonNode n) {
    return n == null || n.isNull() ? "–" : fmt(n.asDouble() * 100) + " %";
  }

  private static String val(com.fasterxml.jackson.databind.JsonNode n, String unit) {
    return n == null || n.isNull() ? "–" : fmt(n.asDouble()) + unit;
  }

  static String fmt(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "–";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%d", (long) v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10 ? "%.1f"
        : "%.2f", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
