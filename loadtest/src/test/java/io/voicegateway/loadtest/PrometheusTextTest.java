package io.voicegateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  static final String SCRAPE = """
      # HELP process_cpu_usage The "recent cpu usage" for the Java Virtual Machine process
      # TYPE process_cpu_usage gauge
      process_cpu_usage 0.4375
      # HELP jvm_memory_used_bytes The amount of used memory
      # TYPE jvm_memory_used_bytes gauge
      jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 2.097152E7
      jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 3.145728E7
      jvm_memory_used_bytes{area="heap",id="G1 Survivor Space"} 1048576.0
      jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 6.0E7
      # TYPE jvm_gc_pause_seconds summary
      jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 12
      jvm_gc_pause_seconds_sum{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.048
      jvm_gc_pause_seconds_count{action="end of major GC",cause="System.gc()",gc="G1 Old Generation"} 1
      jvm_gc_pause_seconds_sum{action="end of major GC",cause="System.gc()",gc="G1 Old Generation"} 0.012
      jvm_gc_pause_seconds_max{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.006
      jvm_threads_live_threads 57
      voicegw_sessions_active 100
      voicegw_first_audio_latency_seconds_bucket{le="0.005"} 10
      voicegw_first_audio_latency_seconds_bucket{le="+Inf"} 12
      """;

  @Test
  void readsSamplesWithLabels() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(SCRAPE);
    assertEquals(14, samples.size());
    PrometheusText.Sample eden = samples.get(1);
    assertEquals("jvm_memory_used_bytes", eden.name());
    assertEquals(Map.of("area", "heap", "id", "G1 Eden Space"), eden.labels());
    assertEquals(2.097152E7, eden.value());
    assertEquals(Double.POSITIVE_INFINITY,
        PrometheusText.parseValue("+Inf"));
    assertEquals("+Inf", samples.get(13).labels().get("le"));
  }

  @Test
  void escapesInLabelValuesAndTimestamps() {
    PrometheusText.Sample s =
        PrometheusText.parseLine("m{path=\"a\\\"b\\\\c\\nd\",x=\"\"} 1.5 1700000000000");
    assertEquals("a\"b\\c\nd", s.labels().get("path"));
    assertEquals("", s.labels().get("x"));
    assertEquals(1.5, s.value());
    assertTrue(Double.isNaN(PrometheusText.parseLine("m NaN").value()));
  }

  @Test
  void badLinesAreSkipped() {
    assertNull(PrometheusText.parseLine("m{a=\"unclosed} 1"));
    assertNull(PrometheusText.parseLine("m"));
    assertNull(PrometheusText.parseLine("m abc"));
    assertNull(PrometheusText.parseLine("{a=\"b\"} 1"));
    assertEquals(1, PrometheusText.parse("garbage line here\nok 1\n\n").size());
  }

  @Test
  void gatewaySampleSumsTheHeapPoolsAndGcSeries() {
    GatewaySample g = GatewaySample.parse(SCRAPE);
    assertEquals(0.4375, g.cpu());
    assertEquals(2.097152E7 + 3.145728E7 + 1048576.0, g.heapBytes());
    assertEquals(0.060, g.gcPauseSeconds(), 1e-12);
    assertEquals(13, g.gcPauses());
    assertEquals(57, g.liveThreads());
    assertEquals(100, g.sessionsActive());
  }

  @Test
  void missingMetricsAreNaN() {
    GatewaySample g = GatewaySample.parse("process_cpu_usage 0.1\n");
    assertEquals(0.1, g.cpu());
    assertTrue(Double.isNaN(g.heapBytes()));
    assertTrue(Double.isNaN(g.sessionsActive()));
  }
}
