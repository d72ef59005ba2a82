package io.voicegateway.worker;

import io.voicegateway.worker.engine.SynthesisMeter;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measured real-time factor of the worker's engines: compute time divided by audio time, over
 * recent work. Older work fades with a half-life, so the figure follows the current load.
 *
 * <p>{@link #record} sits on the audio path of every synthesis, so it only adds to two
 * contention-free counters; the fading is applied when the figure is read (heartbeats, RPCs).
 */
final class RtfMeter implements SynthesisMeter {

  private static final double HALF_LIFE_NANOS = 60e9;

  private final LongAdder computeNanos = new LongAdder();
  private final LongAdder audioNanos = new LongAdder();

  private long seenCompute;
  private long seenAudio;
  private double fadedCompute;
  private double fadedAudio;
  private long lastRead = System.nanoTime();

  @Override
  public void record(long compute, long samples, int sampleRate) {
    if (samples <= 0 || sampleRate <= 0) return;
    computeNanos.add(compute);
    audioNanos.add(samples * 1_000_000_000L / sampleRate);
  }

  /** Forgets all work so far (the start-up warm-up's, done with cold code: not the engine's pace). */
  synchronized void reset() {
    seenCompute = computeNanos.sum();
    seenAudio = audioNanos.sum();
    fadedCompute = 0;
    fadedAudio = 0;
    lastRead = System.nanoTime();
  }

  /** The real-time factor (0 until some audio has been produced). */
  synchronized double rtf() {
    long now = System.nanoTime();
    double fade = Math.pow(0.5, (now - lastRead) / HALF_LIFE_NANOS);
    long compute = computeNanos.sum();
    long audio = audioNanos.sum();
    fadedCompute = fadedCompute * fade + (compute - seenCompute);
    fadedAudio = fadedAudio * fade + (audio - seenAudio);
    seenCompute = compute;
    seenAudio = audio;
    lastRead = now;
    return fadedAudio <= 0 ? 0.0 : fadedCompute / fadedAudio;
  }
}
