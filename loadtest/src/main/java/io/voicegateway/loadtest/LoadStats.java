package io.voicegateway.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Everything the sessions count, shared by all of them; every method is thread-safe. */
final class LoadStats implements SequenceTracker.Counts {

  /** How many error descriptions are kept for the summary. */
  static final int ERROR_SAMPLES = 20;

  final LatencyStats firstAudio = new LatencyStats();
  final LatencyStats jitter = new LatencyStats();
  final LatencyStats bargeIn = new LatencyStats();
  final LatencyStats controlAck = new LatencyStats();
  /** Per frame, {@link PlayoutMeter}: how much later than the pacing schedule it arrived. */
  final LatencyStats lateness = new LatencyStats();

  final LongAdder framesReceived = new LongAdder();
  /** Every frame since the start, warm-up included (progress and timeline; never reset). */
  final LongAdder framesSeen = new LongAdder();
  /** Frames the playout model measured, and those of them that arrived after their due time. */
  final LongAdder playoutFrames = new LongAdder();
  final LongAdder underruns = new LongAdder();
  final LongAdder utterancesWithUnderrun = new LongAdder();
  final LongAdder framesLost = new LongAdder();
  final LongAdder framesDuplicated = new LongAdder();
  final LongAdder framesOutOfOrder = new LongAdder();
  final LongAdder utterancesStarted = new LongAdder();
  final LongAdder utterances = new LongAdder();
  final LongAdder utterancesStopped = new LongAdder();
  final LongAdder utterancesFailed = new LongAdder();
  final LongAdder pauses = new LongAdder();
  final LongAdder stops = new LongAdder();
  final LongAdder connects = new LongAdder();
  final LongAdder rotations = new LongAdder();

  final LongAdder errorEvents = new LongAdder();
  final LongAdder unexpectedSessionEnds = new LongAdder();
  final LongAdder connectFailures = new LongAdder();
  final LongAdder connectionsLost = new LongAdder();
  final LongAdder malformed = new LongAdder();
  final LongAdder controlTimeouts = new LongAdder();

  final AtomicInteger sessionsOpen = new AtomicInteger();
  private final List<String> errorSamples = new ArrayList<>();

  @Override
  public void lost(long n) {
    framesLost.add(n);
  }

  @Override
  public void duplicated() {
    framesDuplicated.increment();
  }

  @Override
  public void outOfOrder() {
    framesOutOfOrder.increment();
  }

  long errors() {
    return errorEvents.sum() + unexpectedSessionEnds.sum() + connectFailures.sum()
        + connectionsLost.sum() + malformed.sum() + controlTimeouts.sum();
  }

  /** Keeps the first {@link #ERROR_SAMPLES} error descriptions. */
  void errorSample(String what) {
    synchronized (errorSamples) {
      if (errorSamples.size() < ERROR_SAMPLES) {
        errorSamples.add(what);
      }
    }
  }

  List<String> errorSamples() {
    synchronized (errorSamples) {
      return List.copyOf(errorSamples);
    }
  }

  /** Moves the latency recorders' new values into their totals (the ticker, once a second). */
  void roll() {
    latencies().forEach(LatencyStats::roll);
  }

  /**
   * The warm-up is over: forgets everything recorded so far except {@link #framesSeen} and the
   * sessions open. A value recorded by another thread at this very moment may land on either side.
   */
  void discardWarmup() {
    latencies().forEach(LatencyStats::discard);
    for (LongAdder a : List.of(framesReceived, framesLost, framesDuplicated, framesOutOfOrder,
        playoutFrames, underruns, utterancesWithUnderrun, utterancesStarted, utterances,
        utterancesStopped, utterancesFailed, pauses, stops, connects, rotations, errorEvents,
        unexpectedSessionEnds, connectFailures, connectionsLost, malformed, controlTimeouts)) {
      a.reset();
    }
    synchronized (errorSamples) {
      errorSamples.clear();
    }
  }

  private List<LatencyStats> latencies() {
    return List.of(firstAudio, jitter, bargeIn, controlAck, lateness);
  }
}
