package io.voicegateway.gateway.management;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The gateway's own management routes ({@code voicegw.management} in reference.conf). Where
 * Pekko Management binds is Pekko's own {@code pekko.management.http.hostname} and {@code port}.
 *
 * @param listTimeout how long a node may take to list its sessions before it is reported as
 *     unreachable ({@code partial: true})
 * @param infoTimeout how long one session may take to describe itself before it is shown with
 *     state {@code unknown}
 * @param defaultPageSize {@code limit} of {@code GET /sessions} when the request has none
 * @param maxPageSize the largest {@code limit} accepted
 */
public record ManagementSettings(
    Duration listTimeout, Duration infoTimeout, int defaultPageSize, int maxPageSize) {

  private static final String PREFIX = "voicegw.management.";

  /**
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static ManagementSettings fromConfig(Config root) {
    Duration list = duration(root, "list-timeout");
    Duration info = duration(root, "info-timeout");
    int max = integer(root, "max-page-size", 1, 100_000);
    int def = integer(root, "default-page-size", 1, max);
    return new ManagementSettings(list, info, def, max);
  }

  private static Duration duration(Config root, String key) {
    try {
      Duration d = root.getDuration(PREFIX + key);
      if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException(PREFIX + key + " must be between 1ms and 60s, got "
            + d.toMillis() + "ms");
      }
      return d;
    } catch (ConfigException e) {
      throw new IllegalArgumentException(PREFIX + key + ": " + e.getMessage(), e);
    }
  }

  private static int integer(Config root, String key, int min, int max) {
    try {
      int v = root.getInt(PREFIX + key);
      if (v < min || v > max) {
        throw new IllegalArgumentException(PREFIX + key + " must be between " + min + " and "
            + max + ", got " + v);
      }
      return v;
    } catch (ConfigException e) {
      throw new IllegalArgumentException(PREFIX + key + ": " + e.getMessage(), e);
    }
  }
}
