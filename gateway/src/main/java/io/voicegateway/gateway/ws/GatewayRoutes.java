package io.voicegateway.gateway.ws;

import io.voicegateway.gateway.protocol.ConnectionOptions;
import io.voicegateway.gateway.protocol.SessionIds;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The WebSocket port's routes (WIRE.md §4): a WebSocket upgrade on any path is a new session; a
 * plain HTTP request is not, and is served pages and APIs ({@code GET /} describes how to connect;
 * the browser client and the LiveKit token API come here later).
 */
public final class GatewayRoutes extends AllDirectives {

  private final WebSocketConnector.Context context;

  public GatewayRoutes(WebSocketConnector.Context context) {
    this.context = context;
  }

  public Route routes() {
    return concat(
        extractWebSocketUpgrade(upgrade -> extractUri(uri -> {
          ConnectionOptions options;
          try {
            options = ConnectionOptions.fromRawQuery(uri.rawQueryString());
          } catch (IllegalArgumentException e) {
            return complete(HttpResponse.create().withStatus(StatusCodes.BAD_REQUEST)
                .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, e.getMessage())));
          }
          String sessionId = SessionIds.newSessionId();
          return complete(upgrade.handleMessagesWith(
              WebSocketConnector.connect(context, sessionId, options)));
        })),
        pathSingleSlash(() -> get(() -> complete(HttpResponse.create().withEntity(
            HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, """
                Voice Gateway
                
                Open a WebSocket on any path of this port to start a session, e.g.
                  ws://HOST:PORT/             (JSON audio frames)
                  ws://HOST:PORT/?audio=binary (binary audio frames)
                then send {"type":"text","text":"Hello"} and receive 20 ms, 48 kHz PCM frames.
                The protocol is documented in docs/PROTOCOL.md.
                """))))),
        extractUnmatchedPath(path -> complete(StatusCodes.NOT_FOUND,
            "Not found: " + path + ". A WebSocket upgrade on any path starts a session; GET / says"
                + " how to connect.")));
  }
}
