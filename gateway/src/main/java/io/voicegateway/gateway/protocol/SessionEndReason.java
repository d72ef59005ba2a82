package io.voicegateway.gateway.protocol;

/**
 * The {@code reason} of a {@code session_end} message. The first four are the existing system's
 * (WIRE.md §4); the others are additive, and a client treats a reason it does not know as a
 * normal end of the session.
 */
public enum SessionEndReason {
  COMPLETED("completed"),
  CLIENT_DISCONNECT("client_disconnect"),
  IDLE_TIMEOUT("idle_timeout"),
  ERROR("error"),
  /** Additive: the session reached its maximum duration. */
  MAX_DURATION("max_duration"),
  /** Additive: the session reached its maximum number of messages. */
  MAX_MESSAGES("max_messages"),
  /** Additive: the client stopped reading audio for too long. */
  SLOW_CONSUMER("slow_consumer"),
  /**
   * Additive: the gateway node is shutting down; reconnect and resume (the message says
   * {@code "resumable":true} when the session can be resumed).
   */
  NODE_SHUTDOWN("node_shutdown"),
  /** Additive: the session was resumed on another connection; this one is over. */
  RESUMED_ELSEWHERE("resumed_elsewhere");

  private final String wireName;

  SessionEndReason(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The constant with this wire name; an unknown name maps to {@link #ERROR}. */
  public static SessionEndReason fromWireName(String wireName) {
    for (SessionEndReason r : values()) {
      if (r.wireName.equals(wireName)) return r;
    }
    return ERROR;
  }
}
