package io.voicegateway.gateway.client;

/** A failure of a {@link GatewayClient}; subclasses say what went wrong. */
public class GatewayClientException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public GatewayClientException(String message) {
    super(message);
  }

  public GatewayClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
