package io.voicegateway.gateway.livekit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The LiveKit transport's settings ({@code voicegw.livekit}); present only when
 * {@code voicegw.livekit.url} ({@code LIVEKIT_URL}) is set. {@link #toString} never shows the API
 * secret.
 *
 * @param url the LiveKit server as this node (its bridge, its RoomService calls) reaches it
 *     (ws/wss or http/https, each turned into the other where needed)
 * @param publicUrl the LiveKit server as participants reach it ({@code /api/connection-details});
 *     {@code url} when not set
 * @param roomPrefixes rooms whose name starts with one of these are served by the gateway
 * @param newRoomPrefix rooms that {@code POST /api/connection-details} makes up start with this
 * @param agentIdentity the gateway's participant identity in every room (WIRE.md §6: agent)
 * @param userTokenTtl validity of the tokens {@code /api/connection-details} mints
 * @param agentTokenTtl validity of the bridge's own join tokens
 * @param audioQueue the bridge's AudioSource queue: how much audio it holds ahead of playout
 * @param subscribeAudio whether the bridge forwards the participants' audio to the gateway
 * @param departureGrace how long a room is served with no participant but the agent
 * @param roomListInterval how often every node lists the server's rooms (the safety net of the
 *     webhooks, and how a dead node's rooms are found)
 * @param leaseTtl how long a node's claim on a room lives without renewal (renewed every third of
 *     it); a dead node's rooms are taken over after at most this plus {@code roomListInterval}
 * @param keyPrefix Redis keys of room leases and room sessions start with this
 */
public record LiveKitSettings(
    String url,
    String publicUrl,
    String apiKey,
    String apiSecret,
    List<String> roomPrefixes,
    String newRoomPrefix,
    String agentIdentity,
    String trackName,
    Duration userTokenTtl,
    Duration agentTokenTtl,
    Duration audioQueue,
    boolean subscribeAudio,
    Duration departureGrace,
    Duration roomListInterval,
    Duration leaseTtl,
    String keyPrefix,
    Bridge bridge) {

  static final String PATH = "voicegw.livekit";

  /**
   * How the node runs its bridge process ({@code voicegw.livekit.bridge}).
   *
   * @param command the program and its arguments, e.g. {@code node livekit-bridge/dist/main.js}
   * @param healthyAfter a bridge up this long resets the restart backoff
   */
  public record Bridge(List<String> command, Path workingDirectory, Duration startTimeout,
      Duration pingInterval, Duration pingTimeout, Duration restartBackoffMin,
      Duration restartBackoffMax, Duration healthyAfter) {}

  /** The URL the node's bridge dials: ws/wss (http/https turned into them). */
  public String bridgeUrl() {
    return url.replaceFirst("(?i)^http", "ws");
  }

  /** The URL participants dial, as {@code /api/connection-details} gives it. */
  public String participantUrl() {
    return publicUrl.replaceFirst("(?i)^http", "ws");
  }

  /** The base URL of the server's HTTP API (RoomService): http/https. */
  public String apiUrl() {
    return url.replaceFirst("(?i)^ws", "http");
  }

  /** Whether the gateway serves a room of this name. */
  public boolean serves(String roomName) {
    return roomPrefixes.stream().anyMatch(roomName::startsWith);
  }

  @Override
  public String toString() {
    return "LiveKitSettings[url=" + url + ", apiKey=" + apiKey + ", apiSecret=<redacted>, rooms="
        + roomPrefixes + "]";
  }

  /**
   * @return empty when {@code voicegw.livekit.url} is blank (the transport is off)
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static Optional<LiveKitSettings> fromConfig(Config root) {
    try {
      Config lk = root.getConfig(PATH);
      if (lk.getString("url").isBlank()) return Optional.empty();
      String url = lk.getString("url").trim();
      if (!url.matches("(?i)(ws|wss|http|https)://.+")) {
        throw bad("url (LIVEKIT_URL)", "must start with ws://, wss://, http:// or https://, got "
            + url);
      }
      String publicUrl = lk.getString("public-url").isBlank() ? url
          : lk.getString("public-url").trim();
      if (!publicUrl.matches("(?i)(ws|wss|http|https)://.+")) {
        throw bad("public-url (LIVEKIT_PUBLIC_URL)", "must start with ws://, wss://, http:// or"
            + " https://, got " + publicUrl);
      }
      for (String key : new String[] {"api-key", "api-secret"}) {
        if (lk.getString(key).isBlank()) {
          throw bad(key + " (LIVEKIT_" + key.toUpperCase().replace('-', '_') + ")",
              "required when voicegw.livekit.url is set");
        }
      }
      List<String> prefixes = lk.getStringList("room-prefixes");
      if (prefixes.isEmpty() || prefixes.stream().anyMatch(String::isBlank)) {
        throw bad("room-prefixes", "must list at least one non-empty prefix, got " + prefixes);
      }
      String newRoomPrefix = lk.getString("new-room-prefix");
      if (prefixes.stream().noneMatch(newRoomPrefix::startsWith)) {
        throw bad("new-room-prefix", "'" + newRoomPrefix + "' must start with one of room-prefixes "
            + prefixes + ", or the rooms it makes would not be served");
      }
      Duration queue = lk.getDuration("audio-queue");
      if (queue.toMillis() < 20 || queue.toMillis() % 10 != 0 || queue.toMillis() > 1000) {
        throw bad("audio-queue", "must be a multiple of 10 ms from 20 ms to 1 s, got " + queue);
      }
      Duration leaseTtl = positive(lk, "lease-ttl");
      if (leaseTtl.toMillis() < 300) throw bad("lease-ttl", "must be at least 300ms, got " + leaseTtl);
      Config b = lk.getConfig("bridge");
      List<String> command = b.getStringList("command");
      if (command.isEmpty()) throw bad("bridge.command", "must name a program");
      Duration backoffMin = positive(b, "restart-backoff-min");
      Duration backoffMax = positive(b, "restart-backoff-max");
      if (backoffMax.compareTo(backoffMin) < 0) {
        throw bad("bridge.restart-backoff-max", "must not be below restart-backoff-min ("
            + backoffMin + "), got " + backoffMax);
      }
      Duration pingInterval = positive(b, "ping-interval");
      Duration pingTimeout = positive(b, "ping-timeout");
      if (pingTimeout.compareTo(pingInterval) <= 0) {
        throw bad("bridge.ping-timeout", "must be longer than ping-interval (" + pingInterval
            + "), got " + pingTimeout);
      }
      Bridge bridge = new Bridge(command, Path.of(b.getString("working-directory")),
          positive(b, "start-timeout"), pingInterval, pingTimeout, backoffMin, backoffMax,
          positive(b, "healthy-after"));
      return Optional.of(new LiveKitSettings(url, publicUrl, lk.getString("api-key"),
          lk.getString("api-secret"), prefixes, newRoomPrefix, nonBlank(lk, "agent-identity"),
          nonBlank(lk, "track-name"), positive(lk, "user-token-ttl"),
          positive(lk, "agent-token-ttl"), queue, lk.getBoolean("subscribe-audio"),
          positive(lk, "departure-grace"), positive(lk, "room-list-interval"), leaseTtl,
          nonBlank(lk, "key-prefix"), bridge));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
    }
  }

  private static Duration positive(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isNegative() || d.isZero()) throw bad(key, "must be positive, got " + d);
    return d;
  }

  private static String nonBlank(Config c, String key) {
    String v = c.getString(key);
    if (v.isBlank()) throw bad(key, "must not be empty");
    return v;
  }

  private static IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException(PATH + "." + key + ": " + why);
  }
}
