package io.voicegateway.session;

import io.grpc.Channel;
import io.grpc.Status;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.tts.v1.AudioFrame;
import io.voicegateway.tts.v1.ControlCommand;
import io.voicegateway.tts.v1.ControlRequest;
import io.voicegateway.tts.v1.ControlResponse;
import io.voicegateway.tts.v1.EndSessionRequest;
import io.voicegateway.tts.v1.StartSessionRequest;
import io.voicegateway.tts.v1.StartSessionResponse;
import io.voicegateway.tts.v1.TTSServiceClient;
import io.voicegateway.tts.v1.TextChunk;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One session's gRPC conversation with one TTS worker (WIRE.md §2): StartSession on first use,
 * one Synthesize call per utterance, Control for PAUSE/RESUME/STOP, EndSession on close.
 *
 * <p>Frames reach the parent under an acknowledgement protocol: at most {@code frame-window}
 * {@link Frame}s are unacknowledged ({@link FrameAck}) at any time, and the gRPC call is asked for
 * its next frame only as the parent acknowledges ({@link SynthesizeCall}), so a slow parent slows
 * the worker and nothing buffers without bound. One utterance at a time: the parent owns the
 * queue. Any failure of the worker or of its stream is reported ({@link UtteranceFailed},
 * {@link WorkerRejected}) and stops this actor; the parent chooses another worker and spawns a new
 * one.
 */
public final class TtsStream extends AbstractBehavior<TtsStream.Command> {

  /** Bytes in one frame: 20 ms of 48 kHz mono 16-bit PCM. */
  public static final int FRAME_BYTES = 1920;

  // ---------------------------------------------------------------- protocol: commands

  /** Messages this actor accepts. Node-local (it owns a gRPC stream): not serializable. */
  public interface Command {}

  /** Synthesizes {@code text} as one utterance; rejected while another is running. */
  public record Speak(String utteranceId, String text) implements Command {}

  /** The parent has consumed one {@link Frame} of this utterance; lets one more through. */
  public record FrameAck(String utteranceId) implements Command {}

  /**
   * Holds frames here and at the worker; answered with {@link ControlOutcome}. Before the worker
   * session exists the pause is local (one outcome) and is sent once it starts (a second one).
   */
  public record Pause() implements Command {}

  /** Continues after {@link Pause}; answered with {@link ControlOutcome}. */
  public record Resume() implements Command {}

  /**
   * Ends the current utterance at once ({@link UtteranceStopped}, no later frame of it) and tells
   * the worker; answered with {@link ControlOutcome}.
   */
  public record Stop() implements Command {}

  /** Stops any utterance, ends the worker session, reports {@link Closed} and stops. */
  public record Close() implements Command {}

  // ---------------------------------------------------------------- protocol: events

  /** What this actor tells its parent. */
  public sealed interface Event
      permits Frame, UtteranceStarted, UtteranceCompleted, UtteranceStopped, UtteranceFailed,
          WorkerRejected, SpeakRejected, ControlOutcome, Closed {}

  /** One 20 ms frame of PCM; answer with {@link FrameAck} once consumed. */
  public record Frame(String utteranceId, byte[] pcm, long workerSequence) implements Event {}

  /** The Synthesize call for this utterance has been opened. */
  public record UtteranceStarted(String utteranceId) implements Event {}

  /** The worker finished the utterance; {@code frames} were forwarded, all before this event. */
  public record UtteranceCompleted(String utteranceId, long frames) implements Event {}

  /** The utterance ended on {@link Stop} (or {@link Close}); no frame of it follows this event. */
  public record UtteranceStopped(String utteranceId, long frames) implements Event {}

  /** The utterance broke after {@code framesDelivered} frames; this actor stops. */
  public record UtteranceFailed(String utteranceId, long framesDelivered, String reason)
      implements Event {}

  /** StartSession failed or was refused; this actor stops. */
  public record WorkerRejected(String worker, String reason) implements Event {}

  /** A {@link Speak} not accepted (another utterance running, empty text); nothing else changed. */
  public record SpeakRejected(String utteranceId, String reason) implements Event {}

  /** The worker's answer to a control act ({@code success=false} on refusal or timeout). */
  public record ControlOutcome(ControlAct act, boolean success, String message) implements Event {}

