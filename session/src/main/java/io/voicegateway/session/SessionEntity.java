package io.voicegateway.session;

import io.voicegateway.registry.RegistryMirror;
import io.voicegateway.registry.SelectionRequest;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.registry.WorkerSnapshot;
import io.voicegateway.session.store.ResumeState;
import io.voicegateway.session.store.SessionStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One client session (DESIGN.md, actors and data flow), run through Cluster Sharding: the queue of
 * accepted utterances, one {@link TtsStream} child toward the chosen worker, pacing of frames
 * toward the client, PAUSE/RESUME/STOP, worker failover and the session limits.
 *
 * <h2>Protocol</h2>
 * A connector sends {@link Attach} with the actor that receives {@link ClientEvent}s; the entity
 * answers {@link SessionStarted}. {@link Say} queues an utterance (ids {@code u1}, {@code u2}, …
 * when the client gives none); every accepted utterance gets exactly one {@link UtteranceEnd}
 * (completed, stopped or failed), preceded by {@link UtteranceStart} if it was started. Each
 * {@link Audio} must be answered with {@link ClientAck} once the connector has written it: at most
 * {@code client-window} Audio events are unacknowledged, so a client that stops reading stops the
 * worker, with nothing buffered without bound.
 *
 * <h2>Frames</h2>
 * Frames from the TtsStream wait in a buffer of at most {@code frame-window} frames (the stream's
 * own window) and leave when the {@link PacingClock} says so (a single-shot timer to the next due
 * time; burst mode: at once) and the client window has room. A frame is acknowledged to the
 * stream as it leaves, so the worker is pulled only as fast as the client plays. {@link Audio}
 * sequences start at 1 per session and continue across utterances and worker changes.
 *
 * <h2>Control acts</h2>
 * <ul>
 *   <li>PAUSE: nothing leaves after the act is handled; the stream and worker are paused;
 *       {@link Paused}. Utterances keep being accepted.
 *   <li>RESUME: releasing continues with the next held frame (sequence without a gap);
 *       {@link Resumed}.
 *   <li>STOP: the stream is told to stop, held frames are dropped (counted), the client gets
 *       {@link Clear}, then {@link UtteranceEnd}(stopped) for the current utterance and also for
 *       every queued one (with 0 frames) so that each accepted utterance is accounted for; the
 *       queue is empty afterwards and the session is unpaused. A later Say is spoken normally.
 * </ul>
 *
 * <h2>Failover</h2>
 * When the stream reports {@code UtteranceFailed} or {@code WorkerRejected}, or stops on its own,
 * while an utterance is unfinished, the worker is excluded for the rest of the session, another
 * one is selected (when only failed workers are left, they are tried again: a failure may be
 * transient), the client gets {@link WorkerChanged}, and the utterance is synthesized again
 * from its start. The first {@code n} frames of the new synthesis are skipped, {@code n} being the
 * frames already sent to the client (frames held but not yet sent are discarded and come again),
 * so the client hears no gap and no duplicate, provided the worker's synthesis is deterministic
 * (the same text and model give the same frames). After {@code max-failovers} worker changes the
 * utterance ends as failed with {@link Error} {@code SYNTHESIS_FAILED} and the queue moves on.
 *
 * <h2>No worker</h2>
 * The client gets {@link Error} {@code WORKER_UNAVAILABLE} once, the text stays queued, the
 * entity subscribes to the {@link RegistryMirror} and also re-tries selection every
 * {@value #WORKER_RETRY_MILLIS} ms; as soon as a worker qualifies the queue is spoken. After
 * {@code worker-wait} with none, every waiting utterance ends as failed; the session stays open.
 *
 * <h2>Limits</h2>
 * Idle timeout (no Say/Control while nothing is queued or spoken), maximum duration and maximum
 * messages (Say plus Control; the message beyond the limit ends the session) each send
 * {@link SessionEnded} with the reason, close the TtsStream (EndSession reaches the worker), and
 * stop the entity. {@link End} does the same with the given reason. Automatic passivation is
 * disabled for this entity type: a live session only ends itself. A late message that reaches the
 * region after the entity stopped starts a fresh incarnation under the same id; one that has never
 * seen {@link Attach} stops at its first message, so no orphan session lingers.
 *
 * <h2>Resume (DESIGN.md, cluster rules)</h2>
 * With a {@link SessionStore} the entity saves its {@link ResumeState} (queue, sequence, counts)
 * whenever it changes, one save in flight at a time, fenced by its epoch. Two rules make a resume
 * lose nothing and repeat nothing: an utterance's frames leave only once the save that started it
 * (with the sequence of its first frame) is written, and {@link UtteranceEnd} reaches the client
 * only once the save that removed the utterance is written (client events keep their order
 * behind it). A lost connection ({@link Detach}, or {@link End} {@code client_disconnect}) ends
 * the incarnation; the record stays for the resume window. A new incarnation starts with {@link Resume}: the interrupted utterance is
 * synthesized again and continues after the client's {@code last_sequence} (the frames it heard
 * are skipped, as in a failover); queued ones follow. An incarnation whose save is fenced, or
 * that gets {@link Superseded}, ends without touching the record.
 */
