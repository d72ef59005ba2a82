package io.voicegateway.gateway.ws;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Settings of every WebSocket connection ({@code voicegw.gateway.websocket}), validated at start-up.
 *
 * @param slowConsumerTimeout how long a message may wait for the client's socket to take it before
 *     the session ends with reason {@code slow_consumer}
 * @param maxPendingMessages non-audio messages (errors, events) waiting for the socket, at most;
 *     beyond it error replies are dropped (audio is bounded by the session's client window)
 * @param rateLimitedReplyInterval at most one RATE_LIMITED error per this interval; it counts the
 *     messages dropped since the previous one
 */
public record ConnectorSettings(
    Duration slowConsumerTimeout, int maxPendingMessages, Duration rateLimitedReplyInterval) {

  public static final String PATH = "voicegw.gateway.websocket";

  public ConnectorSettings {
    if (slowConsumerTimeout.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException(PATH + ".slow-consumer-timeout: must be at least 100ms, got "
          + slowConsumerTimeout);
    }
    if (maxPendingMessages < 16 || maxPendingMessages > 100_000) {
      throw new IllegalArgumentException(PATH + ".max-pending-messages: must be 16..100000, got "
          + maxPendingMessages);
    }
    if (rateLimitedReplyInterval.isNegative()) {
      throw new IllegalArgumentException(PATH + ".rate-limited-reply-interval: must not be negative,"
          + " got " + rateLimitedReplyInterval);
    }
  }

  /**
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static ConnectorSettings fromConfig(Config root) {
    try {
      Config c = root.getConfig(PATH);
      return new ConnectorSettings(c.getDuration("slow-consumer-timeout"),
          c.getInt("max-pending-messages"), c.getDuration("rate-limited-reply-interval"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
    }
  }
}
