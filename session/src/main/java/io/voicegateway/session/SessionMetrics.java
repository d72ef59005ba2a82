package io.voicegateway.session;

/**
 * What a {@link SessionEntity} reports about its session; the gateway backs it with Micrometer.
 * Called on the entity's thread; implementations must be cheap and thread-safe (many sessions).
 */
public interface SessionMetrics {

  /**
   * The first Audio of an utterance left toward the client.
   *
   * @param totalNanos Say received → that Audio sent
   * @param workerNanos the part spent waiting for the worker: Speak sent to the stream → first
   *     frame of that synthesis received from it (the last attempt's, after a failover). The
   *     difference is what the gateway added.
   */
  void firstAudio(long totalNanos, long workerNanos);

  /**
   * An Audio event left toward the client; the time since the previous one of the same utterance,
   * 0 for an utterance's first.
   */
  void frameSent(long nanosSincePrevious);

  /** An utterance ended: {@code completed}, {@code stopped} or {@code failed}. */
  void utteranceEnded(String outcome);

  /** No eligible worker when the session needed one. */
  void workerSelectionFailed();

  /** Frames received from the worker and never sent to the client (STOP, session end). */
  void framesDropped(long n);

  /** The user started speaking, recognised {@code heardMs} of audio after the onset. */
  default void speechStarted(long heardMs) {}

  /** An automatic barge-in: {@code started}, {@code confirmed} or {@code false}. */
  default void interruption(String outcome) {}

  /** The user's turn ended after {@code speechMs} of speech. */
  default void userTurnEnded(long speechMs) {}

  /** Counts nothing. */
  SessionMetrics NONE = new SessionMetrics() {
    @Override
    public void firstAudio(long totalNanos, long workerNanos) {}

    @Override
    public void frameSent(long nanosSincePrevious) {}

    @Override
    public void utteranceEnded(String outcome) {}

    @Override
    public void workerSelectionFailed() {}

    @Override
    public void framesDropped(long n) {}
  };
}
