package io.voicegateway.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.voicegateway.loadtest.LatencyStats.Percentiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * summary.json: the run's configuration, the client-side measurements (milliseconds), the
 * counters, the harness' own cost, the gateway's sampled figures, and the compact series (latency
 * windows, timeline). Everything but the timeline covers the run after {@code --warmup} only.
 * Values that could not be measured (no samples, no metrics) are {@code null}.
 */
final class Summary {

  static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Summary() {}

  static ObjectNode toJson(RunResult r) {
    LoadOptions o = r.options();
    RunResult.Counts c = r.counts();
    ObjectNode root = JSON.createObjectNode();
    root.put("sessions", o.sessions());
    root.put("duration_s", o.duration().toMillis() / 1e3);
    root.put("ramp_s", o.ramp().toMillis() / 1e3);
    root.put("wall_s", round(r.wallSeconds(), 3));
    root.put("started_at", r.startedAt().toString());
    root.put("url", o.connectUri().toString());
    root.put("transport", o.transport());
    root.put("soak", o.soak());
    if (o.ratePerMinute().isPresent()) {
      root.put("rate_per_session_per_min", o.ratePerMinute().getAsDouble());
    } else {
      root.putNull("rate_per_session_per_min");
    }
    root.put("barge_in_probability", o.bargeIn());
    if (o.speechRatio().isPresent()) {
      root.put("speech_ratio", o.speechRatio().getAsDouble());
    } else {
      root.putNull("speech_ratio");
    }
    root.put("pattern", o.pattern());
    root.put("warmup_s", o.warmup().toMillis() / 1e3);
    root.put("recorded_from_s", round(r.recordedFromSeconds(), 3));
    root.put("lead_ms", o.lead().toMillis());

    RunResult.Playout p = r.playout();
    ObjectNode playout = root.putObject("playout");
    playout.put("frames", p.frames());
    playout.put("underruns", p.underruns());
    number(playout, "underruns_per_1000_frames",
        p.frames() == 0 ? Double.NaN : round(p.underruns() * 1000.0 / p.frames(), 3));
    playout.put("utterances_with_underrun", p.utterancesWithUnderrun());
    root.set("lateness_ms", percentiles(p.lateness(), true));

    root.set("first_audio_ms", percentiles(r.firstAudio(), true));
    root.set("jitter_ms", percentiles(r.jitter(), false));
    ObjectNode barge = percentiles(r.bargeIn(), false);
    barge.put("pauses", c.pauses());
    barge.put("stops", c.stops());
    root.set("barge_in_ms", barge);
    root.set("control_ack_ms", percentiles(r.controlAck(), false));

    root.put("utterances", c.utterances());
    root.put("utterances_started", c.utterancesStarted());
    root.put("utterances_stopped", c.utterancesStopped());
    root.put("utterances_failed", c.utterancesFailed());
    root.put("frames_received", c.framesReceived());
    root.put("frames_lost", c.framesLost());
    root.put("frames_out_of_order", c.framesOutOfOrder());
    root.put("frames_duplicated", c.framesDuplicated());
    root.put("errors", c.errors());
    ObjectNode errors = root.putObject("error_breakdown");
    errors.put("error_events", c.errorEvents());
    errors.put("unexpected_session_end", c.unexpectedSessionEnds());
    errors.put("connect_failures", c.connectFailures());
    errors.put("connections_lost", c.connectionsLost());
    errors.put("malformed_messages", c.malformed());
    errors.put("control_timeouts", c.controlTimeouts());
    ArrayNode samples = root.putArray("error_samples");
    r.errorSamples().forEach(samples::add);
    root.put("connections", c.connects());
    root.put("connection_rotations", c.rotations());

    ObjectNode harness = root.putObject("harness");
    harness.put("clients", r.harness().clients());
    harness.put("cpu_s", round(r.harness().cpuSeconds(), 3));
    number(harness, "cpu_us_per_frame",
        round(r.harness().cpuMicrosPerFrame(c.framesReceived()), 1));

    root.set("gateway", gateway(r));

    ArrayNode windows = root.putArray("windows");
    for (RunResult.Window w : r.windows()) {
      ObjectNode n = windows.addObject();
      n.put("start_s", round(w.startSeconds(), 1));
      n.put("end_s", round(w.endSeconds(), 1));
      n.put("utterances", w.firstAudio().count());
      number(n, "first_audio_p50_ms", w.firstAudio().p50());
      number(n, "first_audio_p99_ms", w.firstAudio().p99());
      number(n, "jitter_p99_ms", w.jitter().p99());
      number(n, "barge_in_p99_ms", w.bargeIn().p99());
    }
    root.put("timeline_step_s", timelineStep(r));
    ArrayNode timeline = root.putArray("timeline");
    for (Timeline t : Timeline.of(r.ticks(), timelineStep(r))) {
      ObjectNode n = timeline.addObject();
      n.put("t_s", round(t.tSeconds(), 1));
      n.put("sessions", t.sessions());
      n.put("frames_per_s", round(t.framesPerSecond(), 1));
      number(n, "gateway_cpu", round(t.cpu(), 4));
      number(n, "gateway_heap_mb", round(t.heapMb(), 1));
      number(n, "gateway_threads", t.threads());
      number(n, "gateway_sessions", t.gatewaySessions());
      number(n, "gateway_gc_pause_ms", round(t.gcPauseMs(), 2));
      n.put("harness_heap_mb", round(t.harnessHeapMb(), 1));
    }
    return root;
  }

