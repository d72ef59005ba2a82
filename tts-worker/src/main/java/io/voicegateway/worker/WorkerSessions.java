package io.voicegateway.worker;

import io.voicegateway.worker.engine.SpeechEngine;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The sessions this worker serves, bounded by {@code max-concurrent-sessions}. */
final class WorkerSessions {

  /** Outcome of {@link #start}. */
  enum StartResult { STARTED, RESTARTED, AT_CAPACITY }

  private final ConcurrentHashMap<String, WorkerSession> sessions = new ConcurrentHashMap<>();
  private final AtomicInteger runningSyntheses = new AtomicInteger();
  private final int maxSessions;

  WorkerSessions(int maxSessions) {
    this.maxSessions = maxSessions;
  }

  /**
   * Starts (or, for an id already known, restarts with the given model) a session. The capacity
   * check and the insert are one atomic step, so concurrent starts never exceed the limit.
   */
  synchronized StartResult start(String id, SpeechEngine engine) {
    WorkerSession previous = sessions.get(id);
    if (previous == null && sessions.size() >= maxSessions) return StartResult.AT_CAPACITY;
    sessions.put(id, new WorkerSession(id, engine));
    if (previous != null) previous.stop();
    return previous == null ? StartResult.STARTED : StartResult.RESTARTED;
  }

  /** Ends the session and whatever it is synthesizing; false when it was unknown. */
  boolean end(String id) {
    WorkerSession s = sessions.remove(id);
    if (s == null) return false;
    s.stop();
    return true;
  }

  /**
   * Ends the sessions idle for longer than {@code idleNanos} (nothing running, no call); returns
   * their ids.
   */
  java.util.List<String> reapIdle(long idleNanos) {
    long now = System.nanoTime();
    java.util.List<String> reaped = new java.util.ArrayList<>();
    for (WorkerSession s : sessions.values()) {
      if (s.idleFor(idleNanos, now) && sessions.remove(s.id(), s)) {
        s.stop();
        reaped.add(s.id());
      }
    }
    return reaped;
  }

  /** The session, touched (a call for it is in use). */
  Optional<WorkerSession> find(String id) {
    WorkerSession s = sessions.get(id);
    if (s != null) s.touch();
    return Optional.ofNullable(s);
  }

  int count() {
    return sessions.size();
  }

  int maxSessions() {
    return maxSessions;
  }

  /** Syntheses running right now on this worker: the {@code queue_depth} metric. */
  int runningSyntheses() {
    return runningSyntheses.get();
  }

  void synthesisStarted() {
    runningSyntheses.incrementAndGet();
  }

  void synthesisEnded() {
    runningSyntheses.decrementAndGet();
  }
}
