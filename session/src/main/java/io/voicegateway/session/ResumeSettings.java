package io.voicegateway.session;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code voicegw.session.resume} and {@code voicegw.session.shards-per-node}, validated (see
 * reference.conf for each key).
 *
 * @param enabled sessions get a resume token and keep their state in Redis as it changes
 * @param window how long a session whose connection was lost (not closed by the client) waits
 *     for its client to resume before it ends as {@code client_disconnect}
 * @param keyPrefix prefix of the Redis key of each session's record
 * @param shardsPerNode session shards each node owns ({@link NodeLocalSharding})
 */
public record ResumeSettings(boolean enabled, Duration window, String keyPrefix,
    int shardsPerNode) {

  public static final String PATH = "voicegw.session.resume";

  public ResumeSettings {
    if (window == null || window.isNegative() || window.isZero()
        || window.compareTo(Duration.ofHours(1)) > 0) {
      throw SettingsReader.bad(PATH + ".window", "must be between 1ms and 1h, was " + window);
    }
    if (keyPrefix == null || keyPrefix.isEmpty()) {
      throw SettingsReader.bad(PATH + ".key-prefix", "must not be empty");
    }
    if (shardsPerNode < 1 || shardsPerNode > 1024) {
      throw SettingsReader.bad("voicegw.session.shards-per-node",
          "must be between 1 and 1024, was " + shardsPerNode);
    }
  }

  /** Resume off, for tests and single-node use without Redis. */
  public static final ResumeSettings DISABLED =
      new ResumeSettings(false, Duration.ofSeconds(30), "voicegw:session:", 16);

  /**
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static ResumeSettings fromConfig(Config config) {
    SettingsReader r = new SettingsReader(config);
    return new ResumeSettings(r.bool(PATH + ".enabled"), r.duration(PATH + ".window"),
        r.string(PATH + ".key-prefix"), r.integer("voicegw.session.shards-per-node"));
  }
}