  /** 1 s, or 10 s in soak mode. */
  static int timelineStep(RunResult r) {
    return r.options().soak() ? 10 : 1;
  }

  private static ObjectNode gateway(RunResult r) {
    ObjectNode g = JSON.createObjectNode();
    if (r.metricsUri() == null) {
      g.putNull("metrics_url");
    } else {
      g.put("metrics_url", r.metricsUri());
    }
    g.put("scrapes", r.metricsScrapes());
    g.put("scrape_failures", r.metricsFailures());
    if (r.metricsLastFailure() != null) {
      g.put("last_scrape_failure", r.metricsLastFailure());
    }
    double cpuMax = Double.NaN;
    double cpuSum = 0;
    int cpuN = 0;
    double heapMax = Double.NaN;
    double threadsMax = Double.NaN;
    double threadsMin = Double.NaN;
    double sessionsMax = Double.NaN;
    GatewaySample first = null;
    GatewaySample last = null;
    for (RunResult.Tick t : r.ticks()) {
      GatewaySample s = t.gateway();
      if (s == null || t.tSeconds() < r.recordedFromSeconds()) {
        continue; // the warm-up's samples
      }
      if (first == null) {
        first = s;
      }
      last = s;
      if (!Double.isNaN(s.cpu())) {
        cpuMax = Double.isNaN(cpuMax) ? s.cpu() : Math.max(cpuMax, s.cpu());
        cpuSum += s.cpu();
        cpuN++;
      }
      heapMax = max(heapMax, s.heapBytes());
      threadsMax = max(threadsMax, s.liveThreads());
      threadsMin = Double.isNaN(threadsMin) ? s.liveThreads()
          : Double.isNaN(s.liveThreads()) ? threadsMin : Math.min(threadsMin, s.liveThreads());
      sessionsMax = max(sessionsMax, s.sessionsActive());
    }
    g.put("samples", r.ticks().stream()
        .filter(t -> t.gateway() != null && t.tSeconds() >= r.recordedFromSeconds()).count());
    number(g, "cpu_max", round(cpuMax, 4));
    number(g, "cpu_mean", cpuN == 0 ? Double.NaN : round(cpuSum / cpuN, 4));
    number(g, "heap_max_mb", round(heapMax / 1048576.0, 1));
    number(g, "threads_max", threadsMax);
    number(g, "threads_min", threadsMin);
    number(g, "sessions_active_max", sessionsMax);
    if (first != null) {
      double pauses = nz(last.gcPauses()) - nz(first.gcPauses());
      double pauseS = nz(last.gcPauseSeconds()) - nz(first.gcPauseSeconds());
      g.put("gc_pauses", pauses);
      g.put("gc_pause_total_ms", round(pauseS * 1e3, 2));
      number(g, "gc_pause_mean_ms", pauses > 0 ? round(pauseS * 1e3 / pauses, 3) : Double.NaN);
    } else {
      g.putNull("gc_pauses");
      g.putNull("gc_pause_total_ms");
      g.putNull("gc_pause_mean_ms");
    }
    ObjectNode interval = g.putObject("send_interval_ms");
    interval.put("count", r.sendInterval().count());
    number(interval, "p50", round(r.sendInterval().p50(), 3));
    number(interval, "p99", round(r.sendInterval().p99(), 3));
    return g;
  }

  private static ObjectNode percentiles(Percentiles p, boolean withP90) {
    ObjectNode n = JSON.createObjectNode();
    n.put("count", p.count());
    number(n, "p50", p.p50());
    if (withP90) {
      number(n, "p90", p.p90());
    }
    number(n, "p99", p.p99());
    number(n, "max", p.max());
    return n;
  }

  static void write(RunResult r, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, JSON.writeValueAsString(toJson(r)) + "\n");
  }

  private static void number(ObjectNode n, String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  static double round(double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  private static double max(double a, double b) {
    if (Double.isNaN(a)) {
      return b;
    }
    return Double.isNaN(b) ? a : Math.max(a, b);
  }

  private static double nz(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  /** For the report: the windows' series as arrays. */
  static double[][] windowSeries(List<RunResult.Window> windows) {
    double[] t = new double[windows.size()];
    double[] p50 = new double[windows.size()];
    double[] p99 = new double[windows.size()];
    for (int i = 0; i < windows.size(); i++) {
      RunResult.Window w = windows.get(i);
      t[i] = w.endSeconds();
      p50[i] = w.firstAudio().p50();
      p99[i] = w.firstAudio().p99();
    }
    return new double[][] {t, p50, p99};
  }
}
