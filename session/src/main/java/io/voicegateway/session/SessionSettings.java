package io.voicegateway.session;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * {@code voicegw.session}, validated (see reference.conf for each key).
 *
 * @param idleTimeout no Say or Control from the client for this long (while nothing is being
 *     spoken) ends the session with {@code idle_timeout}
 * @param maxDuration the session ends with {@code max_duration} this long after it started
 * @param maxMessages Say and Control messages a session accepts; one more ends it with
 *     {@code max_messages}
 * @param maxQueuedUtterances accepted utterances waiting behind the one being spoken, at most
 * @param workerWait how long queued text waits for a worker when none is available
 * @param model the model asked for at StartSession ("" for the worker's default)
 * @param pacingLead audio the client may hold ahead of playback (realtime pacing)
 * @param burstPacing frames leave as fast as the client acknowledges them
 * @param maxFailovers worker changes one utterance may go through before it fails
 * @param clientWindow Audio events sent to the client and not yet acknowledged, at most
 */
public record SessionSettings(
    Duration idleTimeout,
    Duration maxDuration,
    int maxMessages,
    int maxQueuedUtterances,
    Duration workerWait,
    String model,
    Duration pacingLead,
    boolean burstPacing,
    int maxFailovers,
    int clientWindow) {

  public static final String PATH = "voicegw.session";

  public SessionSettings {
    positive(idleTimeout, PATH + ".idle-timeout");
    positive(maxDuration, PATH + ".max-duration");
    positive(workerWait, PATH + ".worker-wait");
    if (maxMessages < 1) throw bad(PATH + ".max-messages", "must be at least 1, was " + maxMessages);
    if (maxQueuedUtterances < 1 || maxQueuedUtterances > 10_000) {
      throw bad(PATH + ".max-queued-utterances",
          "must be between 1 and 10000, was " + maxQueuedUtterances);
    }
    if (model == null) throw bad(PATH + ".model", "must be a string (\"\" for the default)");
    if (pacingLead == null || pacingLead.isNegative() || pacingLead.compareTo(Duration.ofSeconds(10)) > 0) {
      throw bad(PATH + ".pacing.lead", "must be between 0 and 10s, was " + pacingLead);
    }
    if (maxFailovers < 0 || maxFailovers > 100) {
      throw bad(PATH + ".max-failovers", "must be between 0 and 100, was " + maxFailovers);
    }
    if (clientWindow < 1 || clientWindow > 1000) {
      throw bad(PATH + ".client-window", "must be between 1 and 1000, was " + clientWindow);
    }
  }

  /**
   * Reads the settings from a config that has this module's reference.conf as fallback.
   *
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static SessionSettings fromConfig(Config config) {
    String key = PATH;
    try {
      Config s = config.getConfig(PATH);
      key = PATH + ".idle-timeout";
      Duration idle = s.getDuration("idle-timeout");
      key = PATH + ".max-duration";
      Duration max = s.getDuration("max-duration");
      key = PATH + ".max-messages";
      int messages = s.getInt("max-messages");
      key = PATH + ".max-queued-utterances";
      int queued = s.getInt("max-queued-utterances");
      key = PATH + ".worker-wait";
      Duration wait = s.getDuration("worker-wait");
      key = PATH + ".model";
      String model = s.getString("model");
      key = PATH + ".pacing.lead";
      Duration lead = s.getDuration("pacing.lead");
      key = PATH + ".pacing.mode";
      String mode = s.getString("pacing.mode");
      boolean burst = switch (mode) {
        case "realtime" -> false;
        case "burst" -> true;
        default -> throw bad(key, "must be realtime or burst, was \"" + mode + "\"");
      };
      key = PATH + ".max-failovers";
      int failovers = s.getInt("max-failovers");
      key = PATH + ".client-window";
      int window = s.getInt("client-window");
      return new SessionSettings(idle, max, messages, queued, wait, model, lead, burst, failovers,
          window);
    } catch (ConfigException e) {
      throw bad(key, e.getMessage());
    }
  }

  /** The same settings asking for another model. */
  public SessionSettings withModel(String model) {
    return new SessionSettings(idleTimeout, maxDuration, maxMessages, maxQueuedUtterances,
        workerWait, model, pacingLead, burstPacing, maxFailovers, clientWindow);
  }

  private static void positive(Duration d, String key) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw bad(key, "must be a positive duration, was " + d);
    }
  }

  private static IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException("invalid configuration " + key + ": " + why);
  }
}
