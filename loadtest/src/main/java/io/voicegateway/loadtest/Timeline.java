package io.voicegateway.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-second ticks of a run grouped into steps (1 s normally, 10 s in soak mode, so a long
 * run stays compact): the charts and summary.json's {@code timeline} are made of these.
 *
 * @param tSeconds the end of the step, seconds since the start
 * @param sessions sessions open at the client at the end of the step
 * @param framesPerSecond audio frames received per second during the step
 * @param cpu mean gateway {@code process_cpu_usage} (0..1), NaN without metrics
 * @param cpuMax the highest gateway CPU sample of the step
 * @param heapMb the highest gateway heap used, MiB
 * @param threads the highest gateway live thread count
 * @param gatewaySessions the highest {@code voicegw_sessions_active}
 * @param gcPauseMs gateway GC pause time during the step, ms
 * @param harnessHeapMb the harness' own heap used at the end of the step, MiB
 */
record Timeline(double tSeconds, int sessions, double framesPerSecond, double cpu, double cpuMax,
    double heapMb, double threads, double gatewaySessions, double gcPauseMs,
    double harnessHeapMb) {

  static List<Timeline> of(List<RunResult.Tick> ticks, int step) {
    List<Timeline> out = new ArrayList<>();
    double previousT = 0;
    long previousFrames = 0;
    double previousGc = Double.NaN;
    for (int start = 0; start < ticks.size(); start += step) {
      List<RunResult.Tick> group = ticks.subList(start, Math.min(ticks.size(), start + step));
      RunResult.Tick last = group.get(group.size() - 1);
      double cpuSum = 0;
      int cpuN = 0;
      double cpuMax = Double.NaN;
      double heap = Double.NaN;
      double threads = Double.NaN;
      double gwSessions = Double.NaN;
      double gcAtEnd = Double.NaN;
      for (RunResult.Tick t : group) {
        GatewaySample g = t.gateway();
        if (g == null) {
          continue;
        }
        if (!Double.isNaN(g.cpu())) {
          cpuSum += g.cpu();
          cpuN++;
          cpuMax = max(cpuMax, g.cpu());
        }
        heap = max(heap, g.heapBytes() / 1048576.0);
        threads = max(threads, g.liveThreads());
        gwSessions = max(gwSessions, g.sessionsActive());
        // the series is absent until the first collection: no pause yet
        gcAtEnd = Double.isNaN(g.gcPauseSeconds()) ? 0 : g.gcPauseSeconds();
      }
      double gcMs = Double.isNaN(gcAtEnd) ? Double.NaN
          : (gcAtEnd - (Double.isNaN(previousGc) ? gcAtEnd : previousGc)) * 1e3;
      if (!Double.isNaN(gcAtEnd)) {
        previousGc = gcAtEnd;
      }
      double dt = last.tSeconds() - previousT;
      out.add(new Timeline(last.tSeconds(), last.sessionsOpen(),
          dt > 0 ? (last.frames() - previousFrames) / dt : 0, cpuN == 0 ? Double.NaN
              : cpuSum / cpuN, cpuMax, heap, threads, gwSessions, gcMs, last.harnessHeapMb()));
      previousT = last.tSeconds();
      previousFrames = last.frames();
    }
    return out;
  }

  private static double max(double a, double b) {
    if (Double.isNaN(a)) {
      return b;
    }
    if (Double.isNaN(b)) {
      return a;
    }
    return Math.max(a, b);
  }
}
