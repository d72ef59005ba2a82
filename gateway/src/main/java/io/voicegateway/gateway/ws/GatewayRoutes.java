package io.voicegateway.gateway.ws;

import io.voicegateway.gateway.protocol.ConnectionOptions;
import io.voicegateway.gateway.protocol.SessionIds;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The WebSocket port's routes (WIRE.md §4): a WebSocket upgrade on any path is a new session; a
 * plain HTTP request is not, and is served pages and APIs: the LiveKit transport's
 * {@code POST /api/connection-details} and webhook (503 for the former when LiveKit is off), the
 * browser client ({@code web/}) at {@code /}; anything else is 404.
 */
public final class GatewayRoutes extends AllDirectives {

  /** Where the browser client's files are inside the gateway jar (copied from web/ by Maven). */
  static final String WEB_RESOURCES = "web";

  private final WebSocketConnector.Context context;
  private final Optional<Path> webRoot;
  private final Optional<Route> liveKit;

  /**
   * @param webRoot a directory to serve the browser client from; empty: from the gateway jar
   * @param liveKit the LiveKit transport's routes ({@code /api/connection-details}, its webhook),
   *     when it is on
   */
  public GatewayRoutes(WebSocketConnector.Context context, Optional<Path> webRoot,
      Optional<Route> liveKit) {
    this.context = context;
    this.webRoot = webRoot;
    this.liveKit = liveKit;
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
        liveKit.orElseGet(() -> path(PathMatchers.segment("api").slash("connection-details"),
            () -> complete(StatusCodes.SERVICE_UNAVAILABLE, "the LiveKit transport is off on this"
                + " gateway: set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET"))),
        get(() -> webClient()),
        extractUnmatchedPath(path -> complete(StatusCodes.NOT_FOUND,
            "Not found: " + path + ". A WebSocket upgrade on any path starts a session; GET / is"
                + " the browser client.")));
  }

  /** The browser client (web/): index.html at /, its other files by name. */
  private Route webClient() {
    return webRoot
        .map(dir -> concat(
            pathSingleSlash(() -> getFromFile(dir.resolve("index.html").toFile())),
            getFromDirectory(dir.toString())))
        .orElseGet(() -> concat(
            pathSingleSlash(() -> getFromResource(WEB_RESOURCES + "/index.html")),
            getFromResourceDirectory(WEB_RESOURCES)));
  }
}
