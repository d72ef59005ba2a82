package io.voicegateway.gateway.client;

/** No awaited server event arrived in time; the message names what was awaited. */
public class EventTimeoutException extends GatewayClientException {

  private static final long serialVersionUID = 1L;

  public EventTimeoutException(String message) {
    super(message);
  }
}
