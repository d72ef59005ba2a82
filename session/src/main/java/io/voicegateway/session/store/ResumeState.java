package io.voicegateway.session.store;

import java.util.List;

/**
 * What a session needs to continue after its node or connection is lost: saved by the entity as
 * it changes ({@link SessionStore#save}) and handed to the next incarnation on resume.
 *
 * @param nextSequence the sequence the next audio frame gets (as of the save)
 * @param nextUtteranceNumber the next gateway-assigned utterance id is {@code u<n>}
 * @param accepted texts the session accepted in all; a resuming client re-sends the ones it sent
 *     after these (they never reached the session)
 * @param messages Say and Control messages counted toward the limit
 * @param paused whether the client had paused the session
 * @param utterances the unfinished utterances in order: the one being spoken first (with its
 *     {@code firstSequence}), then the queued ones ({@code firstSequence} 0)
 * @param workerSession the worker session this incarnation holds open, or null: a resumed
 *     incarnation ends it, since a dead node never did
 */
public record ResumeState(
    long nextSequence,
    long nextUtteranceNumber,
    long accepted,
    int messages,
    boolean paused,
    List<SavedUtterance> utterances,
    WorkerSession workerSession,
    Boolean bargeIn) {

  public ResumeState {
    utterances = utterances == null ? List.of() : List.copyOf(utterances);
  }

  /** A state without the client's barge-in choice (records written before it was kept). */
  public ResumeState(long nextSequence, long nextUtteranceNumber, long accepted, int messages,
      boolean paused, List<SavedUtterance> utterances, WorkerSession workerSession) {
    this(nextSequence, nextUtteranceNumber, accepted, messages, paused, utterances, workerSession,
        null);
  }

  /** A session on a worker: where to dial it and its {@code session_id} there. */
  public record WorkerSession(String host, int port, String sessionId) {}

  /**
   * One accepted utterance not yet finished.
   *
   * @param firstSequence the sequence of its first frame once it started speaking, else 0
   */
  public record SavedUtterance(String id, String text, long firstSequence) {}
}
