package io.voicegateway.session;

import static io.voicegateway.session.SettingsReader.bad;

import com.typesafe.config.Config;
import io.voicegateway.audio.vad.SileroModel;
import io.voicegateway.audio.vad.VadRunner;
import java.time.Duration;

/**
 * {@code voicegw.session.vad}, validated (reference.conf documents each key): the node's {@link
 * VadRunner}, which evaluates every session's voice activity windows in batches.
 *
 * @param threads the runner's lanes (threads); 0 in the config means one per four cores
 * @param maxBatch most windows (sessions) in one model run
 * @param linger how long a runner thread waits for more sessions' windows before a run
 */
public record VadSettings(int threads, int maxBatch, Duration linger) {

  public static final String PATH = "voicegw.session.vad";

  public VadSettings {
    if (threads < 1 || threads > 64) {
      throw bad(PATH + ".threads", "must be between 1 and 64 (0 in the config: one per four"
          + " cores), was " + threads);
    }
    if (maxBatch < 1 || maxBatch > 256) {
      throw bad(PATH + ".max-batch", "must be between 1 and 256, was " + maxBatch);
    }
    if (linger == null || linger.isNegative() || linger.compareTo(Duration.ofMillis(32)) > 0) {
      throw bad(PATH + ".linger", "must be between 0 and 32 ms (one window), was "
          + (linger == null ? "missing" : linger.toMillis() + " ms"));
    }
  }

  /**
   * Reads the settings from a config that has this module's reference.conf as fallback.
   *
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static VadSettings fromConfig(Config config) {
    SettingsReader r = new SettingsReader(config);
    int threads = r.integer(PATH + ".threads");
    if (threads == 0) threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
    return new VadSettings(threads, r.integer(PATH + ".max-batch"), r.duration(PATH + ".linger"));
  }

  /** A runner with these settings on the given model; the caller closes it. */
  public VadRunner start(SileroModel model, VadRunner.Observer observer) {
    return new VadRunner(model, threads, maxBatch, linger, observer);
  }
}