  /** {@link Close} is done: the worker session is ended (or could not be, see the log). */
  public record Closed(String sessionId) implements Event {}

  public enum ControlAct { PAUSE, RESUME, STOP }

  // ---------------------------------------------------------------- internal messages

  private record SessionStartResult(StartSessionResponse response, Throwable error)
      implements Command {}

  private record ControlResult(ControlAct act, ControlResponse response, Throwable error)
      implements Command {}

  private record SessionEnded(Throwable error) implements Command {}

  /** A frame of the Synthesize call of utterance {@code generation}. */
  private record StreamElement(long generation, AudioFrame frame) implements Command {}

  private record StreamCompleted(long generation) implements Command {}

  private record StreamFailed(long generation, Status status) implements Command {}

  // ---------------------------------------------------------------- factory

  /**
   * @param sessionId the gateway session, also the worker's session_id
   * @param worker the chosen worker; dialled at {@code dialHost():dialPort()}
   * @param modelId the model for StartSession; "" for the worker's default
   * @param clients this node's shared worker clients
   * @param parent receives every {@link Event}
   */
  public static Behavior<Command> create(String sessionId, WorkerRecord worker, String modelId,
      WorkerClients clients, ActorRef<Event> parent, TtsStreamSettings settings,
      TtsStreamMetrics metrics) {
    if (sessionId == null || sessionId.isBlank()) {
      throw new IllegalArgumentException("sessionId must not be empty");
    }
    return SessionMdc.around(Command.class, sessionId,
        Behaviors.setup(ctx -> new TtsStream(ctx, sessionId, worker, modelId == null ? "" : modelId,
            clients.clientFor(worker), clients.synthesisChannelFor(worker), parent, settings,
            metrics)));
  }

  // ---------------------------------------------------------------- state

  private enum SessionState { NOT_STARTED, STARTING, STARTED }

  /** The running utterance: its stream, what reached the parent, what is held back. */
  private static final class Utterance {
    final String id;
    final long generation;
    SynthesizeCall call;
    long delivered;
    int unacknowledged;
    AudioFrame held;
    boolean upstreamCompleted; // the stream ended while a frame was held here

    Utterance(String id, long generation) {
      this.id = id;
      this.generation = generation;
    }
  }

  private final String sessionId;
  private final String workerAddress;
  private final String modelId;
  private final TTSServiceClient client;
  private final Channel synthesis;
  private final ActorRef<Event> parent;
  private final TtsStreamSettings settings;
  private final TtsStreamMetrics metrics;

  private SessionState session = SessionState.NOT_STARTED;
  private boolean sessionEnded;
  private boolean paused;
  private int stopsInFlight;
  private Speak waiting; // accepted, waiting for StartSession or for the worker to confirm STOP
  private CompletionStage<StartSessionResponse> startCall;
  private Utterance current;
  private long generations;
  private boolean failedWhileDelivering; // deliverHeld found a protocol error: stop

  private TtsStream(ActorContext<Command> context, String sessionId, WorkerRecord worker,
      String modelId, TTSServiceClient client, Channel synthesis, ActorRef<Event> parent,
      TtsStreamSettings settings, TtsStreamMetrics metrics) {
    super(context);
    this.sessionId = sessionId;
    this.workerAddress = worker.dialTarget();
    this.modelId = modelId;
    this.client = client;
    this.synthesis = synthesis;
    this.parent = parent;
    this.settings = settings;
    this.metrics = metrics;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Speak.class, this::onSpeak)
        .onMessage(FrameAck.class, this::onFrameAck)
        .onMessage(Pause.class, m -> onControl(ControlAct.PAUSE))
        .onMessage(Resume.class, m -> onControl(ControlAct.RESUME))
        .onMessage(Stop.class, m -> onControl(ControlAct.STOP))
        .onMessage(Close.class, this::onClose)
        .onMessage(SessionStartResult.class, this::onSessionStartResult)
        .onMessage(ControlResult.class, this::onControlResult)
        .onMessage(SessionEnded.class, this::onSessionEnded)
        .onMessage(StreamElement.class, this::onStreamElement)
        .onMessage(StreamCompleted.class, this::onStreamCompleted)
        .onMessage(StreamFailed.class, this::onStreamFailed)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  // ---------------------------------------------------------------- speaking

