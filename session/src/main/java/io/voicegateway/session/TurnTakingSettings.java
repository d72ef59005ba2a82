package io.voicegateway.session;

import static io.voicegateway.session.SettingsReader.bad;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code voicegw.session.turn-taking}, validated (reference.conf documents each key): how the
 * session hears the user. Voice activity comes from Silero VAD, one speech probability per 32 ms
 * window of 16 kHz audio; {@link TurnDetector} turns the probabilities into speech and turn
 * events, and the {@link SessionEntity} turns those into barge-in.
 *
 * @param bargeIn user speech pauses, and then stops or resumes, the agent's speech (a session may
 *     switch it off and keep manual PAUSE/STOP)
 * @param activationThreshold a window at or above this probability is speech
 * @param deactivationThreshold once speaking, a window below this probability is silence
 * @param minSpeech speech must last this long before {@code speech_started}
 * @param minSilence silence that ends a stretch of speech ({@code speech_stopped})
 * @param minInterruption speech over the agent that lasts this long confirms an interruption
 * @param falseInterruptionTimeout after a shorter interruption, silence this long resumes the
 *     agent where it paused
 * @param minEndpointing silence after speech that ends the user's turn ({@code user_turn_end})
 * @param maxAudioAhead how far a client's audio may run ahead of real time before it is dropped
 *     (a flood)
 */
public record TurnTakingSettings(
    boolean bargeIn,
    double activationThreshold,
    double deactivationThreshold,
    Duration minSpeech,
    Duration minSilence,
    Duration minInterruption,
    Duration falseInterruptionTimeout,
    Duration minEndpointing,
    Duration maxAudioAhead) {

  public static final String PATH = "voicegw.session.turn-taking";

  /** The defaults of reference.conf (tests, tools). */
  public static final TurnTakingSettings DEFAULTS =
      fromConfig(com.typesafe.config.ConfigFactory.defaultReference());

  public TurnTakingSettings {
    if (!(activationThreshold > 0 && activationThreshold < 1)) {
      throw bad(PATH + ".activation-threshold", "must be between 0 and 1 (exclusive), was "
          + activationThreshold);
    }
    if (!(deactivationThreshold > 0 && deactivationThreshold <= activationThreshold)) {
      throw bad(PATH + ".deactivation-threshold", "must be above 0 and at most"
          + " activation-threshold (" + activationThreshold + "), was " + deactivationThreshold);
    }
    within(minSpeech, Duration.ZERO, Duration.ofSeconds(2), "min-speech");
    within(minSilence, Duration.ofMillis(32), Duration.ofSeconds(5), "min-silence");
    within(minInterruption, Duration.ZERO, Duration.ofSeconds(10), "min-interruption");
    within(falseInterruptionTimeout, Duration.ofMillis(100), Duration.ofSeconds(30),
        "false-interruption-timeout");
    within(minEndpointing, Duration.ofMillis(32), Duration.ofSeconds(30), "min-endpointing");
    if (minEndpointing.compareTo(minSilence) < 0) {
      throw bad(PATH + ".min-endpointing", "must be at least min-silence (" + minSilence.toMillis()
          + " ms), was " + minEndpointing.toMillis() + " ms");
    }
    within(maxAudioAhead, Duration.ofMillis(100), Duration.ofSeconds(60), "max-audio-ahead");
  }

  private static void within(Duration d, Duration min, Duration max, String key) {
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw bad(PATH + "." + key, "must be between " + min.toMillis() + " ms and "
          + max.toMillis() + " ms, was " + (d == null ? "missing" : d.toMillis() + " ms"));
    }
  }

  /**
   * Reads the settings from a config that has this module's reference.conf as fallback.
   *
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static TurnTakingSettings fromConfig(Config config) {
    SettingsReader r = new SettingsReader(config);
    return new TurnTakingSettings(
        r.bool(PATH + ".barge-in"),
        r.real(PATH + ".activation-threshold"),
        r.real(PATH + ".deactivation-threshold"),
        r.duration(PATH + ".min-speech"),
        r.duration(PATH + ".min-silence"),
        r.duration(PATH + ".min-interruption"),
        r.duration(PATH + ".false-interruption-timeout"),
        r.duration(PATH + ".min-endpointing"),
        r.duration(PATH + ".max-audio-ahead"));
  }

  /** The same settings with automatic barge-in on or off (a client's choice). */
  public TurnTakingSettings withBargeIn(boolean on) {
    return new TurnTakingSettings(on, activationThreshold, deactivationThreshold, minSpeech,
        minSilence, minInterruption, falseInterruptionTimeout, minEndpointing, maxAudioAhead);
  }
}
