package io.voicegateway.session.store;

import io.voicegateway.session.SessionEntityId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a session's resumable state lives outside its node (DESIGN.md, cluster rules: a client
 * of a dead node resumes on another). One record per session id holds the SHA-256 of the resume
 * token (never the token), the current owner incarnation and its epoch, and the
 * {@link ResumeState}.
 *
 * <p>Every write is fenced by the epoch: {@link #claim} moves the session to a new incarnation
 * and from then on the old one's saves and deletes are refused ({@link Saved#FENCED}), so a
 * frozen node that wakes up cannot overwrite a session that moved on.
 */
public interface SessionStore {

  /** The outcome of a save or delete. */
  enum Saved {
    /** Written. */
    SAVED,
    /** Refused: another incarnation owns the session now (or the record expired). */
    FENCED
  }

  /** The outcome of {@link #claim}. */
  sealed interface Claim permits Claimed, Refused {}

  /**
   * The session now belongs to {@code owner} (epoch one more than before).
   *
   * @param previousOwner the incarnation that owned it until now
   */
  record Claimed(SessionEntityId owner, SessionEntityId previousOwner, long startedAtMillis,
      ResumeState state) implements Claim {}

  /** No such session, or the token does not match: the two are not told apart. */
  record Refused() implements Claim {}

  /** Whether sessions can be resumed at all (false: {@link #NONE}). */
  boolean enabled();

  /**
   * Creates the record of a new session (epoch 1, owned by {@code owner}).
   *
   * @return false when a record with this id exists already
   */
  CompletionStage<Boolean> create(SessionEntityId owner, String tokenSha256,
      long startedAtMillis, long expireAtMillis, ResumeState state);

  /** Saves the state if {@code owner} still owns the session. */
  CompletionStage<Saved> save(SessionEntityId owner, long expireAtMillis, ResumeState state);

  /** Deletes the record if {@code owner} still owns the session (the session is over). */
  CompletionStage<Saved> delete(SessionEntityId owner);

  /**
   * Checks the token and, when it matches, makes the next epoch on {@code nodeTag} the owner.
   * Atomic: of two concurrent claims each gets its own epoch, and the later one owns the session.
   */
  CompletionStage<Claim> claim(String sessionId, String tokenSha256, String nodeTag);

  /** No store: nothing is saved and every claim is refused. */
  SessionStore NONE = new SessionStore() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public CompletionStage<Boolean> create(SessionEntityId owner, String tokenSha256,
        long startedAtMillis, long expireAtMillis, ResumeState state) {
      return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<Saved> save(SessionEntityId owner, long expireAtMillis,
        ResumeState state) {
      return CompletableFuture.completedFuture(Saved.SAVED);
    }

    @Override
    public CompletionStage<Saved> delete(SessionEntityId owner) {
      return CompletableFuture.completedFuture(Saved.SAVED);
    }

    @Override
    public CompletionStage<Claim> claim(String sessionId, String tokenSha256, String nodeTag) {
      return CompletableFuture.completedFuture(new Refused());
    }
  };
}
