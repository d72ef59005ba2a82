package io.voicegateway.worker.engine;

/** Receives how long an engine worked to produce how much audio; feeds the worker's rtf metric. */
public interface SynthesisMeter {

  /** The engine spent {@code computeNanos} producing {@code samples} samples at {@code sampleRate}. */
  void record(long computeNanos, long samples, int sampleRate);

  SynthesisMeter NONE = (computeNanos, samples, sampleRate) -> {};
}
