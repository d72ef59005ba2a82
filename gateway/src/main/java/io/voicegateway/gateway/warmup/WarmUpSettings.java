package io.voicegateway.gateway.warmup;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * {@code voicegw.gateway.warm-up}, validated (reference.conf documents each key): the sessions a
 * node runs through itself before it reports ready ({@link NodeWarmUp}).
 *
 * @param utterances loopback sessions, one utterance each (0: none; the node is ready at once)
 * @param concurrency of them at a time
 * @param workerWait how long to wait for a worker to speak with; without one the sessions only
 *     connect, listen and close
 * @param timeout the whole warm-up; past it the node reports ready regardless
 */
public record WarmUpSettings(int utterances, int concurrency, Duration workerWait,
    Duration timeout) {

  static final String PATH = "voicegw.gateway.warm-up";

  /** No warm-up: ready as soon as the node is Up (tests that count sessions and utterances). */
  public static final WarmUpSettings OFF =
      new WarmUpSettings(0, 1, Duration.ZERO, Duration.ofSeconds(1));

  public WarmUpSettings {
    if (utterances < 0 || utterances > 1000) {
      throw bad("utterances", "must be 0..1000, was " + utterances);
    }
    if (concurrency < 1 || concurrency > 64) {
      throw bad("concurrency", "must be 1..64, was " + concurrency);
    }
    if (workerWait.isNegative()) throw bad("worker-wait", "must not be negative, was " + workerWait);
    if (timeout.isNegative() || timeout.isZero()) {
      throw bad("timeout", "must be positive, was " + timeout);
    }
  }

  /**
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static WarmUpSettings fromConfig(Config root) {
    try {
      Config c = root.getConfig(PATH);
      return new WarmUpSettings(c.getInt("utterances"), c.getInt("concurrency"),
          c.getDuration("worker-wait"), c.getDuration("timeout"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException(PATH + "." + key + ": " + why);
  }
}
