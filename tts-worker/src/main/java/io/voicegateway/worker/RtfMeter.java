package io.voicegateway.worker;

import io.voicegateway.worker.engine.SynthesisMeter;

/**
 * Measured real-time factor of the worker's engines: compute time divided by audio time, over
 * recent work. Older work fades with a half-life, so the figure follows the current load.
 */
final class RtfMeter implements SynthesisMeter {

  private static final double HALF_LIFE_NANOS = 60e9;

  private double computeNanos;
  private double audioNanos;
  private long lastUpdate = System.nanoTime();

  @Override
  public synchronized void record(long compute, long samples, int sampleRate) {
    if (samples <= 0 || sampleRate <= 0) return;
    decay();
    computeNanos += compute;
    audioNanos += samples * 1e9 / sampleRate;
  }

  /** The real-time factor (0 until some audio has been produced). */
  synchronized double rtf() {
    decay();
    return audioNanos <= 0 ? 0.0 : computeNanos / audioNanos;
  }

  private void decay() {
    long now = System.nanoTime();
    double factor = Math.pow(0.5, (now - lastUpdate) / HALF_LIFE_NANOS);
    computeNanos *= factor;
    audioNanos *= factor;
    lastUpdate = now;
  }
}