  private Behavior<Command> onSpeak(Speak speak) {
    if (speak.text() == null || speak.text().isBlank()) {
      parent.tell(new SpeakRejected(speak.utteranceId(), "text is empty"));
      return this;
    }
    String busyWith = current != null ? current.id : waiting != null ? waiting.utteranceId() : null;
    if (busyWith != null) {
      getContext().getLog().warn("Speak {} rejected: utterance {} is running", speak.utteranceId(),
          busyWith);
      parent.tell(new SpeakRejected(speak.utteranceId(),
          "utterance " + busyWith + " is still running; one utterance at a time"));
      return this;
    }
    waiting = speak;
    switch (session) {
      case NOT_STARTED -> startSession();
      case STARTING -> { }
      case STARTED -> startWaitingUtterance();
    }
    return this;
  }

  private void startSession() {
    session = SessionState.STARTING;
    getContext().getLog().info("starting session on worker {} with model \"{}\"", workerAddress,
        modelId);
    StartSessionRequest request = StartSessionRequest.newBuilder()
        .setSessionId(sessionId).setModelId(modelId).build();
    startCall = client.startSession(request);
    getContext().pipeToSelf(within(startCall, settings.startTimeout()), SessionStartResult::new);
  }

  private Behavior<Command> onSessionStartResult(SessionStartResult result) {
    if (result.error() != null || !result.response().getSuccess()) {
      String reason = result.error() != null
          ? "StartSession failed: " + describe(result.error(), settings.startTimeout())
          : "StartSession refused: " + result.response().getMessage();
      getContext().getLog().warn("worker {} rejected the session: {}", workerAddress, reason);
      parent.tell(new WorkerRejected(workerAddress, reason));
      session = SessionState.NOT_STARTED;
      if (result.error() != null) endSessionIfStartedLate();
      return Behaviors.stopped();
    }
    session = SessionState.STARTED;
    getContext().getLog().debug("session started: {}", result.response().getMessage());
    if (paused) sendControl(ControlAct.PAUSE);
    startWaitingUtterance();
    return this;
  }

  /** Opens the Synthesize call for the waiting Speak, unless a STOP is still on its way. */
  private void startWaitingUtterance() {
    // A STOP that reached the worker after the next call opened would end that call instead.
    if (waiting == null || stopsInFlight > 0 || session != SessionState.STARTED) return;
    Speak speak = waiting;
    waiting = null;
    Utterance u = new Utterance(speak.utteranceId(), ++generations);
    current = u;
    long gen = u.generation;
    TextChunk chunk = TextChunk.newBuilder()
        .setSessionId(sessionId).setText(speak.text()).setIsFinal(true).build();
    ActorRef<Command> self = getContext().getSelf();
    u.call = SynthesizeCall.start(synthesis, chunk, new SynthesizeCall.Listener() {
      @Override
      public void onFrame(AudioFrame frame) {
        self.tell(new StreamElement(gen, frame));
      }

      @Override
      public void onClose(Status status) {
        self.tell(status.isOk() ? new StreamCompleted(gen) : new StreamFailed(gen, status));
      }
    });
    getContext().getLog().info("utterance {} started ({} characters)", u.id,
        speak.text().codePointCount(0, speak.text().length()));
    parent.tell(new UtteranceStarted(u.id));
  }

  // per-frame: Behaviors.same(), not this (see SessionMdc)
  private Behavior<Command> onStreamElement(StreamElement element) {
    Utterance u = current;
    if (u == null || u.generation != element.generation()) {
      return Behaviors.same(); // a frame of a call already stopped (cancelled) or finished: dropped
    }
    AudioFrame frame = element.frame();
    int size = frame.getAudioData().size();
    if (size == 0) {
      u.call.request();
      if (frame.getIsFinal()) {
        completeUtterance(u); // end marker: not forwarded
      } else {
        metrics.protocolErrorFrame();
        getContext().getLog().warn("utterance {}: empty frame without is_final (seq {}) skipped",
            u.id, frame.getSequenceNumber());
      }
      return Behaviors.same();
    }
    if (size != FRAME_BYTES) {
      metrics.protocolErrorFrame();
      return failUtterance(u, "protocol error: frame " + frame.getSequenceNumber() + " has "
          + size + " bytes of audio, expected " + FRAME_BYTES);
    }
    u.held = frame;
    deliverHeld(u);
    return Behaviors.same();
  }

