package io.voicegateway.gateway.livekit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livekit.server.WebhookReceiver;
import livekit.LivekitWebhook;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LiveKit transport's HTTP routes on the gateway's WebSocket port:
 * <ul>
 *   <li>{@code POST /api/connection-details} (WIRE.md §6): a new room with the configured prefix,
 *       a generated identity, and a token for it, as the existing browser client expects:
 *       {@code {serverUrl, roomName, participantName, participantToken}};
 *   <li>{@code POST /livekit/webhook}: LiveKit's webhooks, verified with the server SDK's
 *       {@link WebhookReceiver} (the JWT in Authorization, signed with the API secret, carries
 *       the body's SHA-256); anything unsigned or wrongly signed is refused with 401. A
 *       participant joining a served room makes the room a candidate at once; the end of a room
 *       ends its session.
 * </ul>
 */
public final class LiveKitRoutes extends AllDirectives {

  public static final String WEBHOOK_PATH = "livekit/webhook";
  /** Webhook bodies are small JSON documents; anything larger is refused unread. */
  static final long MAX_WEBHOOK_BYTES = 64 * 1024;

  private static final Logger log = LoggerFactory.getLogger(LiveKitRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LiveKitSettings settings;
  private final LiveKitTokens tokens;
  private final WebhookReceiver webhooks;
  private final ActorRef<RoomDispatcher.Command> dispatcher;

  LiveKitRoutes(LiveKitSettings settings, LiveKitTokens tokens,
      ActorRef<RoomDispatcher.Command> dispatcher) {
    this.settings = settings;
    this.tokens = tokens;
    this.webhooks = new WebhookReceiver(settings.apiKey(), settings.apiSecret());
    this.dispatcher = dispatcher;
  }

  public Route routes() {
    return concat(
        path(PathMatchers.segment("api").slash("connection-details"), () -> post(this::connectionDetails)),
        path(PathMatchers.segment("livekit").slash("webhook"), () -> post(() ->
            withSizeLimit(MAX_WEBHOOK_BYTES, () ->
                optionalHeaderValueByName("Authorization", auth ->
                    entity(Unmarshaller.entityToByteString(), body ->
                        webhook(body.utf8String(), auth.orElse(null))))))));
  }

  private Route connectionDetails() {
    String room = settings.newRoomPrefix() + LiveKitTokens.randomNumber(1_000_000_000L);
    String identity = "voice_assistant_user_" + LiveKitTokens.randomNumber(1_000_000_000L);
    ObjectNode body = JSON.createObjectNode()
        .put("serverUrl", settings.participantUrl())
        .put("roomName", room)
        .put("participantName", "user")
        .put("participantToken", tokens.userToken(identity, "user", room));
    return respondWithHeader(RawHeader.create("Cache-Control", "no-store"), () ->
        complete(HttpResponse.create().withEntity(
            HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()))));
  }

  private Route webhook(String body, String authorization) {
    LivekitWebhook.WebhookEvent event;
    try {
      event = webhooks.receive(body, authorization);
    } catch (Exception e) {
      // never echo the token; the reason is safe (missing header, bad signature, hash mismatch)
      log.warn("LiveKit webhook refused: {}", e.getClass().getSimpleName());
      return complete(StatusCodes.UNAUTHORIZED, "webhook refused: the Authorization header must"
          + " be a JWT signed with this gateway's LiveKit API secret (voicegw.livekit.api-secret)"
          + " whose sha256 claim matches the body (" + e.getClass().getSimpleName() + ")");
    }
    String room = event.getRoom().getName();
    switch (event.getEvent()) {
      case "participant_joined" -> {
        if (!event.getParticipant().getIdentity().equals(settings.agentIdentity())) {
          dispatcher.tell(new RoomDispatcher.RoomSeen(room, event.getRoom().getSid(), "webhook"));
        }
      }
      case "room_finished" -> dispatcher.tell(new RoomDispatcher.RoomFinished(room));
      default -> { } // room_started (nobody in it yet), tracks, egress: nothing to do
    }
    return complete(StatusCodes.OK);
  }
}