public final class SessionEntity extends AbstractBehavior<SessionEntity.Command> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Session");

  static final long WORKER_RETRY_MILLIS = 500;
  private static final long FRAME_NANOS = 20_000_000L;

  // ---------------------------------------------------------------- protocol: commands

  /** Everything the entity accepts. */
  public interface Command {}

  /**
   * A connector attaches to a new session; {@code client} receives every {@link ClientEvent}.
   *
   * @param resumeTokenSha256 the SHA-256 (hex) of the resume token the connector gave its client,
   *     or null when the session cannot be resumed
   */
  public record Attach(ActorRef<ClientEvent> client, String resumeTokenSha256)
      implements Command, CborSerializable {
    public Attach(ActorRef<ClientEvent> client) {
      this(client, null);
    }
  }

  /**
   * The first message of a resumed incarnation (its connector claimed the session in the store).
   * Node-local: the claim holds the session's texts.
   *
   * @param lastSequence the last audio sequence the client received (0: none)
   */
  public record Resume(ActorRef<ClientEvent> client, SessionStore.Claimed claim,
      long lastSequence) implements Command {}

  /**
   * The client's connection broke without a close. With a store this incarnation ends quietly
   * and the session's record stays for the resume window (its expiry is set to now plus the
   * window) so that the client can resume anywhere; without one the session ends as
   * {@code client_disconnect}.
   */
  public record Detach() implements Command, CborSerializable {}

  /** Another incarnation took the session over (a resume): end without touching the record. */
  public record Superseded() implements Command, CborSerializable {}

  /** Text to speak as one utterance; the entity assigns {@code u1}, {@code u2}, … when absent. */
  public record Say(Optional<String> utteranceId, String text)
      implements Command, CborSerializable {
    public Say {
      utteranceId = utteranceId == null ? Optional.empty() : utteranceId;
    }
  }

  public enum Act { PAUSE, RESUME, STOP }

  /** A control act of the client. */
  public record Control(Act act) implements Command, CborSerializable {}

  /** The connector has consumed (written to its socket) one {@link Audio} event. */
  public record ClientAck() implements Command, CborSerializable {
    public static final ClientAck INSTANCE = new ClientAck();
  }

  /**
   * The user's audio: 16-bit mono samples at {@code sampleRate} (a connector checked the format).
   * Node-local, like all audio: it never crosses the cluster (DESIGN.md, the listening half), and
   * it is not a client message ({@code max-messages}, the idle timeout).
   */
  public record UserAudio(short[] samples, int sampleRate) implements Command {}

  /** Switches automatic barge-in on or off for this session (manual PAUSE/STOP always work). */
  public record SetBargeIn(boolean on) implements Command, CborSerializable {}

  /** Ends the session (client_disconnect, …): {@link SessionEnded} with this reason, then stop. */
  public record End(String reason) implements Command, CborSerializable {}

  /**
   * Asks what an operator may see of this session ({@link SessionInfo}); answered in any state
   * and never counted as a client message. An incarnation no client attached to answers and
   * stops.
   */
  public record GetInfo(ActorRef<SessionInfo> replyTo) implements Command, CborSerializable {}

  // ---------------------------------------------------------------- protocol: client events

  /** What the entity tells the attached connector. */
  public sealed interface ClientEvent extends CborSerializable
      permits SessionStarted, SessionResumed, Audio, UtteranceStart, UtteranceEnd, Paused, Resumed, Clear,
          WorkerChanged, Error, SessionEnded, SpeechStarted, SpeechStopped, UserTurnEnd,
          InterruptionStarted, InterruptionConfirmed, FalseInterruption {}

  /**
   * The answer to {@link Attach}. {@code entity} is this incarnation itself: the connector, on
   * the same node, sends it every later command directly instead of through its shard region
   * (two hops fewer for every {@link ClientAck}).
   */
  public record SessionStarted(String sessionId, ActorRef<Command> entity) implements ClientEvent {}

  /**
   * The answer to {@link Resume}.
   *
   * @param nextSequence the sequence of the next audio frame
   * @param accepted texts the session has accepted in all (the client re-sends later ones)
   * @param paused whether the session is paused (RESUME continues it)
   * @param pending utterances not finished: the interrupted one (continuing) and the queued ones
   * @param entity this incarnation, for the connector's later commands (as in {@link SessionStarted})
   * @param bargeIn whether automatic barge-in is on (the client's choice, carried over)
   */
  public record SessionResumed(String sessionId, long nextSequence, long accepted,
      boolean paused, int pending, ActorRef<Command> entity, boolean bargeIn)
      implements ClientEvent {}

  /** One 20 ms frame; answer with {@link ClientAck}. {@code sequence} counts from 1 per session. */
  public record Audio(byte[] pcm, long sequence) implements ClientEvent {}

  public record UtteranceStart(String utteranceId) implements ClientEvent {}

  /** {@code reason}: completed, stopped or failed; {@code frames} sent to the client. */
  public record UtteranceEnd(String utteranceId, long frames, String reason)
      implements ClientEvent {}

  public record Paused() implements ClientEvent {}

  public record Resumed() implements ClientEvent {}

  /** Drop buffered audio now (STOP). */
  public record Clear() implements ClientEvent {}

  /**
   * The user started speaking. {@code onsetMs}: where the speech began in the session's input
   * audio (milliseconds since its first sample); {@code heardMs}: how much of it was heard before
   * it counted as speech.
   */
  public record SpeechStarted(long onsetMs, long heardMs) implements ClientEvent {}

  /** The user stopped speaking; {@code speechMs}: how long that stretch of speech lasted. */
  public record SpeechStopped(long endMs, long speechMs) implements ClientEvent {}

  /**
   * The user's turn is over: silence for {@code min-endpointing} after speech. {@code speechMs}:
   * the speech of the whole turn.
   */
  public record UserTurnEnd(long speechMs, long silenceMs) implements ClientEvent {}

  /**
   * The user spoke over the agent: its audio is paused and the client told to drop what it holds
   * ({@link Clear} comes first). {@code framesPlayed}: frames of the utterance played so far.
   */
  public record InterruptionStarted(String utteranceId, long framesPlayed)
      implements ClientEvent {}

  /** The user kept talking: the utterance stops ({@link UtteranceEnd} {@code interrupted}). */
  public record InterruptionConfirmed(String utteranceId, long framesPlayed)
      implements ClientEvent {}

  /**
   * The interruption was too short (a cough, "mm-hm") and silence followed: the utterance goes on
   * where the user heard it stop, with nothing lost or repeated.
   */
  public record FalseInterruption(String utteranceId, long framesPlayed) implements ClientEvent {}

  /** The utterance continues on another worker; {@code reason}: worker_failed|worker_rejected. */
  public record WorkerChanged(String utteranceId, String reason) implements ClientEvent {}

  /** {@code code}: WORKER_UNAVAILABLE, SYNTHESIS_FAILED, INVALID_MESSAGE (WIRE.md §4). */
  public record Error(String code, String message) implements ClientEvent {}

  /**
   * The last event: client_disconnect, idle_timeout, max_duration, max_messages, error,
   * node_shutdown (resumable), resumed_elsewhere, …
   */
  public record SessionEnded(String reason) implements ClientEvent {}

  public static final String COMPLETED = "completed";
  public static final String STOPPED = "stopped";
  public static final String FAILED = "failed";
  /** The user spoke over it (automatic barge-in, confirmed). */
  public static final String INTERRUPTED = "interrupted";

  /** End reason of a session the node ends on shutdown; its record stays for a resume. */
  public static final String NODE_SHUTDOWN = "node_shutdown";
  /** End reason of the connection's own new session when the connection resumes another. */
  public static final String RESUMED = "resumed";
  /** End reason of a session whose client closed its connection; resumable for the window. */
  public static final String CLIENT_DISCONNECT = "client_disconnect";
  /** End of an incarnation whose connection broke: its record stays for a resume. */
  static final String CONNECTION_LOST = "connection_lost";
  /** End reason of an incarnation another one took over. */
  public static final String RESUMED_ELSEWHERE = "resumed_elsewhere";

  // ---------------------------------------------------------------- internal messages

  private record TtsEvent(TtsStream.Event event) implements Command {}

  private record StreamTerminated(ActorRef<TtsStream.Command> stream) implements Command {}

  private record ClientTerminated(ActorRef<ClientEvent> client) implements Command {}

  private record WorkersChanged(WorkerSnapshot snapshot) implements Command {}

  private record VoiceEvent(VoiceListener.Voice voice) implements Command {}

  /** A save of state version {@code version} finished ({@code error} null when it was written). */
  private record SaveDone(long version, SessionStore.Saved result, Throwable error)
      implements Command {}

  private enum Tick implements Command { RELEASE, IDLE, MAX_DURATION, WORKER_WAIT, WORKER_RETRY,
    CLOSE_TIMEOUT, SAVE_RETRY, FALSE_INTERRUPTION }

  private static final Duration SAVE_RETRY_DELAY = Duration.ofSeconds(1);

  // ---------------------------------------------------------------- creation

  /** The entity's behavior ({@link NodeLocalSharding} uses it; tests may spawn it directly). */
  public static Behavior<Command> create(SessionEntityId id, SessionServices services) {
    return SessionMdc.around(Command.class, id.sessionId(),
        Behaviors.setup(ctx -> Behaviors.withTimers(
            timers -> new SessionEntity(ctx, timers, id, services))));
  }

  /** A first incarnation on no particular node (tests). */
  public static Behavior<Command> create(String sessionId, SessionServices services) {
    return create(new SessionEntityId(sessionId, "local", 1), services);
  }

  // ---------------------------------------------------------------- state

  private static final class Utterance {
    final String id;
    final String text;
    final long acceptedAt;
    long sent; // frames sent to the client
    long speakSentAt; // Speak told to the stream (the current attempt)
    long firstFrameAt; // the current attempt's first frame received from the stream, 0: none yet
    long receivedFromStream; // frames of the current synthesis attempt received
    int failovers;
    boolean announced;
    boolean workerDone;
    long firstSequence; // the sequence of its first frame once started, else 0
    long barrier; // the state version that must be saved before its frames leave

    Utterance(String id, String text, long acceptedAt) {
      this.id = id;
      this.text = text;
      this.acceptedAt = acceptedAt;
    }
  }

  private final SessionEntityId id;
  private final String sessionId;
  private final SessionServices services;
  private final SessionSettings settings;
  private final SessionMetrics metrics;
  private final SessionStore store;
  private final TimerScheduler<Command> timers;
  private final ActorRef<TtsStream.Event> ttsAdapter;
  private final PacingClock pacing;

  private ActorRef<ClientEvent> client;
  private boolean attached; // a connector attached at least once
  private final ArrayDeque<Utterance> queue = new ArrayDeque<>();
  private Utterance current;
  private final ArrayDeque<TtsStream.Frame> held = new ArrayDeque<>();
  // Frames of the current utterance sent last, newest last: those the client had not played when
  // an interruption made it drop its buffer are sent again if the agent goes on.
  // The end of the previous utterance counts too: the client drops it as well when it still
  // holds it.
  private final ArrayDeque<SentFrame> recent = new ArrayDeque<>();
  private final int recentCapacity;
  private final ArrayDeque<SentFrame> replay = new ArrayDeque<>(); // before held, no stream ack

  /** A frame sent to the client, and the utterance it belongs to. */
  private record SentFrame(byte[] pcm, Utterance utterance) {}
  private ActorRef<TtsStream.Command> stream;
  private WorkerRecord worker;
  private String streamSessionId; // the worker's session_id of the current stream
  private final Set<String> failedWorkers = new LinkedHashSet<>();
  private int streams;
  private long nextSequence = 1;
  private long nextUtteranceNumber = 1;
  private long accepted;
  private int unackedAudio;
  private boolean paused;
  private long lastSentAt;
  private int messages;
  private boolean waitingForWorker;
  private boolean subscribed;

  // listening (VoiceListener): spawned at the first audio heard
  private ActorRef<VoiceListener.Command> listener;
  private boolean listeningUnavailable;
  private boolean bargeIn;
  private String interrupted; // the utterance an interruption paused, null: none pending

  // persistence (SessionStore): versions of the resumable state
  private boolean persistent; // a record exists and this incarnation owns it
  private long version; // bumped at every change of the resumable state
  private long gate; // frames and deferred events up to this version may go out
  private long saving = -1; // the version being saved, -1: none in flight
  private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();

  /** A client event that waits until state version {@code version} is saved. */
  private record Deferred(long version, ClientEvent event) {}

  // what GetInfo reports
  private long startedAtMillis = System.currentTimeMillis();
  private long maxDurationDeadline;
  private long idleDeadline;
  private long framesSent;
  private long framesDropped;
  private long completed;
  private long stopped;
  private long failed;
  private long failovers;

  private SessionEntity(ActorContext<Command> ctx, TimerScheduler<Command> timers,
      SessionEntityId id, SessionServices services) {
    super(ctx);
    this.id = id;
    this.sessionId = id.sessionId();
    this.services = services;
    this.settings = services.settings();
    this.metrics = services.metrics();
    this.store = services.store();
    this.timers = timers;
    this.ttsAdapter = ctx.messageAdapter(TtsStream.Event.class, TtsEvent::new);
    this.pacing = new PacingClock(Duration.ofMillis(20), settings.pacingLead(),
        settings.burstPacing());
    this.recentCapacity = (int) (settings.pacingLead().toMillis() / 20) + settings.clientWindow()
        + 2;
    this.bargeIn = services.turnTaking().bargeIn();
    startMaxDuration(settings.maxDuration());
    restartIdle();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetInfo.class, this::onGetInfo)
        .onMessage(Attach.class, this::onAttach)
        .onMessage(Resume.class, this::onResume)
        .onMessage(Command.class, c -> !attached && !(c instanceof TtsEvent), this::onUnattached)
        .onMessage(Say.class, this::onSay)
        .onMessage(Control.class, this::onControl)
        .onMessage(ClientAck.class, this::onClientAck)
        .onMessage(UserAudio.class, this::onUserAudio)
        .onMessage(VoiceEvent.class, this::onVoice)
        .onMessage(SetBargeIn.class, this::onSetBargeIn)
        .onMessageEquals(Tick.FALSE_INTERRUPTION, this::onFalseInterruptionDue)
        .onMessage(End.class, e -> endSession(e.reason()))
        .onMessage(Detach.class, d -> onDetach())
        .onMessage(Superseded.class, x -> endSession(RESUMED_ELSEWHERE))
        .onMessage(SaveDone.class, this::onSaveDone)
        .onMessageEquals(SaveNow.INSTANCE, this::onSaveNow)
        .onMessageEquals(Tick.SAVE_RETRY, () -> { save(); return this; })
        .onMessage(TtsEvent.class, this::onTtsEvent)
        .onMessage(StreamTerminated.class, this::onStreamTerminated)
        .onMessage(ClientTerminated.class, this::onClientTerminated)
        .onMessage(WorkersChanged.class, w -> onWorkerChance())
        .onMessageEquals(Tick.RELEASE, () -> { release(); return Behaviors.same(); })
        .onMessageEquals(Tick.IDLE, this::onIdle)
        .onMessageEquals(Tick.MAX_DURATION, () -> endSession("max_duration"))
        .onMessageEquals(Tick.WORKER_RETRY, this::onWorkerChance)
        .onMessageEquals(Tick.WORKER_WAIT, this::onWorkerWaitOver)
        .build();
  }

  // ---------------------------------------------------------------- client commands

  private Behavior<Command> onAttach(Attach attach) {
    if (client != null && !client.equals(attach.client())) {
      getContext().unwatch(client);
      getContext().getLog().info("connector replaced");
    }
    boolean first = !attached;
    client = attach.client();
    attached = true;
    getContext().watchWith(client, new ClientTerminated(client));
    unackedAudio = 0;
    pacing.clear(System.nanoTime());
    if (first) {
      getContext().getLog().info("session started ({})", id);
      if (store.enabled() && attach.resumeTokenSha256() != null) createRecord(attach);
    }
    tell(new SessionStarted(sessionId, getContext().getSelf()));
    restartIdle();
    release();
    return this;
  }

  /**
   * A new incarnation continues a session its connector claimed: the state of the claim, the
   * interrupted utterance continuing after the client's last sequence, then the queued ones.
   */
  private Behavior<Command> onResume(Resume resume) {
    if (attached) {
      getContext().getLog().warn("resume for an incarnation already attached: ignored");
      return this;
    }
    SessionStore.Claimed claim = resume.claim();
    ResumeState state = claim.state();
    attached = true;
    client = resume.client();
    getContext().watchWith(client, new ClientTerminated(client));
    startedAtMillis = claim.startedAtMillis();
    nextUtteranceNumber = state.nextUtteranceNumber();
    accepted = state.accepted();
    messages = state.messages();
    long now = System.nanoTime();
    long last = Math.max(0, resume.lastSequence());
    long floor = state.nextSequence();
    for (ResumeState.SavedUtterance saved : state.utterances()) {
      Utterance u = new Utterance(saved.id(), saved.text(), now);
      if (queue.isEmpty() && saved.firstSequence() > 0) {
        // the interrupted utterance: frame k has sequence firstSequence + k - 1
        u.firstSequence = saved.firstSequence();
        u.sent = Math.max(0, last - saved.firstSequence() + 1);
        u.announced = u.sent > 0;
        floor = saved.firstSequence();
      }
      queue.add(u);
    }
    nextSequence = Math.max(last + 1, floor);
    if (state.paused()) {
      paused = true;
      pacing.pause(now);
    }
    if (state.bargeIn() != null) bargeIn = state.bargeIn(); // the client's choice goes on
    endOrphanedWorkerSession(state.workerSession());
    persistent = true;
    changed(); // the state under this epoch, with the sequence the client gave
    long left = startedAtMillis + settings.maxDuration().toMillis() - System.currentTimeMillis();
    if (left <= 0) return endSession("max_duration");
    startMaxDuration(Duration.ofMillis(left));
    getContext().getLog().info("session resumed ({}) after sequence {}: {} utterance(s) pending,"
        + " next sequence {}", id, last, queue.size(), nextSequence);
    tell(new SessionResumed(sessionId, nextSequence, accepted, paused, queue.size(),
        getContext().getSelf(), bargeIn));
    restartIdle();
    startNext();
    return this;
  }

  /**
   * Ends the worker session the previous incarnation held (best effort): when its node died it
   * could not, and the worker would count it against its capacity until its idle timeout.
   */
  private void endOrphanedWorkerSession(ResumeState.WorkerSession orphan) {
    if (orphan == null) return;
    org.slf4j.Logger log = getContext().getLog();
    services.clients().clientFor(orphan.host(), orphan.port())
        .endSession(io.voicegateway.tts.v1.EndSessionRequest.newBuilder()
            .setSessionId(orphan.sessionId()).build())
        .whenComplete((r, e) -> log.info("previous incarnation's worker session {} ended: {}",
            orphan.sessionId(), e == null ? r.getSuccess() : e.toString()));
  }

  private Behavior<Command> onDetach() {
    if (client != null) getContext().unwatch(client);
    client = null;
    if (!persistent) return endSession(CLIENT_DISCONNECT);
    getContext().getLog().info("connection lost: the session may be resumed for {} s",
        services.resume().window().toSeconds());
    return endSession(CONNECTION_LOST);
  }

  private Behavior<Command> onGetInfo(GetInfo get) {
    if (!attached) {
      // the session ended after it was listed; sharding started this incarnation to answer
      get.replyTo().tell(info("ended"));
      return Behaviors.stopped();
    }
    get.replyTo().tell(info(paused ? "paused" : interrupted != null ? "interrupted"
        : waitingForWorker ? "waiting_for_worker"
        : current != null ? "speaking" : "idle"));
    return this;
  }

  private SessionInfo info(String state) {
    long now = System.nanoTime();
    boolean busy = current != null || !queue.isEmpty();
    return new SessionInfo(sessionId, id.entityId(), id.epoch(), state,
        worker == null ? null : worker.name(), startedAtMillis,
        System.currentTimeMillis() - startedAtMillis, queue.size(),
        current == null ? null : current.id,
        busy || idleDeadline == 0 ? -1 : Math.max(0, (idleDeadline - now) / 1_000_000),
        Math.max(0, (maxDurationDeadline - now) / 1_000_000), messages, framesSent,
        framesDropped, completed, stopped, failed, failovers);
  }

  /**
   * A client command reached an incarnation no connector ever attached to: a late message to a
   * session that already ended (sharding started a fresh entity for it). Nobody would hear this
   * session, so it stops at once instead of waiting for its idle timeout.
   */
  private Behavior<Command> onUnattached(Command command) {
    getContext().getLog().debug("{} for a session no client is attached to: stopping",
        command.getClass().getSimpleName());
    return Behaviors.stopped();
  }

  private boolean countMessage() {
    messages++;
    changed();
    restartIdle();
    return messages > settings.maxMessages();
  }

  private Behavior<Command> onSay(Say say) {
    if (countMessage()) return endSession("max_messages");
    if (say.text() == null || say.text().isBlank()) {
      tell(new Error("INVALID_MESSAGE", "text must not be empty"));
      return this;
    }
    if (queue.size() >= settings.maxQueuedUtterances()) {
      tell(new Error("INVALID_MESSAGE", "queue full: at most " + settings.maxQueuedUtterances()
          + " utterances may wait (voicegw.session.max-queued-utterances); text not accepted"));
      return this;
    }
    String utteranceId = say.utteranceId().filter(s -> !s.isBlank())
        .orElseGet(() -> "u" + nextUtteranceNumber++);
    queue.add(new Utterance(utteranceId, say.text(), System.nanoTime()));
    accepted++;
    changed();
    getContext().getLog().debug("utterance {} queued ({} waiting)", utteranceId, queue.size());
    startNext();
    return this;
  }

  private Behavior<Command> onControl(Control control) {
    if (countMessage()) return endSession("max_messages");
    long now = System.nanoTime();
    switch (control.act()) {
      case PAUSE -> {
        if (!paused) {
          paused = true;
          pacing.pause(now);
          timers.cancel(Tick.RELEASE);
          if (stream != null) stream.tell(new TtsStream.Pause());
        }
        tell(new Paused());
      }
      case RESUME -> {
        if (paused) {
          paused = false;
          pacing.resume(now);
          if (stream != null) stream.tell(new TtsStream.Resume());
        }
        tell(new Resumed());
        release();
      }
      case STOP -> stopAll(now, STOPPED);
    }
    return this;
  }

  /**
   * Ends the current utterance and every queued one with {@code outcome} (STOP, a confirmed
   * interruption): the stream stops, held frames are dropped, the session is unpaused, and the
   * client is told to drop what it holds (an interruption told it when it started).
   */
  private void stopAll(long now, String outcome) {
    if (stream != null) stream.tell(new TtsStream.Stop());
    timers.cancel(Tick.RELEASE);
    dropHeld();
    if (paused) {
      paused = false;
      pacing.resume(now);
    }
    boolean cleared = interrupted != null;
    endInterruption();
    pacing.clear(now);
    if (!cleared) tell(new Clear());
    if (current != null) {
      endUtterance(current, outcome);
      current = null;
    }
    while (!queue.isEmpty()) endUtterance(queue.poll(), outcome);
    stopWaitingForWorker();
    getContext().getLog().info("{}: queue emptied", outcome);
  }

  /** Frames received from the stream (and frames to send again) that will never be sent. */
  private void dropHeld() {
    int dropped = held.size() + replay.size();
    if (dropped > 0) {
      metrics.framesDropped(dropped);
      framesDropped += dropped;
    }
    held.clear();
    replay.clear();
    recent.clear();
  }

  // ---------------------------------------------------------------- listening and barge-in

  private Behavior<Command> onUserAudio(UserAudio audio) {
    if (listener == null && !startListening()) return Behaviors.same();
    listener.tell(new VoiceListener.Heard(audio.samples(), audio.sampleRate()));
    return Behaviors.same(); // not this: see SessionMdc
  }

  /** Spawns the listener; false (and the client told once) when the VAD model cannot load. */
  private boolean startListening() {
    if (listeningUnavailable) return false;
    try {
      listener = getContext().spawn(VoiceListener.create(sessionId, services.turnTaking(),
              services.vad().get(), getContext().messageAdapter(VoiceListener.Voice.class,
                  VoiceEvent::new)),
          "listener", VoiceListener.dispatcher());
      return true;
    } catch (RuntimeException e) {
      listeningUnavailable = true;
      getContext().getLog().error("cannot listen: the VAD model did not load: {}", e.toString());
      tell(new Error("INTERNAL_ERROR", "the gateway cannot hear this session: its voice activity"
          + " model did not load; text and control still work"));
      return false;
    }
  }

  private Behavior<Command> onSetBargeIn(SetBargeIn set) {
    if (bargeIn != set.on()) {
      bargeIn = set.on();
      changed(); // kept for a resume
    }
    if (!bargeIn && interrupted != null) falseInterruption("barge-in switched off");
    return this;
  }

  private Behavior<Command> onVoice(VoiceEvent wrapped) {
    TurnDetector.Event event = wrapped.voice().event();
    if (event instanceof TurnDetector.SpeechStarted s) {
      metrics.speechStarted(s.heardMs());
      restartIdle(); // the user speaking is not idle; mere audio (silence, noise) is
      tell(new SpeechStarted(s.onsetMs(), s.heardMs()));
      timers.cancel(Tick.FALSE_INTERRUPTION);
      if (interrupted == null && bargeIn && current != null && !paused) startInterruption();
    } else if (event instanceof TurnDetector.SpeechSustained) {
      if (interrupted != null) confirmInterruption();
    } else if (event instanceof TurnDetector.SpeechStopped s) {
      tell(new SpeechStopped(s.endMs(), s.speechMs()));
      if (interrupted != null) {
        // the audio's own clock usually decides (SilenceSustained); this timer decides when the
        // audio stops coming altogether
        timers.startSingleTimer(Tick.FALSE_INTERRUPTION,
            services.turnTaking().falseInterruptionTimeout());
      }
    } else if (event instanceof TurnDetector.SilenceSustained) {
      if (interrupted != null) falseInterruption("silence");
    } else if (event instanceof TurnDetector.TurnEnded t) {
      metrics.userTurnEnded(t.speechMs());
      tell(new UserTurnEnd(t.speechMs(), t.silenceMs()));
    }
    return Behaviors.same(); // not this: see SessionMdc
  }

  private Behavior<Command> onFalseInterruptionDue() {
    if (interrupted != null) falseInterruption("no audio");
    return this;
  }

  /**
   * The user speaks over the agent: nothing leaves from now on, the worker is paused (not
   * stopped), and the client drops what it holds. The frames it had not played yet, as the pacing
   * clock estimates them, are kept to be sent again should the agent go on.
   */
  private void startInterruption() {
    long now = System.nanoTime();
    interrupted = current.id;
    timers.cancel(Tick.RELEASE);
    if (stream != null) stream.tell(new TtsStream.Pause());
    long unplayed = (pacing.buffered(now) + FRAME_NANOS - 1) / FRAME_NANOS;
    int rewind = (int) Math.min(unplayed, recent.size());
    int earlier = 0; // the end of the previous utterance, which the client drops too
    for (int i = 0; i < rewind; i++) {
      SentFrame frame = recent.pollLast();
      replay.addFirst(frame);
      if (frame.utterance() == current) {
        current.sent--;
      } else {
        earlier++;
      }
    }
    if (rewind > 0) {
      // frame k of the utterance now leaves as sequence firstSequence + k - 1 again (a resume
      // on another node relies on it), saved before any of it leaves
      current.firstSequence = nextSequence + earlier - current.sent;
      changed();
      current.barrier = version;
    }
    pacing.clear(now);
    metrics.interruption("started");
    getContext().getLog().info("user speaks over utterance {}: paused after {} frames played",
        current.id, current.sent);
    tell(new Clear());
    tell(new InterruptionStarted(current.id, current.sent));
  }

  private void confirmInterruption() {
    String id = interrupted;
    long played = current != null && current.id.equals(id) ? current.sent : 0;
    metrics.interruption("confirmed");
    tell(new InterruptionConfirmed(id, played));
    stopAll(System.nanoTime(), INTERRUPTED);
  }

  private void falseInterruption(String why) {
    String id = interrupted;
    endInterruption();
    if (stream != null && !paused) stream.tell(new TtsStream.Resume());
    long played = current != null && current.id.equals(id) ? current.sent : 0;
    metrics.interruption("false");
    getContext().getLog().info("false interruption of utterance {} ({}): going on", id, why);
    tell(new FalseInterruption(id, played));
    release();
  }

  private void endInterruption() {
    interrupted = null;
    timers.cancel(Tick.FALSE_INTERRUPTION);
  }

  private Behavior<Command> onClientAck(ClientAck ack) {
    if (unackedAudio > 0) unackedAudio--;
    release();
    return Behaviors.same(); // not this: see SessionMdc
  }

  /** The connector stopped without a word (it would have sent End or Detach): as if detached. */
  private Behavior<Command> onClientTerminated(ClientTerminated t) {
    if (!t.client().equals(client)) return this;
    return onDetach();
  }

  private Behavior<Command> onIdle() {
    if (current != null || !queue.isEmpty()) {
      restartIdle(); // speaking or waiting to speak is not idle
      return this;
    }
    return endSession("idle_timeout");
  }

  private void restartIdle() {
    timers.startSingleTimer(Tick.IDLE, settings.idleTimeout());
    idleDeadline = System.nanoTime() + settings.idleTimeout().toNanos();
  }

  private void startMaxDuration(Duration left) {
    timers.startSingleTimer(Tick.MAX_DURATION, left);
    maxDurationDeadline = System.nanoTime() + left.toNanos();
  }

  // ---------------------------------------------------------------- speaking

  /** Starts the head of the queue if nothing is being spoken and a stream is (or can be) had. */
  private void startNext() {
    if (current != null || queue.isEmpty() || waitingForWorker) return;
    if (stream == null && !openStream()) return;
    current = queue.poll();
    speak(current);
  }

  private void speak(Utterance u) {
    if (u.firstSequence == 0) {
      // a first start: its frames wait until the state saying where they begin is saved
      u.firstSequence = nextSequence;
      changed();
      u.barrier = version;
    }
    u.receivedFromStream = 0;
    u.workerDone = false;
    u.speakSentAt = System.nanoTime();
    u.firstFrameAt = 0;
    stream.tell(new TtsStream.Speak(u.id, u.text));
  }

  /** Selects a worker and spawns a stream to it; false (and waiting for a worker) if none. */
  private boolean openStream() {
    SelectionRequest any = SelectionRequest.any()
        .withModel(settings.model().isEmpty() ? null : settings.model());
    Optional<WorkerRecord> chosen =
        services.selector().select(any.excluding(failedWorkers.toArray(String[]::new)));
    if (chosen.isEmpty() && !failedWorkers.isEmpty()) {
      // Only workers that failed this session are left. A failure may be transient (a cold
      // worker's slow StartSession, a restart), and shunning the only worker for the rest of the
      // session would turn it into WORKER_UNAVAILABLE for good: try them again. An utterance
      // still fails after max-failovers.
      getContext().getLog().info("only workers that failed before remain ({}): trying them again",
          failedWorkers);
      failedWorkers.clear();
      chosen = services.selector().select(any);
    }
    if (chosen.isEmpty()) {
      if (!waitingForWorker) metrics.workerSelectionFailed();
      startWaitingForWorker();
      return false;
    }
    worker = chosen.get();
    stopWaitingForWorker();
    streams++;
    streamSessionId = workerSessionId();
    stream = getContext().spawn(
        TtsStream.create(streamSessionId, worker, settings.model(), services.clients(),
            ttsAdapter, services.ttsSettings(), services.ttsMetrics()),
        "tts-" + streams);
    changed(); // the worker session, for a resumed incarnation to end if this node dies
    getContext().watchWith(stream, new StreamTerminated(stream));
    getContext().getLog().info("speaking through worker {}", worker.name());
    return true;
  }

  /**
   * The worker's session_id for the stream being opened: the session id for the first stream of
   * a session, then made unique per incarnation and stream. An ending stream's EndSession (or an
   * old incarnation's, after a resume) must not end the session its successor just started on
   * the same worker.
   */
  private String workerSessionId() {
    return id.epoch() == 1 && streams == 1 ? sessionId
        : sessionId + "-" + id.epoch() + "." + streams;
  }

  private void startWaitingForWorker() {
    if (waitingForWorker) return;
    waitingForWorker = true;
    getContext().getLog().warn("no worker available; text stays queued for up to {} ms",
        settings.workerWait().toMillis());
    tell(new Error("WORKER_UNAVAILABLE", "no TTS worker is available; the text stays queued for "
        + settings.workerWait().toSeconds() + " s"));
    if (!subscribed) {
      subscribed = true;
      services.mirror().tell(new RegistryMirror.Subscribe(
          getContext().messageAdapter(WorkerSnapshot.class, WorkersChanged::new)));
    }
    timers.startSingleTimer(Tick.WORKER_WAIT, settings.workerWait());
    timers.startTimerWithFixedDelay(Tick.WORKER_RETRY, Duration.ofMillis(WORKER_RETRY_MILLIS));
  }

  private void stopWaitingForWorker() {
    if (!waitingForWorker) return;
    waitingForWorker = false;
    timers.cancel(Tick.WORKER_WAIT);
    timers.cancel(Tick.WORKER_RETRY);
  }

  /** A worker may have appeared: continue what was waiting for one. */
  private Behavior<Command> onWorkerChance() {
    if (!waitingForWorker || stream != null || !openStream()) return this;
    if (current != null) {
      tell(new WorkerChanged(current.id, "worker_failed"));
      speak(current);
    } else {
      startNext();
    }
    return this;
  }

  private Behavior<Command> onWorkerWaitOver() {
    if (!waitingForWorker) return this;
    stopWaitingForWorker();
    getContext().getLog().warn("no worker within {} ms: failing {} utterance(s)",
        settings.workerWait().toMillis(), queue.size() + (current != null ? 1 : 0));
    if (current != null) {
      endUtterance(current, FAILED);
      current = null;
    }
    while (!queue.isEmpty()) endUtterance(queue.poll(), FAILED);
    return this;
  }

  // ---------------------------------------------------------------- stream events

  private Behavior<Command> onTtsEvent(TtsEvent wrapped) {
    TtsStream.Event event = wrapped.event();
    if (event instanceof TtsStream.Frame f) {
      onFrame(f);
    } else if (event instanceof TtsStream.UtteranceStarted s) {
      if (isCurrent(s.utteranceId()) && !current.announced) {
        current.announced = true;
        tell(new UtteranceStart(current.id));
      }
    } else if (event instanceof TtsStream.UtteranceCompleted c) {
      if (isCurrent(c.utteranceId())) {
        current.workerDone = true;
        finishIfDone();
      }
    } else if (event instanceof TtsStream.UtteranceStopped) {
      // our own STOP (or Close); the utterance was already ended toward the client
    } else if (event instanceof TtsStream.UtteranceFailed f) {
      streamLost("worker_failed", f.reason());
    } else if (event instanceof TtsStream.WorkerRejected r) {
      streamLost("worker_rejected", r.reason());
    } else if (event instanceof TtsStream.SpeakRejected r) {
      if (isCurrent(r.utteranceId())) {
        getContext().getLog().warn("utterance {} rejected by the stream: {}", r.utteranceId(),
            r.reason());
        tell(new Error("SYNTHESIS_FAILED", "utterance " + r.utteranceId() + ": " + r.reason()));
        endUtterance(current, FAILED);
        current = null;
        startNext();
      }
    } else if (event instanceof TtsStream.ControlOutcome o) {
      if (!o.success()) getContext().getLog().warn("worker control {}: {}", o.act(), o.message());
    }
    return Behaviors.same(); // not this: see SessionMdc
  }

  private boolean isCurrent(String utteranceId) {
    return current != null && current.id.equals(utteranceId);
  }

  private void onFrame(TtsStream.Frame f) {
    if (stream == null) return; // from a stream already given up on
    if (!isCurrent(f.utteranceId())) {
      stream.tell(new TtsStream.FrameAck(f.utteranceId())); // a stopped utterance draining
      return;
    }
    current.receivedFromStream++;
    if (current.firstFrameAt == 0) current.firstFrameAt = System.nanoTime();
    if (current.receivedFromStream <= current.sent) {
      stream.tell(new TtsStream.FrameAck(f.utteranceId())); // sent before a failover: skip
      return;
    }
    held.add(f);
    release();
  }

  /** Sends held frames while pacing, pause and the client window allow; else arms the timer. */
  private void release() {
    while (client != null && !paused && interrupted == null
        && (!replay.isEmpty() || !held.isEmpty())
        && unackedAudio < settings.clientWindow() && deferred.isEmpty()
        && current.barrier <= gate) {
      long now = System.nanoTime();
      long due = pacing.nextDue(now);
      if (due > now) {
        timers.startSingleTimer(Tick.RELEASE, Duration.ofNanos(due - now));
        return;
      }
      SentFrame again = replay.poll();
      TtsStream.Frame f = again == null ? held.poll() : null;
      byte[] pcm = f == null ? again.pcm() : f.pcm();
      Utterance u = f == null ? again.utterance() : current;
      client.tell(new Audio(pcm, nextSequence++));
      recent.addLast(new SentFrame(pcm, u));
      if (recent.size() > recentCapacity) recent.pollFirst();
      unackedAudio++;
      pacing.sent(now);
      framesSent++;
      if (u == current) { // not the previous utterance's end, sent again after an interruption
        u.sent++;
        if (u.sent == 1) {
          metrics.firstAudio(now - u.acceptedAt, u.firstFrameAt - u.speakSentAt);
          metrics.frameSent(0);
        } else {
          metrics.frameSent(now - lastSentAt);
        }
      }
      lastSentAt = now;
      if (f != null) stream.tell(new TtsStream.FrameAck(f.utteranceId()));
    }
    finishIfDone();
  }

  private void finishIfDone() {
    if (current != null && current.workerDone && held.isEmpty() && replay.isEmpty()) {
      endUtterance(current, COMPLETED);
      current = null;
      startNext();
    }
  }

  /** Callers take {@code u} out of {@code current} or the queue before the save runs. */
  private void endUtterance(Utterance u, String outcome) {
    getContext().getLog().info("utterance {} {} after {} frames", u.id, outcome, u.sent);
    if (u == current && !outcome.equals(COMPLETED)) {
      // what was cut short is not played again; a completed utterance's end may be (above)
      recent.clear();
      replay.clear();
    }
    metrics.utteranceEnded(outcome);
    switch (outcome) {
      case COMPLETED -> completed++;
      case STOPPED, INTERRUPTED -> stopped++;
      default -> failed++;
    }
    changed();
    tellAfterSave(new UtteranceEnd(u.id, u.sent, outcome));
  }

  private Behavior<Command> onStreamTerminated(StreamTerminated t) {
    if (!t.stream().equals(stream)) return this; // a stream already replaced
    streamLost("worker_failed", "the stream to the worker stopped");
    return this;
  }

  /** The stream failed or stopped: fail over the current utterance to another worker. */
  private void streamLost(String reason, String detail) {
    if (stream == null) return;
    WorkerRecord lost = worker;
    getContext().unwatch(stream);
    getContext().stop(stream); // usually stopped already
    stream = null;
    worker = null;
    services.selector().sessionEnded(lost.name());
    failedWorkers.add(lost.name());
    held.clear(); // not yet sent: they come again from the next worker
    replay.clear(); // likewise: current.sent no longer counts them
    timers.cancel(Tick.RELEASE);
    getContext().getLog().warn("worker {} lost ({}): {}", lost.name(), reason, detail);
    if (current == null) {
      startNext();
      return;
    }
    Utterance u = current;
    u.failovers++;
    failovers++;
    if (u.failovers > settings.maxFailovers()) {
      tell(new Error("SYNTHESIS_FAILED", "utterance " + u.id + " failed on "
          + u.failovers + " workers"));
      endUtterance(u, FAILED);
      current = null;
      startNext();
      return;
    }
    if (openStream()) {
      tell(new WorkerChanged(u.id, reason));
      speak(u);
    }
  }

  // ---------------------------------------------------------------- ending

  /**
   * Ends this incarnation: the client gets the deferred events and {@link SessionEnded} (not for
   * {@link #RESUMED} or a lost connection), the record is deleted, or kept for a resume
   * ({@link #NODE_SHUTDOWN}, a lost connection), or left alone ({@link #RESUMED_ELSEWHERE}), and
   * the stream is closed.
   */
  private Behavior<Command> endSession(String reason) {
    getContext().getLog().info("session ending: {}", reason);
    timers.cancelAll();
    dropHeld();
    for (Deferred d : deferred) {
      if (client != null) client.tell(d.event());
    }
    deferred.clear();
    if (!reason.equals(RESUMED) && !reason.equals(CONNECTION_LOST)) tell(new SessionEnded(reason));
    if (client != null) getContext().unwatch(client);
    settleRecord(reason);
    if (stream == null) return Behaviors.stopped();
    services.selector().sessionEnded(worker.name());
    getContext().unwatch(stream);
    getContext().watchWith(stream, new StreamTerminated(stream));
    stream.tell(new TtsStream.Close());
    timers.startSingleTimer(Tick.CLOSE_TIMEOUT,
        services.ttsSettings().controlTimeout().plusSeconds(1));
    return Behaviors.receive(Command.class)
        .onMessage(TtsEvent.class, e -> {
          if (e.event() instanceof TtsStream.Closed) return Behaviors.stopped();
          if (e.event() instanceof TtsStream.Frame f) stream.tell(new TtsStream.FrameAck(f.utteranceId()));
          return Behaviors.same();
        })
        .onMessage(GetInfo.class, g -> {
          g.replyTo().tell(info("closing"));
          return Behaviors.same();
        })
        .onMessage(StreamTerminated.class, t -> Behaviors.stopped())
        .onMessageEquals(Tick.CLOSE_TIMEOUT, Behaviors::stopped)
        .build();
  }

  /** What happens to the session's record when this incarnation ends (fenced, not awaited). */
  private void settleRecord(String reason) {
    if (!persistent) return;
    persistent = false;
    if (reason.equals(RESUMED_ELSEWHERE)) return;
    if (reason.equals(NODE_SHUTDOWN) || reason.equals(CONNECTION_LOST)
        || reason.equals(CLIENT_DISCONNECT)) {
      // Kept for the resume window; a client that does not come back lets it expire. A polite
      // close counts too: a TCP connection that breaks looks the same to the server as one the
      // client closed (no close frame is needed to end the stream).
      long expireAt = System.currentTimeMillis() + services.resume().window().toMillis();
      org.slf4j.Logger log = getContext().getLog();
      store.save(id, expireAt, snapshot()).whenComplete((r, e) -> {
        if (e != null) {
          log.warn("session {}: the state for a resume could not be saved: {}", sessionId,
              e.toString());
        }
      });
    } else {
      store.delete(id);
    }
  }

  // ---------------------------------------------------------------- persistence

  /** The resumable state changed: saved soon (once per message burst, one save at a time). */
  private void changed() {
    version++;
    if (!persistent) {
      gate = version;
      return;
    }
    if (!saveScheduled) {
      saveScheduled = true;
      getContext().getSelf().tell(SaveNow.INSTANCE);
    }
  }

  private enum SaveNow implements Command { INSTANCE }

  private boolean saveScheduled;
  private long saved; // the last version written

  private Behavior<Command> onSaveNow() {
    saveScheduled = false;
    save();
    return this;
  }

  private void createRecord(Attach attach) {
    persistent = true;
    creating = true;
    version++;
    long v = version;
    saving = v;
    getContext().pipeToSelf(
        store.create(id, attach.resumeTokenSha256(), startedAtMillis, expireAt(), snapshot()),
        (created, error) -> new SaveDone(v,
            Boolean.FALSE.equals(created) ? SessionStore.Saved.FENCED : SessionStore.Saved.SAVED,
            error));
  }

  private boolean creating;

  private void save() {
    if (!persistent || saving >= 0 || version <= saved) return;
    long v = version;
    saving = v;
    getContext().pipeToSelf(store.save(id, expireAt(), snapshot()),
        (result, error) -> new SaveDone(v, result, error));
  }

  private Behavior<Command> onSaveDone(SaveDone done) {
    saving = -1;
    boolean wasCreate = creating;
    creating = false;
    if (!persistent) return this; // ended meanwhile
    if (done.error() != null) {
      // Redis unreachable: speak on regardless (the session is not resumable meanwhile) and
      // try again shortly
      getContext().getLog().warn("session state not saved: {}; retrying in {} ms",
          done.error().toString(), SAVE_RETRY_DELAY.toMillis());
      advanceGate(done.version());
      if (wasCreate) {
        saved = 0;
        persistent = false; // without a record there is nothing to fence or resume
      } else {
        timers.startSingleTimer(Tick.SAVE_RETRY, SAVE_RETRY_DELAY);
      }
      return this;
    }
    if (done.result() == SessionStore.Saved.FENCED) {
      if (wasCreate) {
        getContext().getLog().error("a session record with id {} exists already: this session"
            + " cannot be resumed", sessionId);
        persistent = false;
        advanceGate(version);
        return this;
      }
      getContext().getLog().info("another incarnation owns the session now");
      persistent = false;
      return endSession(RESUMED_ELSEWHERE);
    }
    saved = done.version();
    advanceGate(done.version());
    save();
    return this;
  }

  /** Lets frames and deferred events up to {@code v} out. */
  private void advanceGate(long v) {
    if (v > gate) gate = v;
    while (!deferred.isEmpty() && deferred.peek().version() <= gate) {
      ClientEvent e = deferred.poll().event();
      if (client != null) client.tell(e);
    }
    release();
  }

  private long expireAt() {
    return startedAtMillis + settings.maxDuration().toMillis()
        + services.resume().window().toMillis();
  }

  private ResumeState snapshot() {
    List<ResumeState.SavedUtterance> unfinished = new ArrayList<>(queue.size() + 1);
    if (current != null) {
      unfinished.add(new ResumeState.SavedUtterance(current.id, current.text,
          current.firstSequence));
    }
    for (Utterance u : queue) unfinished.add(new ResumeState.SavedUtterance(u.id, u.text, 0));
    ResumeState.WorkerSession held = stream == null ? null : new ResumeState.WorkerSession(
        worker.dialHost(), worker.dialPort(), streamSessionId);
    return new ResumeState(nextSequence, nextUtteranceNumber, accepted, messages, paused,
        unfinished, held, bargeIn);
  }

  /** Tells the client now, or after the deferred events before it. */
  private void tell(ClientEvent event) {
    if (!deferred.isEmpty()) {
      deferred.add(new Deferred(deferred.peekLast().version(), event));
    } else if (client != null) {
      client.tell(event);
    }
  }

  /** Tells the client once the current state version is saved. */
  private void tellAfterSave(ClientEvent event) {
    if (deferred.isEmpty() && version <= gate) {
      if (client != null) client.tell(event);
    } else {
      deferred.add(new Deferred(version, event));
    }
  }
}