  /** Forwards the held frame if the window and the pause state allow, then asks for the next. */
  private void deliverHeld(Utterance u) {
    if (u.held == null || paused || u.unacknowledged >= settings.frameWindow()) return;
    AudioFrame frame = u.held;
    u.held = null;
    u.unacknowledged++;
    u.delivered++;
    parent.tell(new Frame(u.id, frame.getAudioData().toByteArray(), frame.getSequenceNumber()));
    u.call.request();
    if (frame.getIsFinal()) {
      completeUtterance(u);
    } else if (u.upstreamCompleted) {
      failedWhileDelivering = true;
      failUtterance(u, "protocol error: the worker ended the Synthesize call without an "
          + "is_final frame");
    }
  }

  private Behavior<Command> onFrameAck(FrameAck ack) {
    Utterance u = current;
    if (u != null && u.id.equals(ack.utteranceId()) && u.unacknowledged > 0) {
      u.unacknowledged--;
      deliverHeld(u);
    }
    return failedWhileDelivering ? Behaviors.stopped() : Behaviors.same();
  }

  private void completeUtterance(Utterance u) {
    getContext().getLog().info("utterance {} completed, {} frames", u.id, u.delivered);
    current = null;
    parent.tell(new UtteranceCompleted(u.id, u.delivered));
  }

  private Behavior<Command> onStreamCompleted(StreamCompleted done) {
    Utterance u = current;
    if (u == null || u.generation != done.generation()) return this;
    if (u.held != null) {
      // The call ends as soon as its last frame has arrived, and that frame may still wait here
      // for the window: the held frame may be the final one. Decide once it is delivered.
      u.upstreamCompleted = true;
      return this;
    }
    metrics.protocolErrorFrame();
    return failUtterance(u, "protocol error: the worker ended the Synthesize call without an "
        + "is_final frame");
  }

  private Behavior<Command> onStreamFailed(StreamFailed failed) {
    Utterance u = current;
    if (u == null || u.generation != failed.generation()) return this;
    metrics.streamError();
    return failUtterance(u, "Synthesize failed: " + describe(failed.status()));
  }

  private Behavior<Command> failUtterance(Utterance u, String reason) {
    getContext().getLog().warn("utterance {} failed after {} frames on worker {}: {}", u.id,
        u.delivered, workerAddress, reason);
    u.call.cancel(reason);
    current = null;
    parent.tell(new UtteranceFailed(u.id, u.delivered, reason));
    return Behaviors.stopped();
  }

  // ---------------------------------------------------------------- control

  private Behavior<Command> onControl(ControlAct act) {
    switch (act) {
      case PAUSE -> paused = true;
      case RESUME -> {
        paused = false;
        if (current != null) deliverHeld(current);
      }
      case STOP -> {
        paused = false; // the worker leaves a stopped session unpaused too
        stopLocally();
      }
    }
    if (session == SessionState.STARTED) {
      sendControl(act);
    } else {
      // Nothing runs on the worker yet; a pause is re-sent once the session starts.
      parent.tell(new ControlOutcome(act, true, "applied locally: no session on the worker yet"));
    }
    return failedWhileDelivering ? Behaviors.stopped() : this;
  }

  /** Ends the current (or waiting) utterance here at once; its later frames are dropped. */
  private void stopLocally() {
    if (current != null) {
      Utterance u = current;
      current = null;
      u.call.cancel("utterance stopped");
      getContext().getLog().info("utterance {} stopped after {} frames", u.id, u.delivered);
      parent.tell(new UtteranceStopped(u.id, u.delivered));
    } else if (waiting != null) {
      Speak w = waiting;
      waiting = null;
      parent.tell(new UtteranceStopped(w.utteranceId(), 0));
    }
  }

