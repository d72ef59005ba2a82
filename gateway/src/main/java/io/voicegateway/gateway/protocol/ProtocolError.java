package io.voicegateway.gateway.protocol;

import java.util.Objects;

/**
 * A client error: the code and a message naming the problem precisely (the field, the limit, the
 * position). It never contains a secret the client sent, such as a resume token.
 */
public record ProtocolError(ErrorCode code, String message) implements ParseResult {

  public ProtocolError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  public static ProtocolError invalid(String message) {
    return new ProtocolError(ErrorCode.INVALID_MESSAGE, message);
  }

  /** The {@code error} message to send: {@code {"type":"error","message":…,"code":…}}. */
  public String toJson() {
    return ServerMessages.error(code, message);
  }
}
