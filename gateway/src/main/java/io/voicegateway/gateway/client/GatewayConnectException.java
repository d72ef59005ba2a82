package io.voicegateway.gateway.client;

import java.util.OptionalInt;

/**
 * Opening the WebSocket connection failed: the server could not be reached in time, or it
 * answered the upgrade request with something other than 101 (then {@link #httpStatus()} is that
 * status, e.g. 400 for a bad {@code ?audio=} value).
 */
public class GatewayConnectException extends GatewayClientException {

  private static final long serialVersionUID = 1L;
  private final Integer httpStatus;

  public GatewayConnectException(String message, OptionalInt httpStatus, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus.isPresent() ? httpStatus.getAsInt() : null;
  }

  /** The HTTP status of a refused upgrade; empty when no HTTP response arrived. */
  public OptionalInt httpStatus() {
    return httpStatus == null ? OptionalInt.empty() : OptionalInt.of(httpStatus);
  }
}
