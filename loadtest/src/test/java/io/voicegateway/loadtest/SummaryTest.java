package io.voicegateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryTest {

  static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /** A made-up run of {@code seconds} seconds with metrics, for the shape of the outputs. */
  static RunResult syntheticRun(boolean soak, int seconds) {
    LoadOptions options = ((LoadOptions.Run) LoadOptions.parse(soak
        ? new String[] {"--soak", "--duration", seconds + "s", "--sessions", "100"}
        : new String[] {"--duration", seconds + "s", "--sessions", "100", "--barge-in", "0.2"}))
        .options();
    LatencyStats first = new LatencyStats();
    LatencyStats jitter = new LatencyStats();
    LatencyStats barge = new LatencyStats();
    LatencyStats lateness = new LatencyStats();
    List<RunResult.Tick> ticks = new ArrayList<>();
    List<RunResult.Window> windows = new ArrayList<>();
    int window = soak ? 10 : 5;
    double lastWindow = 0;
    for (int s = 1; s <= seconds; s++) {
      for (int k = 0; k < 20; k++) {
        first.recordNanos((2 + k % 7) * 1_000_000L + s * 10_000L);
        jitter.recordNanos(k * 150_000L);
        lateness.recordNanos(k == 0 ? 130_000_000L : 0);
      }
      barge.recordNanos(300_000);
      first.roll();
      jitter.roll();
      barge.roll();
      lateness.roll();
      GatewaySample g = new GatewaySample(0.2 + 0.01 * (s % 5), (100 + s % 10) * 1048576.0,
          0.001 * s, s, 60, Math.min(100, s * 10));
      ticks.add(new RunResult.Tick(s, Math.min(100, s * 10), s * 5L, s * 2000L, 0, g,
          50 + s % 3));
      if (s % window == 0) {
        windows.add(new RunResult.Window(lastWindow, s, first.closeWindow(),
            jitter.closeWindow(), barge.closeWindow()));
        lastWindow = s;
      }
    }
    RunResult.Counts counts = new RunResult.Counts(500, 498, 10, 0, 12_000, 0, 0, 0, 50, 50,
        100, 0, 0, 0, 0, 0, 0, 0);
    return new RunResult(options, Instant.parse("2026-11-26T10:00:00Z"), seconds + 1.5, window,
        counts, first.total(), jitter.total(), barge.total(), barge.total(), List.of(), ticks,
        windows, jitter.totalHistogram(), "http://127.0.0.1:8081/metrics", seconds, 0, null, 0,
        new RunResult.Playout(20L * seconds, seconds, seconds, lateness.total()),
        new RunResult.Harness(2, 1.2), new GatewayHistogram.Quantiles(9_000, 19.5, 24.25));
  }

  @Test
  void summaryHasTheRequiredShape() {
    JsonNode s = Summary.toJson(syntheticRun(false, 30));
    for (String field : new String[] {"sessions", "duration_s", "first_audio_ms", "jitter_ms",
        "barge_in_ms", "frames_received", "frames_lost", "frames_out_of_order",
        "frames_duplicated", "errors", "utterances", "transport", "gateway", "windows",
        "timeline"}) {
      assertTrue(s.has(field), field);
    }
    assertEquals(100, s.get("sessions").asInt());
    assertEquals(30.0, s.get("duration_s").asDouble());
    assertEquals("json", s.get("transport").asText());
    assertEquals(498, s.get("utterances").asLong());
    assertEquals(12_000, s.get("frames_received").asLong());
    for (String p : new String[] {"p50", "p90", "p99", "max"}) {
      assertTrue(s.get("first_audio_ms").get(p).isNumber(), p);
    }
    for (String p : new String[] {"p50", "p99", "max"}) {
      assertTrue(s.get("jitter_ms").get(p).isNumber(), p);
      assertTrue(s.get("barge_in_ms").get(p).isNumber(), p);
    }
    double p50 = s.get("first_audio_ms").get("p50").asDouble();
    double p99 = s.get("first_audio_ms").get("p99").asDouble();
    assertTrue(p50 > 2 && p50 <= p99 && p99 <= s.get("first_audio_ms").get("max").asDouble());
    JsonNode g = s.get("gateway");
    assertEquals(0.24, g.get("cpu_max").asDouble(), 1e-9);
    assertEquals(109.0, g.get("heap_max_mb").asDouble(), 1e-9);
    assertEquals(100, g.get("sessions_active_max").asInt());
    assertEquals(29, g.get("gc_pauses").asInt());
    assertEquals(6, s.get("windows").size());
    assertEquals(30, s.get("timeline").size());
    assertEquals(1, s.get("timeline_step_s").asInt());
  }

  @Test
  void gatewaySamplesOfTheWarmUpAreLeftOut() {
    RunResult r = syntheticRun(false, 30);
    RunResult warm = new RunResult(r.options(), r.startedAt(), r.wallSeconds(), r.windowSeconds(),
        r.counts(), r.firstAudio(), r.jitter(), r.bargeIn(), r.controlAck(), r.errorSamples(),
        r.ticks(), r.windows(), r.jitterHistogram(), r.metricsUri(), r.metricsScrapes(),
        r.metricsFailures(), r.metricsLastFailure(), 21, r.playout(), r.harness(),
        r.sendInterval());
    JsonNode g = Summary.toJson(warm).get("gateway");
    assertEquals(10, g.get("samples").asInt()); // ticks 21..30
    assertEquals(9, g.get("gc_pauses").asInt()); // 30 − 21
    assertEquals(21.0, Summary.toJson(warm).get("recorded_from_s").asDouble());
    assertEquals(30, Summary.toJson(r).get("gateway").get("samples").asInt());
  }

  @Test
  void playoutHarnessAndGatewaySendIntervalAreReported() {
    JsonNode s = Summary.toJson(syntheticRun(false, 30));
    JsonNode p = s.get("playout");
    assertEquals(600, p.get("frames").asLong());
    assertEquals(30, p.get("underruns").asLong());
    assertEquals(50.0, p.get("underruns_per_1000_frames").asDouble(), 1e-9);
    assertEquals(30, p.get("utterances_with_underrun").asLong());
    JsonNode late = s.get("lateness_ms");
    assertEquals(600, late.get("count").asLong());
    assertEquals(0.0, late.get("p50").asDouble());
    assertEquals(130.0, late.get("p99").asDouble(), 0.2);
    assertEquals(130.0, late.get("max").asDouble(), 0.2);
    assertEquals(100, s.get("lead_ms").asLong());
    assertEquals(0.0, s.get("warmup_s").asDouble());
    JsonNode h = s.get("harness");
    assertEquals(2, h.get("clients").asInt());
    assertEquals(100.0, h.get("cpu_us_per_frame").asDouble(), 1e-9); // 1.2 s over 12 000 frames
    JsonNode si = s.get("gateway").get("send_interval_ms");
    assertEquals(9_000, si.get("count").asLong());
    assertEquals(19.5, si.get("p50").asDouble(), 1e-9);
    assertEquals(24.25, si.get("p99").asDouble(), 1e-9);
    String line = LoadTestMain.qualityLine(syntheticRun(false, 30));
    assertTrue(line.startsWith(
        "underruns 30 of 600 frames (30 utterances) | lateness ms p50 0 p99 130"), line);
    assertTrue(line.contains("gateway send interval ms p50 19.5 p99 24.3"), line);
    assertTrue(line.endsWith("harness CPU 100 µs/frame (2 clients)"), line);
  }

  @Test
  void soakSeriesAreAggregatedPerTenSeconds() {
    JsonNode s = Summary.toJson(syntheticRun(true, 120));
    assertEquals(10, s.get("timeline_step_s").asInt());
    assertEquals(12, s.get("timeline").size());
    assertEquals(12, s.get("windows").size());
    JsonNode t0 = s.get("timeline").get(0);
    assertEquals(10.0, t0.get("t_s").asDouble());
    assertEquals(109.0, t0.get("gateway_heap_mb").asDouble(), 1e-9);
    assertEquals(2000.0, t0.get("frames_per_s").asDouble(), 1e-9);
  }

  @Test
  void missingValuesAreNull() {
    RunResult r = syntheticRun(false, 10);
    RunResult empty = new RunResult(r.options(), r.startedAt(), 1, 5, r.counts(),
        LatencyStats.Percentiles.EMPTY, LatencyStats.Percentiles.EMPTY,
        LatencyStats.Percentiles.EMPTY, LatencyStats.Percentiles.EMPTY, List.of("x"),
        List.of(new RunResult.Tick(1, 1, 0, 0, 0, null, 10)), List.of(),
        new LatencyStats().totalHistogram(), null, 0, 0, null, 0,
        new RunResult.Playout(0, 0, 0, LatencyStats.Percentiles.EMPTY),
        new RunResult.Harness(1, 0), GatewayHistogram.Quantiles.EMPTY);
    JsonNode s = Summary.toJson(empty);
    assertTrue(s.get("first_audio_ms").get("p50").isNull());
    assertTrue(s.get("gateway").get("cpu_max").isNull());
    assertTrue(s.get("gateway").get("metrics_url").isNull());
    assertTrue(s.get("lateness_ms").get("p99").isNull());
    assertTrue(s.get("playout").get("underruns_per_1000_frames").isNull());
    assertTrue(s.get("gateway").get("send_interval_ms").get("p99").isNull());
    assertEquals("x", s.get("error_samples").get(0).asText());
  }

  @Test
  void reportAndChartsAreWritten(@TempDir Path dir) throws Exception {
    RunResult r = syntheticRun(true, 60);
    Summary.write(r, dir.resolve("summary.json"));
    List<Path> charts = Report.write(r, dir);
    assertEquals(List.of("first_audio.png", "jitter.png", "gateway_cpu.png", "gateway_heap.png",
            "soak_heap.png", "soak_threads.png", "soak_sessions.png"),
        charts.stream().map(p -> p.getFileName().toString()).toList());
    for (Path png : charts) {
      byte[] bytes = Files.readAllBytes(png);
      assertArrayEquals(PNG_MAGIC, java.util.Arrays.copyOf(bytes, 8), png.toString());
      BufferedImage img = ImageIO.read(png.toFile());
      assertEquals(Charts.WIDTH, img.getWidth());
    }
    String html = Files.readString(dir.resolve("report.html"));
    assertTrue(html.contains("data:image/png;base64,"));
    assertTrue(html.contains("soak_threads.png"));
    assertTrue(html.endsWith("</html>\n"));
    assertTrue(Summary.JSON.readTree(dir.resolve("summary.json").toFile()).has("sessions"));
  }

  @Test
  void niceSteps() {
    assertEquals(1, Charts.niceStep(0.7), 1e-12);
    assertEquals(2, Charts.niceStep(1.3), 1e-12);
    assertEquals(25, Charts.niceStep(21), 1e-12);
    assertEquals(0.05, Charts.niceStep(0.04), 1e-12);
    assertEquals(2.0, Report.slope(new double[] {0, 1, 2}, new double[] {1, 3, 5}), 1e-12);
  }
}
