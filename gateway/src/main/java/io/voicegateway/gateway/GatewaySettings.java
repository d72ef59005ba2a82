package io.voicegateway.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.voicegateway.gateway.livekit.LiveKitSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The node's own settings ({@code voicegw.gateway}, {@code voicegw.livekit}), validated once at
 * start-up: a wrong value stops the node with the key named.
 *
 * <p>{@link #toString} never shows the LiveKit API secret.
 */
public record GatewaySettings(
    String host,
    int wsPort,
    int healthPort,
    Duration redisProbeInterval,
    Optional<Path> webRoot,
    Optional<LiveKitSettings> liveKit) {

  /**
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static GatewaySettings fromConfig(Config root) {
    try {
      Config g = root.getConfig("voicegw.gateway");
      int ws = port(g, "ws-port");
      int health = port(g, "health-port");
      if (ws == health && ws != 0) {
        throw new IllegalArgumentException("voicegw.gateway.health-port: must differ from ws-port ("
            + ws + ")");
      }
      Duration probe = g.getDuration("redis-probe-interval");
      if (probe.isNegative() || probe.isZero()) {
        throw new IllegalArgumentException(
            "voicegw.gateway.redis-probe-interval: must be positive, got " + probe);
      }
      Optional<Path> webRoot = Optional.empty();
      if (!g.getString("web-root").isBlank()) {
        Path dir = Path.of(g.getString("web-root").trim());
        if (!Files.isRegularFile(dir.resolve("index.html"))) {
          throw new IllegalArgumentException("voicegw.gateway.web-root: " + dir
              + " is not a directory with an index.html");
        }
        webRoot = Optional.of(dir.toAbsolutePath());
      }
      Optional<LiveKitSettings> liveKit = LiveKitSettings.fromConfig(root);
      return new GatewaySettings(g.getString("host"), ws, health, probe, webRoot, liveKit);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
    }
  }

  private static int port(Config g, String key) {
    int p;
    try {
      p = g.getInt(key);
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException("voicegw.gateway." + key + ": must be a port number, got "
          + g.getValue(key).render(), e);
    }
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("voicegw.gateway." + key + ": must be 0..65535, got " + p);
    }
    return p;
  }
}
