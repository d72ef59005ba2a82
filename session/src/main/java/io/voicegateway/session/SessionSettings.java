package io.voicegateway.session;

import static io.voicegateway.session.SettingsReader.bad;
import static io.voicegateway.session.SettingsReader.requirePositive;

import com.typesafe.config.Config;
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
    requirePositive(idleTimeout, PATH + ".idle-timeout");
    requirePositive(maxDuration, PATH + ".max-duration");
    requirePositive(workerWait, PATH + ".worker-wait");
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
    SettingsReader r = new SettingsReader(config);
    String mode = r.string(PATH + ".pacing.mode");
    boolean burst = switch (mode) {
      case "realtime" -> false;
      case "burst" -> true;
      default -> throw bad(PATH + ".pacing.mode", "must be realtime or burst, was \"" + mode + "\"");
    };
    return new SessionSettings(
        r.duration(PATH + ".idle-timeout"),
        r.duration(PATH + ".max-duration"),
        r.integer(PATH + ".max-messages"),
        r.integer(PATH + ".max-queued-utterances"),
        r.duration(PATH + ".worker-wait"),
        r.string(PATH + ".model"),
        r.duration(PATH + ".pacing.lead"),
        burst,
        r.integer(PATH + ".max-failovers"),
        r.integer(PATH + ".client-window"));
  }

  /** The same settings asking for another model. */
  public SessionSettings withModel(String model) {
    return new SessionSettings(idleTimeout, maxDuration, maxMessages, maxQueuedUtterances,
        workerWait, model, pacingLead, burstPacing, maxFailovers, clientWindow);
  }
}
