package io.voicegateway.worker;

import io.voicegateway.worker.engine.SpeechEngine;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One client session on this worker (StartSession .. EndSession): its model and its control
 * state. PAUSE/RESUME/STOP act on this session's running syntheses only.
 */
final class WorkerSession {

  /** What a running synthesis exposes to control commands; calls are safe from any thread. */
  interface Synthesis {
    void pause();

    void resume();

    void stop();
  }

  private final String id;
  private final SpeechEngine engine;
  private final Set<Synthesis> running = new HashSet<>();
  private boolean paused;
  private volatile long lastActiveNanos = System.nanoTime();

  WorkerSession(String id, SpeechEngine engine) {
    this.id = id;
    this.engine = engine;
  }

  String id() {
    return id;
  }

  SpeechEngine engine() {
    return engine;
  }

  /** Registers a starting synthesis; answers whether it must start paused. */
  synchronized boolean attach(Synthesis s) {
    touch();
    running.add(s);
    return paused;
  }

  synchronized void detach(Synthesis s) {
    touch();
    running.remove(s);
  }

  synchronized void pause() {
    touch();
    paused = true;
    snapshot().forEach(Synthesis::pause);
  }

  synchronized void resume() {
    touch();
    paused = false;
    snapshot().forEach(Synthesis::resume);
  }

  /** Ends the running syntheses; the session stays usable and unpaused for the next text. */
  synchronized void stop() {
    paused = false;
    snapshot().forEach(Synthesis::stop);
  }

  synchronized boolean isPaused() {
    return paused;
  }

  synchronized int runningSyntheses() {
    return running.size();
  }

  /** A call for this session: it is in use. */
  void touch() {
    lastActiveNanos = System.nanoTime();
  }

  /** Whether nothing runs and no call came for {@code idleNanos} (as of {@code nowNanos}). */
  synchronized boolean idleFor(long idleNanos, long nowNanos) {
    return running.isEmpty() && nowNanos - lastActiveNanos > idleNanos;
  }

  private List<Synthesis> snapshot() {
    return new ArrayList<>(running);
  }
}
