package io.voicegateway.loadtest;

import java.util.List;

/**
 * What the harness reads from one scrape of the gateway's {@code /metrics}. A value the gateway
 * did not expose is NaN.
 *
 * @param cpu {@code process_cpu_usage}: the gateway process' recent CPU use, 0..1 of all cores
 * @param heapBytes the sum of {@code jvm_memory_used_bytes{area="heap"}} over the heap pools
 * @param gcPauseSeconds the sum of {@code jvm_gc_pause_seconds_sum} (all collectors and causes)
 * @param gcPauses the sum of {@code jvm_gc_pause_seconds_count}
 * @param liveThreads {@code jvm_threads_live_threads}
 * @param sessionsActive {@code voicegw_sessions_active}
 */
record GatewaySample(double cpu, double heapBytes, double gcPauseSeconds, double gcPauses,
    double liveThreads, double sessionsActive) {

  static GatewaySample from(List<PrometheusText.Sample> samples) {
    double cpu = Double.NaN;
    double heap = Double.NaN;
    double gcSum = Double.NaN;
    double gcCount = Double.NaN;
    double threads = Double.NaN;
    double sessions = Double.NaN;
    for (PrometheusText.Sample s : samples) {
      switch (s.name()) {
        case "process_cpu_usage" -> cpu = s.value();
        case "jvm_memory_used_bytes" -> {
          if ("heap".equals(s.labels().get("area"))) {
            heap = plus(heap, s.value());
          }
        }
        case "jvm_gc_pause_seconds_sum" -> gcSum = plus(gcSum, s.value());
        case "jvm_gc_pause_seconds_count" -> gcCount = plus(gcCount, s.value());
        case "jvm_threads_live_threads" -> threads = s.value();
        case "voicegw_sessions_active" -> sessions = s.value();
        default -> { }
      }
    }
    return new GatewaySample(cpu, heap, gcSum, gcCount, threads, sessions);
  }

  static GatewaySample parse(String text) {
    return from(PrometheusText.parse(text));
  }

  private static double plus(double sum, double v) {
    return Double.isNaN(sum) ? v : sum + v;
  }
}
