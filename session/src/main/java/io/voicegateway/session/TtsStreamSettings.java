package io.voicegateway.session;

import static io.voicegateway.session.SettingsReader.bad;
import static io.voicegateway.session.SettingsReader.requirePositive;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code voicegw.session.tts-stream} and {@code voicegw.session.worker-client}, validated.
 *
 * @param startTimeout how long StartSession may take before the worker counts as rejecting
 * @param controlTimeout how long Control and EndSession calls may take
 * @param frameWindow frames forwarded to the parent and not yet acknowledged, at most
 * @param useTls TLS toward workers
 * @param connectionAttempts connection attempts of a worker client before it gives up (-1: forever)
 * @param flowControlWindow HTTP/2 receive window per worker client connection, in bytes
 * @param directCallbacks gRPC callbacks run on the connection's event-loop thread instead of
 *     grpc-java's shared cached thread pool
 */
public record TtsStreamSettings(
    Duration startTimeout,
    Duration controlTimeout,
    int frameWindow,
    boolean useTls,
    int connectionAttempts,
    int flowControlWindow,
    boolean directCallbacks) {

  public static final String PATH = "voicegw.session.tts-stream";
  public static final String CLIENT_PATH = "voicegw.session.worker-client";

  public TtsStreamSettings {
    requirePositive(startTimeout, PATH + ".start-timeout");
    requirePositive(controlTimeout, PATH + ".control-timeout");
    if (frameWindow < 1 || frameWindow > 1000) {
      throw bad(PATH + ".frame-window", "must be between 1 and 1000, was " + frameWindow);
    }
    if (connectionAttempts == 0 || connectionAttempts < -1) {
      throw bad(CLIENT_PATH + ".connection-attempts",
          "must be -1 (forever) or at least 1, was " + connectionAttempts);
    }
    if (flowControlWindow < 4096 || flowControlWindow > 16 * 1024 * 1024) {
      throw bad(CLIENT_PATH + ".flow-control-window",
          "must be between 4KiB and 16MiB, was " + flowControlWindow + " bytes");
    }
  }

  /**
   * Reads the settings from a config that has this module's reference.conf as fallback.
   *
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static TtsStreamSettings fromConfig(Config config) {
    SettingsReader r = new SettingsReader(config);
    long flow = r.bytes(CLIENT_PATH + ".flow-control-window");
    if (flow > Integer.MAX_VALUE) {
      throw bad(CLIENT_PATH + ".flow-control-window", "too large: " + flow + " bytes");
    }
    String executor = r.string(CLIENT_PATH + ".callback-executor");
    if (!executor.equals("direct") && !executor.equals("pool")) {
      throw bad(CLIENT_PATH + ".callback-executor",
          "must be direct or pool, was \"" + executor + "\"");
    }
    return new TtsStreamSettings(
        r.duration(PATH + ".start-timeout"),
        r.duration(PATH + ".control-timeout"),
        r.integer(PATH + ".frame-window"),
        r.bool(CLIENT_PATH + ".use-tls"),
        r.integer(CLIENT_PATH + ".connection-attempts"),
        (int) flow,
        executor.equals("direct"));
  }
}
