package io.voicegateway.gateway.livekit;

import io.livekit.server.AccessToken;
import io.livekit.server.CanPublish;
import io.livekit.server.CanPublishData;
import io.livekit.server.CanSubscribe;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Everything the node signs with the LiveKit API secret: participants' join tokens (LiveKit's own
 * server SDK) and the resume tokens of room sessions. The secret stays in this object.
 */
public final class LiveKitTokens {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final LiveKitSettings settings;

  public LiveKitTokens(LiveKitSettings settings) {
    this.settings = settings;
  }

  /** The bridge's token to join {@code room} as the agent: publish audio and data, subscribe. */
  public String agentToken(String room) {
    return token(settings.agentIdentity(), settings.agentIdentity(), room,
        settings.agentTokenTtl().toMillis());
  }

  /** A user's token for {@code room} ({@code /api/connection-details}, WIRE.md §6). */
  public String userToken(String identity, String name, String room) {
    return token(identity, name, room, settings.userTokenTtl().toMillis());
  }

  private String token(String identity, String name, String room, long ttlMillis) {
    AccessToken token = new AccessToken(settings.apiKey(), settings.apiSecret());
    token.setIdentity(identity);
    token.setName(name);
    token.setTtl(ttlMillis);
    token.addGrants(new RoomJoin(true), new RoomName(room), new CanPublish(true),
        new CanSubscribe(true), new CanPublishData(true));
    return token.toJwt();
  }

  /**
   * The resume token of a room's session. No client holds it: whichever node serves the room
   * next computes it again (every node has the secret), so the session store can keep checking
   * tokens for room sessions exactly as for WebSocket ones.
   */
  public String resumeToken(String sessionId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(settings.apiSecret().getBytes(StandardCharsets.UTF_8),
          "HmacSHA256"));
      byte[] digest = mac.doFinal(("voicegw-livekit-resume:" + sessionId)
          .getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** A random number for made-up room names and user identities. */
  static long randomNumber(long bound) {
    return 1 + (long) (RANDOM.nextDouble() * (bound - 1));
  }
}
