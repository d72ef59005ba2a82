package io.voicegateway.worker.engine;

/**
 * A run of mono signed 16-bit PCM samples at some sample rate.
 *
 * @param samples the samples; never mutated after construction
 * @param last true when no more samples follow for the current text
 */
public record PcmChunk(short[] samples, boolean last) {}
