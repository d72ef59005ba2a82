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
 * @param recordedFromSeconds when the warm-up ended and recording began, seconds since the start
 * @param playout the playout model's figures ({@link PlayoutMeter})
 * @param harness what the load generator itself cost while recording
 * @param sendInterval the gateway's own send-interval histogram while recording (its
 *     {@code /metrics}); {@link GatewayHistogram.Quantiles#EMPTY} when not read
 */
record RunResult(LoadOptions options, Instant startedAt, double wallSeconds, int windowSeconds,
    Counts counts, Percentiles firstAudio, Percentiles jitter, Percentiles bargeIn,
    Percentiles controlAck, List<String> errorSamples, List<Tick> ticks, List<Window> windows,
    Histogram jitterHistogram, String metricsUri, long metricsScrapes, long metricsFailures,
    String metricsLastFailure, double recordedFromSeconds, Playout playout, Harness harness,
    GatewayHistogram.Quantiles sendInterval) {

  /**
   * The playout model over every measured frame of every utterance.
   *
   * @param frames frames measured (those of an utterance before any PAUSE or STOP)
   * @param underruns frames that arrived after the previous frame had played out
   * @param utterancesWithUnderrun utterances completed with at least one underrun
   * @param lateness per frame, arrival − the pacing schedule, never below 0
   */
  record Playout(long frames, long underruns, long utterancesWithUnderrun, Percentiles lateness) {}

  /**
   * The load generator's own cost while recording.
   *
   * @param clients {@code HttpClient}s the sessions were spread over
   * @param cpuSeconds CPU time of the load generator's process (all threads, user + system)
   *     from the end of the warm-up to the end of the run
   */
  record Harness(int clients, double cpuSeconds) {

    /** CPU microseconds per frame received, NaN without frames. */
    double cpuMicrosPerFrame(long frames) {
      return frames == 0 ? Double.NaN : cpuSeconds * 1e6 / frames;
    }
  }

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
