package io.voicegateway.gateway.protocol;

/**
 * The {@code code} of an {@code error} message. The wire name is the constant's name. The first
 * five are the documented codes of the existing system (WIRE.md §4); the rest are additive, and a
 * client must treat a code it does not know like INTERNAL_ERROR.
 */
public enum ErrorCode {
  /** Malformed or invalid client input; the message is ignored, the session continues. */
  INVALID_MESSAGE,
  /** No TTS worker can take the text now; it stays queued for a while. */
  WORKER_UNAVAILABLE,
  /** The worker failed to synthesize an utterance. */
  SYNTHESIS_FAILED,
  /** A connection problem between the gateway and a worker or the client. */
  CONNECTION_ERROR,
  /** An unexpected failure inside the gateway. */
  INTERNAL_ERROR,
  /** Additive: a message was larger than the configured byte limit; it was not parsed. */
  MESSAGE_TOO_LARGE,
  /** Additive: a text was longer than the configured character limit. */
  TEXT_TOO_LONG,
  /** Additive: the client sent messages faster than its rate allows; the message was dropped. */
  RATE_LIMITED,
  /** Additive: the client is not allowed to do this (authentication and session resumption). */
  UNAUTHORIZED,
  /**
   * Additive: the user's audio was not in the declared format (sample rate, frame size, an odd
   * byte count, base64); the frame is dropped, the session continues.
   */
  INVALID_AUDIO;

  /** The value of the {@code code} field. */
  public String wireName() {
    return name();
  }

  /**
   * The code a session's error names (its {@code code} string), or INTERNAL_ERROR for a name
   * this enum does not know.
   */
  public static ErrorCode fromSessionCode(String code) {
    try {
      return valueOf(code);
    } catch (IllegalArgumentException e) {
      return INTERNAL_ERROR;
    }
  }

  /** Whether the existing system documents this code (WIRE.md §4), i.e. old clients know it. */
  public boolean documentedInWire() {
    return ordinal() <= INTERNAL_ERROR.ordinal();
  }
}
