package io.voicegateway.gateway.protocol;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

/**
 * Settings of {@code voicegw.gateway.protocol} (see this module's reference.conf), validated at
 * construction: a bad value throws {@link IllegalArgumentException} naming its key.
 */
public record ProtocolLimits(
    int maxMessageBytes, int maxTextLength, double messagesPerSecond, int burst) {

  public static final String PREFIX = "voicegw.gateway.protocol.";
  public static final String MAX_MESSAGE_BYTES = PREFIX + "max-message-bytes";
  public static final String MAX_TEXT_LENGTH = PREFIX + "max-text-length";
  public static final String RATE_MESSAGES_PER_SECOND = PREFIX + "rate.messages-per-second";
  public static final String RATE_BURST = PREFIX + "rate.burst";

  /** Upper bound of max-message-bytes: a larger message is never a sensible protocol message. */
  public static final int MAX_MESSAGE_BYTES_BOUND = 16 * 1024 * 1024;
  public static final double MAX_MESSAGES_PER_SECOND = 1_000_000d;
  public static final int MAX_BURST = 1_000_000;

  /** The defaults of reference.conf. */
  public static final ProtocolLimits DEFAULTS = new ProtocolLimits(65_536, 5_000, 20, 40);

  public ProtocolLimits {
    if (maxMessageBytes < 1 || maxMessageBytes > MAX_MESSAGE_BYTES_BOUND) {
      throw new IllegalArgumentException(MAX_MESSAGE_BYTES + " must be between 1 and "
          + MAX_MESSAGE_BYTES_BOUND + " bytes, got " + maxMessageBytes);
    }
    if (maxTextLength < 1) {
      throw new IllegalArgumentException(
          MAX_TEXT_LENGTH + " must be at least 1 character, got " + maxTextLength);
    }
    // Every character takes at least one byte, so a text limit at or above the message limit
    // could never apply: most likely the two values were swapped.
    if (maxTextLength >= maxMessageBytes) {
      throw new IllegalArgumentException(MAX_TEXT_LENGTH + " (" + maxTextLength
          + ") must be less than " + MAX_MESSAGE_BYTES + " (" + maxMessageBytes + ")");
    }
    if (!(messagesPerSecond > 0) || messagesPerSecond > MAX_MESSAGES_PER_SECOND) {
      throw new IllegalArgumentException(RATE_MESSAGES_PER_SECOND + " must be greater than 0 and"
          + " at most " + (long) MAX_MESSAGES_PER_SECOND + ", got " + messagesPerSecond);
    }
    if (burst < 1 || burst > MAX_BURST) {
      throw new IllegalArgumentException(
          RATE_BURST + " must be between 1 and " + MAX_BURST + ", got " + burst);
    }
  }

  /** Reads {@code voicegw.gateway.protocol} from a root config, falling back to reference.conf. */
  public static ProtocolLimits fromConfig(Config root) {
    Config c = root.withFallback(ConfigFactory.defaultReference());
    return new ProtocolLimits(
        intBytes(c, MAX_MESSAGE_BYTES),
        integer(c, MAX_TEXT_LENGTH),
        number(c, RATE_MESSAGES_PER_SECOND),
        integer(c, RATE_BURST));
  }

  /** A full bucket for one new session. */
  public RateLimiter newRateLimiter(long nowNanos) {
    return new RateLimiter(messagesPerSecond, burst, nowNanos);
  }

  private static int intBytes(Config c, String key) {
    long bytes;
    try {
      bytes = c.getBytes(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
    if (bytes < 1 || bytes > MAX_MESSAGE_BYTES_BOUND) {
      throw new IllegalArgumentException(key + " must be between 1 and " + MAX_MESSAGE_BYTES_BOUND
          + " bytes, got " + bytes);
    }
    return (int) bytes;
  }

  private static int integer(Config c, String key) {
    Number n;
    try {
      n = c.getNumber(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
    // getInt would silently truncate 1.5 to 1.
    double d = n.doubleValue();
    if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + " must be a whole number, got " + n);
    }
    return (int) d;
  }

  private static double number(Config c, String key) {
    try {
      return c.getDouble(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }
}
