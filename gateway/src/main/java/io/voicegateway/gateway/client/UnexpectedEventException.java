package io.voicegateway.gateway.client;

/** A server event arrived that is not the one awaited; the message shows it. */
public class UnexpectedEventException extends GatewayClientException {

  private static final long serialVersionUID = 1L;
  private final transient ServerEvent event;

  public UnexpectedEventException(String message, ServerEvent event) {
    super(message);
    this.event = event;
  }

  /** The event that arrived instead. */
  public ServerEvent event() {
    return event;
  }
}
