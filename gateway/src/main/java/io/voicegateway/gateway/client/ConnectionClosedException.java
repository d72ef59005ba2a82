package io.voicegateway.gateway.client;

/**
 * The connection is closed (by the server, by the client or because it broke) and no more events
 * will arrive; the message names what was awaited and how the connection ended.
 */
public class ConnectionClosedException extends GatewayClientException {

  private static final long serialVersionUID = 1L;
  private final transient GatewayClient.Closed closed;

  public ConnectionClosedException(String message, GatewayClient.Closed closed) {
    super(message, closed.error().orElse(null));
    this.closed = closed;
  }

  /** How the connection ended. */
  public GatewayClient.Closed closed() {
    return closed;
  }
}
