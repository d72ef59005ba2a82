package io.voicegateway.session;

/**
 * What a {@link SessionEntity} reports about its session; the gateway backs it with Micrometer.
 * Called on the entity's thread; implementations must be cheap and thread-safe (many sessions).
 */
public interface SessionMetrics {

  /** Say received → first Audio of that utterance sent to the client. */
  void firstAudio(long nanos);

  /** An Audio event left toward the client; time since the previous one of the same utterance. */
  void frameSent(long nanosSincePrevious);

  /** PAUSE/STOP handled → last frame sent after it (0: nothing left after the act). */
  void bargeIn(long nanos);

  /** An utterance ended: {@code completed}, {@code stopped} or {@code failed}. */
  void utteranceEnded(String outcome);

  /** No eligible worker when the session needed one. */
  void workerSelectionFailed();

  /** Frames received from the worker and never sent to the client (STOP, session end). */
  void framesDropped(long n);

  /** Counts nothing. */
  SessionMetrics NONE = new SessionMetrics() {
    @Override
    public void firstAudio(long nanos) {}

    @Override
    public void frameSent(long nanosSincePrevious) {}

    @Override
    public void bargeIn(long nanos) {}

    @Override
    public void utteranceEnded(String outcome) {}

    @Override
    public void workerSelectionFailed() {}

    @Override
    public void framesDropped(long n) {}
  };
}
