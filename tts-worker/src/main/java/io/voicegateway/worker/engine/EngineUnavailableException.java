package io.voicegateway.worker.engine;

/** The engine cannot run on this machine (a missing binary, a voice that fails to allocate). */
public final class EngineUnavailableException extends Exception {
  public EngineUnavailableException(String message) {
    super(message);
  }

  public EngineUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