  private void sendControl(ControlAct act) {
    ControlCommand command = switch (act) {
      case PAUSE -> ControlCommand.PAUSE;
      case RESUME -> ControlCommand.RESUME;
      case STOP -> ControlCommand.STOP;
    };
    if (act == ControlAct.STOP) stopsInFlight++;
    ControlRequest request = ControlRequest.newBuilder()
        .setSessionId(sessionId).setCommand(command).build();
    getContext().pipeToSelf(within(client.control(request), settings.controlTimeout()),
        (response, error) -> new ControlResult(act, response, error));
  }

  private Behavior<Command> onControlResult(ControlResult result) {
    if (result.act() == ControlAct.STOP) stopsInFlight--;
    if (result.error() != null) {
      String message = "Control " + result.act() + " failed: "
          + describe(result.error(), settings.controlTimeout());
      getContext().getLog().warn(message);
      parent.tell(new ControlOutcome(result.act(), false, message));
    } else {
      ControlResponse r = result.response();
      if (!r.getSuccess()) {
        getContext().getLog().warn("worker refused {}: {}", result.act(), r.getMessage());
      }
      parent.tell(new ControlOutcome(result.act(), r.getSuccess(), r.getMessage()));
    }
    startWaitingUtterance();
    return this;
  }

  // ---------------------------------------------------------------- closing

  private Behavior<Command> onClose(Close close) {
    stopLocally();
    if (session != SessionState.STARTED) {
      parent.tell(new Closed(sessionId));
      return Behaviors.stopped();
    }
    sessionEnded = true;
    getContext().pipeToSelf(within(endSession(), settings.controlTimeout()),
        (response, error) -> new SessionEnded(error));
    return closing();
  }

  /** Waits for EndSession; everything else is answered as if closed. */
  private Behavior<Command> closing() {
    return Behaviors.receive(Command.class)
        .onMessage(SessionEnded.class, this::onSessionEnded)
        .onMessage(Speak.class, s -> {
          parent.tell(new SpeakRejected(s.utteranceId(), "the stream is closing"));
          return Behaviors.same();
        })
        .onMessage(StreamElement.class, e -> Behaviors.same()) // its call was cancelled
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onSessionEnded(SessionEnded ended) {
    if (ended.error() != null) {
      getContext().getLog().warn("EndSession failed: {}",
          describe(ended.error(), settings.controlTimeout()));
    } else {
      getContext().getLog().info("session ended on worker {}", workerAddress);
    }
    parent.tell(new Closed(sessionId));
    return Behaviors.stopped();
  }

  /** A StartSession given up on (timeout, or this actor stopping) may still succeed: undo it. */
  private void endSessionIfStartedLate() {
    startCall.thenAccept(response -> {
      if (response.getSuccess()) endSession();
    });
  }

  private CompletionStage<io.voicegateway.tts.v1.EndSessionResponse> endSession() {
    return client.endSession(EndSessionRequest.newBuilder().setSessionId(sessionId).build());
  }

  private Behavior<Command> onPostStop() {
    if (current != null) {
      current.call.cancel("session stream stopped");
      current = null;
    }
    if (session == SessionState.STARTING) endSessionIfStartedLate();
    if (session == SessionState.STARTED && !sessionEnded) {
      // Best effort: the worker forgets the session; nobody waits for the answer.
      sessionEnded = true;
      endSession();
    }
    return this;
  }

  // ---------------------------------------------------------------- helpers

  /**
   * {@code call}, failed with a TimeoutException after {@code timeout}. The call itself is left
   * alone: {@code orTimeout} fails the very future it is called on, and {@code toCompletableFuture}
   * may be that future, so a late answer could no longer be seen (a StartSession that succeeded
   * after its timeout was then never ended, and the worker kept the session).
   */
  private static <T> CompletionStage<T> within(CompletionStage<T> call, Duration timeout) {
    return call.toCompletableFuture().copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** "CODE: description", as {@code StatusRuntimeException} (and pekko-grpc before) puts it. */
  private static String describe(Status status) {
    return status.asRuntimeException().getMessage();
  }

  private static String describe(Throwable e, Duration timeout) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof TimeoutException && timeout != null) {
      return "no answer within " + timeout.toMillis() + " ms";
    }
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }
}
