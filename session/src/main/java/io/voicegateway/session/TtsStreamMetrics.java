package io.voicegateway.session;

/** Counters a {@link TtsStream} reports; the gateway backs them with Micrometer. */
public interface TtsStreamMetrics {

  /** A frame broke WIRE.md §2 (empty audio without is_final, wrong size, data after is_final). */
  void protocolErrorFrame();

  /** A Synthesize call failed (transport error, worker gone, gRPC status). */
  void streamError();

  /** Counts nothing. */
  TtsStreamMetrics NONE = new TtsStreamMetrics() {
    @Override
    public void protocolErrorFrame() {}

    @Override
    public void streamError() {}
  };
}
