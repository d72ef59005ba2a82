package io.voicegateway.session;

import java.util.function.Consumer;

/**
 * Turns a stream of speech probabilities, one per VAD window, into the user's speech and turn
 * events. Time is the audio's own: window {@code n} covers {@code [n·w, (n+1)·w)} ms of the
 * stream, so the same audio gives the same events however fast it arrives.
 *
 * <ul>
 *   <li>{@link SpeechStarted}: {@code min-speech} of consecutive windows at or above the
 *       activation threshold. Its onset is the start of the first of them.
 *   <li>{@link SpeechSustained}: the stretch of speech has lasted {@code sustained} (the
 *       session's {@code min-interruption}); once per stretch.
 *   <li>{@link SpeechStopped}: {@code min-silence} of windows below the deactivation threshold.
 *       The stretch ended where that silence began.
 *   <li>{@link SilenceSustained}: silence since the last speech has lasted {@code
 *       false-interruption-timeout}; once per gap.
 *   <li>{@link TurnEnded}: silence since the last speech has lasted {@code min-endpointing};
 *       once per turn. A turn is every stretch of speech since the previous turn ended.
 * </ul>
 *
 * <p>Not thread-safe: one session's listener owns it.
 */
public final class TurnDetector {

  /** What the detector reports; times are milliseconds of audio since the stream began. */
  public sealed interface Event permits SpeechStarted, SpeechSustained, SpeechStopped,
      SilenceSustained, TurnEnded {}

  /** @param heardMs speech heard when it was recognised (the detection delay after the onset) */
  public record SpeechStarted(long onsetMs, long heardMs) implements Event {}

  public record SpeechSustained(long onsetMs, long speechMs) implements Event {}

  /** @param speechMs the stretch's length, from its onset to where the silence began */
  public record SpeechStopped(long endMs, long speechMs) implements Event {}

  public record SilenceSustained(long silenceMs) implements Event {}

  /** @param speechMs the speech of the turn, all its stretches together */
  public record TurnEnded(long endMs, long speechMs, long silenceMs) implements Event {}

  private final int windowMs;
  private final double activation;
  private final double deactivation;
  private final long minSpeechMs;
  private final long minSilenceMs;
  private final long sustainedMs;
  private final long silenceSustainedMs;
  private final long endpointingMs;

  private long windows; // windows seen
  private boolean speaking;
  private long candidateStart = -1; // start of consecutive speech windows while silent
  private long onset; // of the current stretch
  private long lastSpeechEnd = -1; // end of the last speech window, -1: none yet
  private boolean sustainedSent;
  private boolean silenceSustainedSent = true;
  private boolean turnOpen;
  private long turnSpeechMs; // the finished stretches of the open turn

  public TurnDetector(TurnTakingSettings settings, int windowMs) {
    this.windowMs = windowMs;
    this.activation = settings.activationThreshold();
    this.deactivation = settings.deactivationThreshold();
    this.minSpeechMs = settings.minSpeech().toMillis();
    this.minSilenceMs = settings.minSilence().toMillis();
    this.sustainedMs = settings.minInterruption().toMillis();
    this.silenceSustainedMs = settings.falseInterruptionTimeout().toMillis();
    this.endpointingMs = settings.minEndpointing().toMillis();
  }

  /** Milliseconds of audio seen so far. */
  public long nowMs() {
    return windows * windowMs;
  }

  public boolean speaking() {
    return speaking;
  }

  /** The next window's speech probability; events go to {@code out} in order. */
  public void window(float probability, Consumer<Event> out) {
    long start = windows * windowMs;
    long end = start + windowMs;
    windows++;
    if (!speaking) {
      if (probability >= activation) {
        if (candidateStart < 0) candidateStart = start;
        if (end - candidateStart >= Math.max(minSpeechMs, 1)) {
          speaking = true;
          onset = candidateStart;
          candidateStart = -1;
          lastSpeechEnd = end;
          sustainedSent = false;
          silenceSustainedSent = false;
          turnOpen = true;
          out.accept(new SpeechStarted(onset, end - onset));
          sustained(end, out);
        }
      } else {
        candidateStart = -1;
        silence(end, out);
      }
      return;
    }
    if (probability >= deactivation) {
      lastSpeechEnd = end;
      sustained(end, out);
    } else if (end - lastSpeechEnd >= minSilenceMs) {
      speaking = false;
      long stretch = lastSpeechEnd - onset;
      turnSpeechMs += stretch;
      out.accept(new SpeechStopped(lastSpeechEnd, stretch));
      silence(end, out);
    }
  }

  /** The client's audio stopped (a muted microphone): whatever was heard is over now. */
  public void inputStopped(Consumer<Event> out) {
    if (speaking) {
      speaking = false;
      long stretch = lastSpeechEnd - onset;
      turnSpeechMs += stretch;
      out.accept(new SpeechStopped(lastSpeechEnd, stretch));
    }
    candidateStart = -1;
  }

  private void sustained(long end, Consumer<Event> out) {
    if (!sustainedSent && end - onset >= sustainedMs) {
      sustainedSent = true;
      out.accept(new SpeechSustained(onset, end - onset));
    }
  }

  private void silence(long end, Consumer<Event> out) {
    if (lastSpeechEnd < 0) return;
    long silent = end - lastSpeechEnd;
    if (turnOpen && silent >= endpointingMs) {
      turnOpen = false;
      out.accept(new TurnEnded(lastSpeechEnd, turnSpeechMs, silent));
      turnSpeechMs = 0;
    }
    if (!silenceSustainedSent && silent >= silenceSustainedMs) {
      silenceSustainedSent = true;
      out.accept(new SilenceSustained(silent));
    }
  }
}
