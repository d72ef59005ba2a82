package io.voicegateway.gateway.livekit;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.voicegateway.bridge.v1.AudioAck;
import io.voicegateway.bridge.v1.AudioCleared;
import io.voicegateway.bridge.v1.AudioOut;
import io.voicegateway.bridge.v1.BridgeMessage;
import io.voicegateway.bridge.v1.ClearAudio;
import io.voicegateway.bridge.v1.DataIn;
import io.voicegateway.bridge.v1.DataOut;
import io.voicegateway.bridge.v1.GatewayMessage;
import io.voicegateway.bridge.v1.JoinRoom;
import io.voicegateway.bridge.v1.Joined;
import io.voicegateway.bridge.v1.LeaveRoom;
import io.voicegateway.bridge.v1.ParticipantEvent;
import io.voicegateway.bridge.v1.ResumeAudio;
import io.voicegateway.gateway.health.GatewayMetrics;
import io.voicegateway.gateway.protocol.ClientMessage;
import io.voicegateway.gateway.protocol.ClientMessageParser;
import io.voicegateway.gateway.protocol.ErrorCode;
import io.voicegateway.gateway.protocol.ParseResult;
import io.voicegateway.gateway.protocol.ProtocolError;
import io.voicegateway.gateway.protocol.RateLimiter;
import io.voicegateway.gateway.protocol.ServerMessages;
import io.voicegateway.gateway.protocol.SessionEndReason;
import io.voicegateway.gateway.protocol.SessionIds;
import io.voicegateway.gateway.protocol.TextAssembler;
import io.voicegateway.gateway.protocol.UtteranceEndReason;
import io.voicegateway.session.NodeLocalSharding;
import io.voicegateway.session.SessionEntity;
import io.voicegateway.session.SessionEntity.ClientEvent;
import io.voicegateway.session.SessionEntityId;
import io.voicegateway.session.store.SessionStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * One LiveKit room served by this node: the LiveKit counterpart of the WebSocket connector. The
 * room is the client: one session per room, whoever of its participants speaks (they hear one
 * agent). Through the node's bridge it joins the room as {@code agent}, publishes the session's
 * audio as a mono 48 kHz track, and exchanges WIRE.md §4 JSON with the participants over data
 * packets (audio never goes as data).
 *
 * <h2>Session</h2>
 * The session starts once the room is joined. The room's session id is kept in Redis
 * ({@link RoomLeases}); a node that takes a room over (its previous node died or shut down)
 * claims that session in the session store with the room session's resume token, which every
 * node derives from the LiveKit secret ({@link LiveKitTokens#resumeToken}), and resumes it: the
 * interrupted utterance is spoken again from its start (a listener never hears a word cut in
 * half; nothing tells this node which frames the old one played) and the queued ones follow.
 *
 * <h2>Audio and barge-in</h2>
 * Each {@link SessionEntity.Audio} goes to the bridge as one AudioOut and is acknowledged to the
 * entity ({@link SessionEntity.ClientAck}) when the bridge acks it (its AudioSource took it):
 * the session's client window follows the track's playout. {@code paused} and {@code clear} from
 * the entity empty the bridge's queues at once (ClearAudio; a pause keeps the unplayed frames for
 * RESUME). Barge-in latency is measured from the control packet to the bridge's AudioCleared.
 *
 * <h2>Leaving</h2>
 * The room is left, and marked done in Redis so that no node joins it again, when its session
 * ends (limits, errors), when no participant but the agent has been in it for
 * {@code departure-grace}, or when the server closes it. It is left without being marked done
 * (another node goes on with the session) on node shutdown, when the lease is lost, and when
 * another node's agent replaced this one (DUPLICATE_IDENTITY).
 */
public final class LiveKitConnector extends AbstractBehavior<Object> {

  /** What every room of a node shares. */
  public record Context(
      ActorSystem<?> system,
      ClusterSharding sharding,
      ClientMessageParser parser,
      Duration rateLimitedReplyInterval,
      GatewayMetrics metrics,
      SessionStore store,
      String nodeTag,
      LiveKitSettings settings,
      LiveKitTokens tokens,
      RoomLeases leases,
      BridgeRouter router) {}

  /** The node's bridge is connected (again): join the room through it. */
  record BridgeReady(BridgeLink link) {}

  /** The node's bridge is gone: the room was left with it; wait for the next one. */
  record BridgeGone() {}

  /** Stop serving the room: room_finished, node_shutdown or lease_lost. */
  record RoomClosed(String reason) {}

  private record SessionLookedUp(Optional<String> sessionId, Throwable error) {}

  private record ClaimDone(String sessionId, SessionStore.Claim claim, Throwable error) {}

  private enum Tick { DEPARTURE, REJOIN, RATE_LIMITED_REPLY }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration REJOIN_DELAY = Duration.ofSeconds(1);
  private static final String ROOM_SESSION_PREFIX = "lk-";

  static Behavior<Object> create(Context context, String room, String roomSid,
      ActorRef<RoomDispatcher.Command> dispatcher) {
    String[] sessionForLogs = {""};
    return Behaviors.withMdc(Object.class,
        message -> Map.of("room", room, "sessionId", sessionForLogs[0]),
        Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new LiveKitConnector(ctx, timers,
            context, room, roomSid, dispatcher, sessionForLogs))));
  }

  private final TimerScheduler<Object> timers;
  private final Context context;
  private final String room;
  private String roomSid;
  private final ActorRef<RoomDispatcher.Command> dispatcher;
  private final String[] sessionForLogs;
  private final RateLimiter rateLimiter;
  private final TextAssembler texts;

  private BridgeLink link;
  private boolean joining;
  private boolean joined;
  private boolean leaving; // LeaveRoom sent: the connector stops at Left (or when the bridge goes)
  private final Set<String> participants = new HashSet<>();

  private String sessionId; // once looked up or made
  private EntityRef<SessionEntity.Command> session; // Attach/Resume go through sharding
  private ActorRef<SessionEntity.Command> entity; // its answer: later commands go directly
  private boolean sessionRequested;
  private boolean sessionOver;
  private Optional<String> finishedSid = Optional.empty(); // set when the room is done for good

  private final ArrayDeque<Long> unacked = new ArrayDeque<>(); // AudioOut sequences in flight
  private long bargeInStartedAt; // nanoTime of the PAUSE/STOP packet; 0: none waiting
  private long rateLimitedDropped;
  private boolean rateLimitedReplyDue = true;

  private LiveKitConnector(ActorContext<Object> ctx, TimerScheduler<Object> timers,
      Context context, String room, String roomSid, ActorRef<RoomDispatcher.Command> dispatcher,
      String[] sessionForLogs) {
    super(ctx);
    this.timers = timers;
    this.context = context;
    this.room = room;
    this.roomSid = roomSid;
    this.dispatcher = dispatcher;
    this.sessionForLogs = sessionForLogs;
    this.rateLimiter = context.parser().limits().newRateLimiter(System.nanoTime());
    this.texts = new TextAssembler(context.parser().limits().maxTextLength());
    context.router().register(room, ctx.getSelf());
    context.metrics().sessionOpened();
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(BridgeReady.class, this::onBridgeReady)
        .onMessage(BridgeGone.class, gone -> onBridgeGone())
        .onMessage(RoomClosed.class, this::onRoomClosed)
        .onMessage(BridgeMessage.class, this::onBridgeMessage)
        .onMessage(SessionLookedUp.class, this::onSessionLookedUp)
        .onMessage(ClaimDone.class, this::onClaimDone)
        .onMessage(ClientEvent.class, this::onSessionEvent)
        .onMessageEquals(Tick.DEPARTURE, this::onDeparture)
        .onMessageEquals(Tick.REJOIN, () -> {
          join();
          return this;
        })
        .onMessageEquals(Tick.RATE_LIMITED_REPLY, () -> {
          rateLimitedReplyDue = true;
          return this;
        })
        .onSignal(PostStop.class, s -> {
          context.router().unregister(room, getContext().getSelf());
          context.metrics().sessionClosed();
          dispatcher.tell(new RoomDispatcher.ConnectorEnded(room, getContext().getSelf(),
              finishedSid, sessionId));
          return this;
        })
        .build();
  }

  // ---------------------------------------------------------------- the room

  private Behavior<Object> onBridgeReady(BridgeReady ready) {
    link = ready.link();
    joined = false;
    joining = false;
    if (leaving) return Behaviors.stopped(); // the old bridge took the room with it
    join();
    return this;
  }

  private void join() {
    if (link == null || joined || joining || leaving) return;
    joining = true;
    LiveKitSettings s = context.settings();
    link.send(GatewayMessage.newBuilder().setJoin(JoinRoom.newBuilder()
        .setRoom(room)
        .setUrl(s.bridgeUrl())
        .setToken(context.tokens().agentToken(room))
        .setTrackName(s.trackName())
        .setQueueSizeMs((int) s.audioQueue().toMillis())
        .setSubscribeAudio(s.subscribeAudio())).build());
  }

  private Behavior<Object> onBridgeGone() {
    link = null;
    joined = false;
    joining = false;
    ackAllInFlight(); // those frames went down with the bridge
    if (leaving) return Behaviors.stopped();
    getContext().getLog().warn("LiveKit bridge gone: the room is joined again with the next one");
    return this;
  }

  private Behavior<Object> onBridgeMessage(BridgeMessage message) {
    switch (message.getMsgCase()) {
      case JOINED -> onJoined(message.getJoined());
      case JOIN_FAILED -> {
        joining = false;
        getContext().getLog().warn("joining the room failed: {}; trying again in {} s",
            message.getJoinFailed().getError(), REJOIN_DELAY.toSeconds());
        timers.startSingleTimer(Tick.REJOIN, REJOIN_DELAY);
      }
      case LEFT -> {
        return onLeft(message.getLeft().getReason());
      }
      case ACK -> onAck(message.getAck());
      case CLEARED -> onCleared(message.getCleared());
      case DATA -> onData(message.getData());
      case PARTICIPANT -> onParticipant(message.getParticipant());
      case PARTICIPANT_AUDIO -> context.metrics().liveKitInboundFrame();
      default -> getContext().getLog().debug("unexpected bridge message {}",
          message.getMsgCase());
    }
    return this;
  }

  private void onJoined(Joined j) {
    joining = false;
    joined = true;
    if (!j.getRoomSid().isEmpty()) roomSid = j.getRoomSid();
    participants.clear();
    for (String identity : j.getRemoteIdentitiesList()) {
      if (!identity.equals(context.settings().agentIdentity())) participants.add(identity);
    }
    getContext().getLog().info("joined room {} ({}), {} participant(s) present", room, roomSid,
        participants.size());
    if (leaving) {
      leave();
      return;
    }
    checkDeparture();
    if (!sessionRequested) {
      sessionRequested = true;
      getContext().pipeToSelf(context.leases().sessionOf(room),
          (id, error) -> new SessionLookedUp(id, error));
    }
  }

  private Behavior<Object> onLeft(String reason) {
    joined = false;
    joining = false;
    ackAllInFlight();
    if (leaving || "left".equals(reason)) return Behaviors.stopped();
    switch (reason) {
      case "DUPLICATE_IDENTITY" -> {
        // another node's agent joined: that node serves the room (and resumes its session) now
        getContext().getLog().info("replaced in the room by another node's agent");
        detachSession();
        return Behaviors.stopped();
      }
      case "ROOM_DELETED", "ROOM_CLOSED" -> {
        return roomOver("room_finished");
      }
      default -> {
        getContext().getLog().warn("disconnected from the room ({}): joining again", reason);
        timers.startSingleTimer(Tick.REJOIN, REJOIN_DELAY);
        return this;
      }
    }
  }

  private void onParticipant(ParticipantEvent event) {
    if (event.getIdentity().equals(context.settings().agentIdentity())) return;
    if (event.getKind() == ParticipantEvent.Kind.JOINED) {
      participants.add(event.getIdentity());
    } else if (event.getKind() == ParticipantEvent.Kind.LEFT) {
      participants.remove(event.getIdentity());
    }
    checkDeparture();
  }

  /** With nobody but the agent in the room, the room is left after the departure grace. */
  private void checkDeparture() {
    if (participants.isEmpty()) {
      if (!timers.isTimerActive(Tick.DEPARTURE)) {
        timers.startSingleTimer(Tick.DEPARTURE, context.settings().departureGrace());
      }
    } else {
      timers.cancel(Tick.DEPARTURE);
    }
  }

  private Behavior<Object> onDeparture() {
    getContext().getLog().info("no participant for {} s: leaving the room",
        context.settings().departureGrace().toSeconds());
    return roomOver(SessionEndReason.CLIENT_DISCONNECT.wireName());
  }

  private Behavior<Object> onRoomClosed(RoomClosed closed) {
    switch (closed.reason()) {
      case "room_finished" -> {
        return roomOver("room_finished");
      }
      case "node_shutdown" -> {
        if (entity != null && !sessionOver) {
          // the entity answers SessionEnded(node_shutdown), and the room is left then
          toSession(new SessionEntity.End(SessionEntity.NODE_SHUTDOWN));
          return this;
        }
        leave();
        return leaveOrStop();
      }
      default -> { // lease_lost
        detachSession();
        leave();
        return leaveOrStop();
      }
    }
  }

  /** The room is done for good: its session ends, the agent leaves, no node serves it again. */
  private Behavior<Object> roomOver(String reason) {
    finishedSid = Optional.of(roomSid);
    if (entity != null && !sessionOver) {
      sessionOver = true;
      toSession(new SessionEntity.End(SessionEndReason.CLIENT_DISCONNECT.wireName()));
    } else if (session != null && !sessionOver) {
      sessionOver = true;
      session.tell(new SessionEntity.End(SessionEndReason.CLIENT_DISCONNECT.wireName()));
    }
    getContext().getLog().info("room over ({})", reason);
    leave();
    return leaveOrStop();
  }

  private void leave() {
    if (leaving) return;
    leaving = true;
    timers.cancel(Tick.DEPARTURE);
    timers.cancel(Tick.REJOIN);
    if (link != null && (joined || joining)) {
      link.send(GatewayMessage.newBuilder().setLeave(LeaveRoom.newBuilder().setRoom(room))
          .build());
    }
  }

  /** Stops at once unless the bridge is still in the room (then at its Left). */
  private Behavior<Object> leaveOrStop() {
    return link != null && (joined || joining) ? this : Behaviors.stopped();
  }

  // ---------------------------------------------------------------- the session

  private Behavior<Object> onSessionLookedUp(SessionLookedUp looked) {
    if (leaving) return this;
    if (looked.error() != null) {
      getContext().getLog().warn("cannot read the room's session id: {}; starting a new session",
          looked.error().toString());
    }
    Optional<String> known = looked.sessionId() == null ? Optional.empty() : looked.sessionId();
    if (known.isPresent() && context.store().enabled()) {
      String id = known.get();
      getContext().pipeToSelf(context.store().claim(id, tokenSha256(id), context.nodeTag()),
          (claim, error) -> new ClaimDone(id, claim, error));
    } else {
      startNewSession();
    }
    return this;
  }

  private Behavior<Object> onClaimDone(ClaimDone done) {
    if (done.claim() instanceof SessionStore.Claimed claimed && !leaving) {
      useSessionId(done.sessionId());
      NodeLocalSharding.supersede(context.system(), claimed.previousOwner());
      getContext().getLog().info("resuming the room's session {} ({})", sessionId,
          claimed.owner());
      session = context.sharding().entityRefFor(SessionEntity.TYPE_KEY,
          claimed.owner().entityId());
      session.tell(new SessionEntity.Resume(getContext().getSelf().narrow(), claimed, 0));
      return this;
    }
    if (leaving) return this;
    getContext().getLog().info("the room's session {} cannot be resumed ({}): a new one starts",
        done.sessionId(), done.error() != null ? done.error().toString() : "ended or expired");
    startNewSession();
    return this;
  }

  private void startNewSession() {
    byte[] bytes = new byte[SessionIds.SESSION_ID_HEX_DIGITS / 2];
    RANDOM.nextBytes(bytes);
    useSessionId(ROOM_SESSION_PREFIX + HexFormat.of().formatHex(bytes));
    org.slf4j.Logger log = getContext().getLog();
    String id = sessionId;
    context.leases().recordSession(room, id).whenComplete((ok, error) -> {
      if (error != null) {
        log.warn("cannot record session {} of room {}: {}", id, room, error.toString());
      }
    });
    session = context.sharding().entityRefFor(SessionEntity.TYPE_KEY,
        new SessionEntityId(sessionId, context.nodeTag(), 1).entityId());
    session.tell(new SessionEntity.Attach(getContext().getSelf().narrow(),
        context.store().enabled() ? tokenSha256(sessionId) : null));
  }

  private void useSessionId(String id) {
    sessionId = id;
    sessionForLogs[0] = id;
  }

  private String tokenSha256(String id) {
    return SessionIds.resumeTokenSha256(context.tokens().resumeToken(id));
  }

  /** The session stays resumable (its record is kept) for the node that serves the room next. */
  private void detachSession() {
    if (sessionOver) return;
    sessionOver = true;
    if (entity != null) {
      entity.tell(new SessionEntity.Detach());
    } else if (session != null) {
      session.tell(new SessionEntity.Detach());
    }
  }

  private void toSession(SessionEntity.Command command) {
    if (entity != null) {
      entity.tell(command);
    } else if (session != null) {
      session.tell(command);
    }
  }

  private Behavior<Object> onSessionEvent(ClientEvent event) {
    if (event instanceof SessionEntity.Audio a) {
      sendAudio(a);
    } else if (event instanceof SessionEntity.SessionStarted s) {
      entity = s.entity();
      toRoom(ServerMessages.sessionStart(s.sessionId()));
    } else if (event instanceof SessionEntity.SessionResumed r) {
      entity = r.entity();
      toRoom(ServerMessages.sessionResumed(r.sessionId(), r.nextSequence(), r.accepted(),
          r.paused(), r.pending()));
    } else if (event instanceof SessionEntity.UtteranceStart s) {
      toRoom(ServerMessages.utteranceStart(s.utteranceId()));
    } else if (event instanceof SessionEntity.UtteranceEnd e) {
      toRoom(ServerMessages.utteranceEnd(e.utteranceId(), e.frames(),
          UtteranceEndReason.fromWireName(e.reason())));
    } else if (event instanceof SessionEntity.Paused) {
      clearAudio(true);
      toRoom(ServerMessages.paused());
    } else if (event instanceof SessionEntity.Clear) {
      clearAudio(false);
      toRoom(ServerMessages.clear());
    } else if (event instanceof SessionEntity.Resumed) {
      if (joined) {
        link.send(GatewayMessage.newBuilder()
            .setResumeAudio(ResumeAudio.newBuilder().setRoom(room)).build());
      }
      toRoom(ServerMessages.resumed());
    } else if (event instanceof SessionEntity.WorkerChanged w) {
      toRoom(ServerMessages.workerChanged(w.utteranceId(), w.reason()));
    } else if (event instanceof SessionEntity.Error e) {
      sendError("", ErrorCode.fromSessionCode(e.code()), e.message());
    } else if (event instanceof SessionEntity.SessionEnded e) {
      return onSessionEnded(e.reason());
    }
    return this;
  }

  private Behavior<Object> onSessionEnded(String reason) {
    getContext().getLog().info("session ended: {}", reason);
    sessionOver = true;
    SessionEndReason wire = SessionEndReason.fromWireName(reason);
    boolean continuesElsewhere = reason.equals(SessionEntity.NODE_SHUTDOWN)
        || reason.equals(SessionEntity.RESUMED_ELSEWHERE);
    if (!continuesElsewhere) {
      // a session that goes on on another node is not ended for the room's participants
      toRoom(ServerMessages.sessionEnd(sessionId, wire));
      finishedSid = Optional.of(roomSid);
    }
    leave();
    return leaveOrStop();
  }

  // ---------------------------------------------------------------- audio

  private void sendAudio(SessionEntity.Audio audio) {
    if (!joined || leaving) {
      // nobody can hear it: acknowledged at once so the session is not held up
      context.metrics().framesDropped(1);
      if (!sessionOver) toSession(SessionEntity.ClientAck.INSTANCE);
      return;
    }
    unacked.add(audio.sequence());
    link.send(GatewayMessage.newBuilder().setAudio(AudioOut.newBuilder()
        .setRoom(room)
        .setSeq(audio.sequence())
        // no copy: the session's frame array is fresh per frame and never written again
        .setPcm(UnsafeByteOperations.unsafeWrap(audio.pcm()))).build());
  }

  private void onAck(AudioAck ack) {
    ackThrough(ack.getSeq());
  }

  private void onCleared(AudioCleared cleared) {
    ackThrough(cleared.getAckedSeq());
    if (bargeInStartedAt != 0) {
      context.metrics().bargeIn(System.nanoTime() - bargeInStartedAt);
      bargeInStartedAt = 0;
    }
  }

  /** Every frame up to {@code seq} left the bridge's queue: one ClientAck each. */
  private void ackThrough(long seq) {
    while (!unacked.isEmpty() && unacked.peek() <= seq) {
      unacked.poll();
      if (!sessionOver) toSession(SessionEntity.ClientAck.INSTANCE);
    }
  }

  private void ackAllInFlight() {
    while (!unacked.isEmpty()) {
      unacked.poll();
      if (!sessionOver) toSession(SessionEntity.ClientAck.INSTANCE);
    }
  }

  private void clearAudio(boolean keep) {
    if (!joined) return;
    link.send(GatewayMessage.newBuilder()
        .setClear(ClearAudio.newBuilder().setRoom(room).setKeep(keep)).build());
  }

  // ---------------------------------------------------------------- data packets

  private void onData(DataIn data) {
    if (data.getParticipantIdentity().equals(context.settings().agentIdentity())) return;
    long now = System.nanoTime();
    String from = data.getParticipantIdentity();
    if (sessionOver) return;
    if (!rateLimiter.tryAcquire(now)) {
      rateLimitedDropped++;
      if (rateLimitedReplyDue) replyRateLimited(from);
      return;
    }
    ParseResult result = context.parser().parseTextBytes(data.getPayload().toByteArray());
    if (result instanceof ProtocolError error) {
      getContext().getLog().debug("data packet from {} refused: {} {}", from, error.code(),
          error.message());
      sendError(from, error.code(), error.message());
    } else if (result instanceof ClientMessage.Resume) {
      sendError(from, ErrorCode.INVALID_MESSAGE, "resume is not used in a LiveKit room: the"
          + " gateway resumes the room's session by itself");
    } else if (entity == null) {
      sendError(from, ErrorCode.INVALID_MESSAGE, "the room's session is starting: send the"
          + " message again in a moment");
    } else if (result instanceof ClientMessage.Text text) {
      TextAssembler.Result assembled = texts.add(text);
      if (assembled instanceof TextAssembler.TooLong tooLong) {
        sendError(from, ErrorCode.TEXT_TOO_LONG, tooLong.message());
      } else if (assembled instanceof TextAssembler.Utterance u) {
        toSession(new SessionEntity.Say(u.id(), u.text()));
      }
    } else if (result instanceof ClientMessage.Control control) {
      SessionEntity.Act act = SessionEntity.Act.valueOf(control.command().name());
      if (act != SessionEntity.Act.RESUME && bargeInStartedAt == 0) bargeInStartedAt = now;
      toSession(new SessionEntity.Control(act));
    }
  }

  private void replyRateLimited(String to) {
    ProtocolError rejection = rateLimiter.rejection();
    String message = rateLimitedDropped == 1 ? rejection.message()
        : rejection.message() + " (" + rateLimitedDropped + " messages dropped since the last"
            + " RATE_LIMITED error)";
    rateLimitedDropped = 0;
    sendError(to, ErrorCode.RATE_LIMITED, message);
    if (!context.rateLimitedReplyInterval().isZero()) {
      rateLimitedReplyDue = false;
      timers.startSingleTimer(Tick.RATE_LIMITED_REPLY, context.rateLimitedReplyInterval());
    }
  }

  private void toRoom(String json) {
    sendData(json, List.of());
  }

  /** An error to one participant ({@code to}), or to the whole room when {@code to} is empty. */
  private void sendError(String to, ErrorCode code, String message) {
    context.metrics().clientError();
    sendData(ServerMessages.error(code, message), to.isEmpty() ? List.of() : List.of(to));
  }

  private void sendData(String json, List<String> to) {
    if (!joined || leaving) return; // the session starts once the room is joined
    link.send(GatewayMessage.newBuilder().setData(DataOut.newBuilder()
        .setRoom(room)
        .setPayload(ByteString.copyFrom(json, StandardCharsets.UTF_8))
        .addAllDestinationIdentities(to)).build());
  }
}
