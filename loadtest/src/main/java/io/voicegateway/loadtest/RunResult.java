package io.voicegateway.loadtest;

import io.voicegateway.loadtest.LatencyStats.Percentiles;
import java.time.Instant;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The outcome of a run, everything summary.json and report.html are made of.
 *
 * @param ticks one per second of the run
 * @param windows latency percentiles per window ({@code windowSeconds}: 5 s, 10 s in soak mode)
 * @param jitterHistogram every jitter value of the run, in microseconds
 * @param metricsUri the scraped endpoint, null when not sampled
 */
record RunResult(LoadOptions options, Instant startedAt, double wallSeconds, int windowSeconds,
    Counts counts, Percentiles firstAudio, Percentiles jitter, Percentiles bargeIn,
    Percentiles controlAck, List<String> errorSamples, List<Tick> ticks, List<Window> windows,
    Histogram jitterHistogram, String metricsUri, long metricsScrapes, long metricsFailures,
    String metricsLastFailure) {

  /** The counters at the end of the run. */
  record Counts(long utterancesStarted, long utterances, long utterancesStopped,
      long utterancesFailed, long framesReceived, long framesLost, long framesDuplicated,
      long framesOutOfOrder, long pauses, long stops, long connects, long rotations,
      long errorEvents, long unexpectedSessionEnds, long connectFailures, long connectionsLost,
      long malformed, long controlTimeouts) {

    long errors() {
      return errorEvents + unexpectedSessionEnds + connectFailures + connectionsLost + malformed
          + controlTimeouts;
    }

    static Counts of(LoadStats s) {
      return new Counts(s.utterancesStarted.sum(), s.utterances.sum(), s.utterancesStopped.sum(),
          s.utterancesFailed.sum(), s.framesReceived.sum(), s.framesLost.sum(),
          s.framesDuplicated.sum(), s.framesOutOfOrder.sum(), s.pauses.sum(), s.stops.sum(),
          s.connects.sum(), s.rotations.sum(), s.errorEvents.sum(), s.unexpectedSessionEnds.sum(),
          s.connectFailures.sum(), s.connectionsLost.sum(), s.malformed.sum(),
          s.controlTimeouts.sum());
    }
  }

  /**
   * One second of the run.
   *
   * @param tSeconds seconds since the start, at the end of this second
   * @param gateway the gateway's metrics at about that time, null if none were read
   */
  record Tick(double tSeconds, int sessionsOpen, long utterances, long frames, long errors,
      GatewaySample gateway, double harnessHeapMb) {}

  /** Latency percentiles of the utterances and frames of one window. */
  record Window(double startSeconds, double endSeconds, Percentiles firstAudio,
      Percentiles jitter, Percentiles bargeIn) {}
}
