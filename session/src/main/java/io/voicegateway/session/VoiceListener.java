package io.voicegateway.session;

import io.voicegateway.audio.Resampler;
import io.voicegateway.audio.vad.SileroModel;
import io.voicegateway.audio.vad.VadRunner;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Hears one session's user (DESIGN.md, the listening half): the client's audio, resampled to
 * 16 kHz with the project's band-limited {@link Resampler}, is cut into 32 ms windows for the
 * node's {@link VadRunner}, which evaluates every session's windows in batches on its own
 * threads; the speech probabilities come back here, in order, and go through a {@link
 * TurnDetector}, whose events go to the session. The listener runs on its own dispatcher
 * ({@value #DISPATCHER}) and inference on the runner's threads, so neither delays the frames the
 * session sends. The session spawns it at the first audio it hears; a session that never hears
 * audio has none.
 *
 * <p>A microphone that stops sending while the user speaks (muted, a dropped track) ends the
 * speech after {@link #INPUT_GAP} (1 s) without audio, so the session is never left waiting for a
 * {@code speech_stopped} that cannot come.
 */
public final class VoiceListener extends AbstractBehavior<VoiceListener.Command> {

  /** The dispatcher listeners run on (reference.conf). */
  public static final String DISPATCHER = "voicegw.session.listener-dispatcher";

  // Long enough that late frames on a loaded node are not taken for a muted microphone (300 ms
  // split one stretch of speech in two at load 14: docs/BENCHMARKS.md, "Listening").
  static final Duration INPUT_GAP = Duration.ofSeconds(1);

  public interface Command {}

  /** The user's audio: 16-bit mono samples at {@code sampleRate}. */
  public record Heard(short[] samples, int sampleRate) implements Command {}

  /** Speech and turn events, toward the session. */
  public record Voice(TurnDetector.Event event) {}

  /** The runner's verdict on the next window (on the runner's thread, handed over). */
  private record Evaluated(float probability) implements Command {}

  /** The runner could not evaluate a window. */
  private record Failed(String reason) implements Command {}

  private enum Tick implements Command { INPUT_GAP_CHECK }

  static Behavior<Command> create(String sessionId, TurnTakingSettings settings, VadRunner vad,
      ActorRef<Voice> session) {
    return SessionMdc.around(Command.class, sessionId, Behaviors.setup(ctx ->
        Behaviors.withTimers(timers -> new VoiceListener(ctx, timers, settings, vad, session))));
  }

  static DispatcherSelector dispatcher() {
    return DispatcherSelector.fromConfig(DISPATCHER);
  }

  private final TimerScheduler<Command> timers;
  private final VadRunner.Stream vad;
  private final TurnDetector detector;
  private final ActorRef<Voice> session;
  private Resampler resampler; // null at 16 kHz
  private int inputRate;
  private long lastHeardAt;
  private boolean failureLogged;

  private VoiceListener(ActorContext<Command> ctx, TimerScheduler<Command> timers,
      TurnTakingSettings settings, VadRunner runner, ActorRef<Voice> session) {
    super(ctx);
    this.timers = timers;
    ActorRef<Command> self = ctx.getSelf();
    this.vad = runner.open(new VadRunner.Listener() {
      @Override
      public void evaluated(float probability) {
        self.tell(new Evaluated(probability));
      }

      @Override
      public void failed(String reason) {
        self.tell(new Failed(reason));
      }
    });
    this.detector = new TurnDetector(settings,
        SileroModel.WINDOW_SAMPLES * 1000 / SileroModel.SAMPLE_RATE);
    this.session = session;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Heard.class, this::onHeard)
        .onMessage(Evaluated.class, this::onEvaluated)
        .onMessage(Failed.class, this::onFailed)
        .onMessageEquals(Tick.INPUT_GAP_CHECK, this::onInputGapCheck)
        .onSignal(PostStop.class, stop -> {
          vad.close();
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onHeard(Heard heard) {
    lastHeardAt = System.nanoTime();
    if (heard.sampleRate() != inputRate) {
      inputRate = heard.sampleRate();
      resampler = inputRate == SileroModel.SAMPLE_RATE ? null
          // the VAD needs speech bands, not a transparent filter: a quarter of the taps
          : new Resampler(inputRate, SileroModel.SAMPLE_RATE, Resampler.Quality.ANALYSIS);
    }
    short[] samples = resampler == null ? heard.samples() : resampler.process(heard.samples());
    vad.accept(samples, 0, samples.length);
    return Behaviors.same(); // not this: see SessionMdc
  }

  private Behavior<Command> onEvaluated(Evaluated window) {
    boolean wasSpeaking = detector.speaking();
    detector.window(window.probability(), this::tellSession);
    if (!wasSpeaking && detector.speaking()) {
      timers.startTimerWithFixedDelay(Tick.INPUT_GAP_CHECK, INPUT_GAP.dividedBy(2));
    } else if (wasSpeaking && !detector.speaking()) {
      timers.cancel(Tick.INPUT_GAP_CHECK);
    }
    return Behaviors.same();
  }

  /** A window without a verdict counts as silence; the first failure is logged. */
  private Behavior<Command> onFailed(Failed failed) {
    if (!failureLogged) {
      failureLogged = true;
      getContext().getLog().error("voice activity detection failed (the window counts as"
          + " silence; logged once per session): {}", failed.reason());
    }
    return onEvaluated(new Evaluated(0f));
  }

  private Behavior<Command> onInputGapCheck() {
    if (System.nanoTime() - lastHeardAt < INPUT_GAP.toNanos()) return this;
    getContext().getLog().info("no audio for {} ms while the user spoke: speech over",
        INPUT_GAP.toMillis());
    detector.inputStopped(this::tellSession);
    timers.cancel(Tick.INPUT_GAP_CHECK);
    return this;
  }

  private void tellSession(TurnDetector.Event event) {
    session.tell(new Voice(event));
  }
}
