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
import io.voicegateway.bridge.v1.ParticipantAudio;
import io.voicegateway.bridge.v1.ParticipantEvent;
import io.voicegateway.bridge.v1.ResumeAudio;
import io.voicegateway.gateway.health.GatewayMetrics;
import io.voicegateway.gateway.link.SessionLink;
import io.voicegateway.gateway.protocol.ClientMessage;
import io.voicegateway.gateway.protocol.ClientMessageParser;
import io.voicegateway.gateway.protocol.InputAudioFormat;
import io.voicegateway.gateway.protocol.ErrorCode;
import io.voicegateway.gateway.protocol.ParseResult;
import io.voicegateway.gateway.protocol.ProtocolError;
import io.voicegateway.gateway.protocol.ServerMessages;
import io.voicegateway.gateway.protocol.SessionEndReason;
import io.voicegateway.gateway.protocol.SessionIds;
import io.voicegateway.session.NodeLocalSharding;
import io.voicegateway.session.SessionEntity;
import io.voicegateway.session.SessionEntity.ClientEvent;
import io.voicegateway.session.SessionEntityId;
import io.voicegateway.session.SessionMdc;
import io.voicegateway.session.TurnTakingSettings;
import io.voicegateway.session.store.SessionStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
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
 * <h2>The participants' audio</h2>
 * The session hears one participant at a time: the first whose microphone track reaches the
 * bridge, until that participant leaves or is silent for {@link #SPEAKER_IDLE} (no frames), when
 * the next one heard takes over. The bridge sends 20 ms, 48 kHz frames; the
 * {@link SessionLink} hands them to the session, whose listener hears them as it hears a
 * WebSocket client's microphone.
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
      TurnTakingSettings turnTaking,
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

  private static final Duration REJOIN_DELAY = Duration.ofSeconds(1);
  /** A listened-to participant who sent no audio for this long yields to the next one heard. */
  static final Duration SPEAKER_IDLE = Duration.ofSeconds(1);
  private static final String ROOM_SESSION_PREFIX = "lk-";

  static Behavior<Object> create(Context context, String room, String roomSid,
      ActorRef<RoomDispatcher.Command> dispatcher) {
    String[] sessionForLogs = {""}; // the room's name until its session id is known
    sessionForLogs[0] = "room:" + room;
    return SessionMdc.around(Object.class, () -> sessionForLogs[0],
        Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new LiveKitConnector(ctx, timers,
            context, room, roomSid, dispatcher, sessionForLogs))));
  }

  private final TimerScheduler<Object> timers;
  private final Context context;
  private final String room;
  private String roomSid;
  private final ActorRef<RoomDispatcher.Command> dispatcher;
  private final String[] sessionForLogs;
  // routing (sharding first, then the incarnation itself), rate limit, texts, audio in
  private final SessionLink link;

  private BridgeLink bridge;
  private boolean joining;
  private boolean joined;
  private boolean leaving; // LeaveRoom sent: the connector stops at Left (or when the bridge goes)
  private final Set<String> participants = new HashSet<>();

  private String sessionId; // once looked up or made
  private boolean sessionTargeted; // Attach or Resume sent
  private boolean sessionRequested;
  private boolean sessionOver;
  private Optional<String> finishedSid = Optional.empty(); // set when the room is done for good

  private final ArrayDeque<Long> unacked = new ArrayDeque<>(); // AudioOut sequences in flight
  private String speaker; // the participant the session hears, null: none yet
  private long speakerHeardAt; // nanoTime of the speaker's last frame

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
    this.link = new SessionLink(new SessionLink.Transport() {
          @Override
          public void send(String json, boolean pausedOrClear) {
            toRoom(json);
          }

          @Override
          public void sendError(String to, ErrorCode code, String message) {
            LiveKitConnector.this.sendError(to, code, message);
          }

          @Override
          public void scheduleRateLimitedReply(Duration delay) {
            timers.startSingleTimer(Tick.RATE_LIMITED_REPLY, delay);
          }
        }, context.parser().limits(), context.rateLimitedReplyInterval(), context.metrics(),
        // the bridge's frames: 20 ms at 48 kHz
        new InputAudioFormat(48_000), context.turnTaking().bargeIn(),
        context.turnTaking().maxAudioAhead(), ctx.getLog());
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
          link.onRateLimitedReplyDue(sessionOver);
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
    bridge = ready.link();
    joined = false;
    joining = false;
    if (leaving) return Behaviors.stopped(); // the old bridge took the room with it
    join();
    return this;
  }

  private void join() {
    if (bridge == null || joined || joining || leaving) return;
    joining = true;
    LiveKitSettings s = context.settings();
    bridge.send(GatewayMessage.newBuilder().setJoin(JoinRoom.newBuilder()
        .setRoom(room)
        .setUrl(s.bridgeUrl())
        .setToken(context.tokens().agentToken(room))
        .setTrackName(s.trackName())
        .setQueueSizeMs((int) s.audioQueue().toMillis())
        .setSubscribeAudio(s.subscribeAudio())).build());
  }

  private Behavior<Object> onBridgeGone() {
    bridge = null;
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
      case PARTICIPANT_AUDIO -> onParticipantAudio(message.getParticipantAudio());
      default -> getContext().getLog().debug("unexpected bridge message {}",
          message.getMsgCase());
    }
    return Behaviors.same(); // not this: see SessionMdc (audio and acks, 50 a second each)
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
      if (event.getIdentity().equals(speaker)) speaker = null;
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
        if (link.entityKnown() && !sessionOver) {
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
    if (sessionTargeted && !sessionOver) {
      sessionOver = true;
      toSession(new SessionEntity.End(SessionEndReason.CLIENT_DISCONNECT.wireName()));
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
    if (bridge != null && (joined || joining)) {
      bridge.send(GatewayMessage.newBuilder().setLeave(LeaveRoom.newBuilder().setRoom(room))
          .build());
    }
  }

  /** Stops at once unless the bridge is still in the room (then at its Left). */
  private Behavior<Object> leaveOrStop() {
    return bridge != null && (joined || joining) ? this : Behaviors.stopped();
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
      target(claimed.owner().entityId());
      link.toSession(new SessionEntity.Resume(getContext().getSelf().narrow(), claimed, 0));
      return this;
    }
    if (leaving) return this;
    getContext().getLog().info("the room's session {} cannot be resumed ({}): a new one starts",
        done.sessionId(), done.error() != null ? done.error().toString() : "ended or expired");
    startNewSession();
    return this;
  }

  private void startNewSession() {
    useSessionId(SessionIds.newSessionId(ROOM_SESSION_PREFIX));
    org.slf4j.Logger log = getContext().getLog();
    String id = sessionId;
    context.leases().recordSession(room, id).whenComplete((ok, error) -> {
      if (error != null) {
        log.warn("cannot record session {} of room {}: {}", id, room, error.toString());
      }
    });
    target(new SessionEntityId(sessionId, context.nodeTag(), 1).entityId());
    link.toSession(new SessionEntity.Attach(getContext().getSelf().narrow(),
        context.store().enabled() ? tokenSha256(sessionId) : null));
  }

  private void target(String entityId) {
    sessionTargeted = true;
    link.target(context.sharding().entityRefFor(SessionEntity.TYPE_KEY, entityId));
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
    toSession(new SessionEntity.Detach());
  }

  private void toSession(SessionEntity.Command command) {
    link.toSession(command);
  }

  private Behavior<Object> onSessionEvent(ClientEvent event) {
    if (event instanceof SessionEntity.Audio a) {
      sendAudio(a);
    } else if (event instanceof SessionEntity.SessionStarted s) {
      link.entityAnswered(s.entity());
      toRoom(ServerMessages.sessionStart(s.sessionId()));
    } else if (event instanceof SessionEntity.SessionResumed r) {
      link.entityAnswered(r.entity());
      link.resumed(r.bargeIn());
      toRoom(ServerMessages.sessionResumed(r.sessionId(), r.nextSequence(), r.accepted(),
          r.paused(), r.pending()));
    } else if (event instanceof SessionEntity.SessionEnded e) {
      return onSessionEnded(e.reason());
    } else {
      // the bridge's queue first, so that the track is silent before the room hears why
      if (event instanceof SessionEntity.Paused) {
        clearAudio(true);
      } else if (event instanceof SessionEntity.Clear) {
        clearAudio(false);
      } else if (event instanceof SessionEntity.Resumed && joined) {
        bridge.send(GatewayMessage.newBuilder()
            .setResumeAudio(ResumeAudio.newBuilder().setRoom(room)).build());
      }
      link.relay(event);
    }
    return Behaviors.same(); // not this: see SessionMdc
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
    bridge.send(GatewayMessage.newBuilder().setAudio(AudioOut.newBuilder()
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
    long started = link.takeBargeInStart(); // 0: no PAUSE/STOP was waiting for it
    if (started != 0) context.metrics().bargeIn(System.nanoTime() - started);
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
    bridge.send(GatewayMessage.newBuilder()
        .setClear(ClearAudio.newBuilder().setRoom(room).setKeep(keep)).build());
  }

  // ---------------------------------------------------------------- data packets

  private void onData(DataIn data) {
    if (data.getParticipantIdentity().equals(context.settings().agentIdentity())) return;
    long now = System.nanoTime();
    String from = data.getParticipantIdentity();
    if (sessionOver) return;
    ParseResult result = context.parser().parseTextBytes(data.getPayload().toByteArray());
    if (!link.admit(result, now, from)) return;
    if (result instanceof ClientMessage.Resume) {
      sendError(from, ErrorCode.INVALID_MESSAGE, "resume is not used in a LiveKit room: the"
          + " gateway resumes the room's session by itself");
    } else if (result instanceof ClientMessage.Audio) {
      sendError(from, ErrorCode.INVALID_MESSAGE, "audio is not sent as data in a LiveKit room:"
          + " the gateway hears your microphone track");
    } else if (!link.entityKnown() && !(result instanceof ProtocolError)) {
      sendError(from, ErrorCode.INVALID_MESSAGE, "the room's session is starting: send the"
          + " message again in a moment");
    } else {
      link.handle(result, now, from);
    }
  }

  /**
   * A participant's 20 ms frame: to the session when it is the participant the session hears
   * (or becomes it: the first heard, or the next once that one is gone or silent).
   */
  private void onParticipantAudio(ParticipantAudio frame) {
    context.metrics().liveKitInboundFrame();
    if (sessionOver || !link.entityKnown()) return;
    String identity = frame.getParticipantIdentity();
    if (identity.equals(context.settings().agentIdentity())) return;
    long now = System.nanoTime();
    if (!identity.equals(speaker)) {
      if (speaker != null && now - speakerHeardAt < SPEAKER_IDLE.toNanos()) return;
      getContext().getLog().info("the session hears participant {}", identity);
      speaker = identity;
    }
    speakerHeardAt = now;
    link.heard(InputAudioFormat.samples(frame.getPcm().asReadOnlyByteBuffer()), 48_000);
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
    bridge.send(GatewayMessage.newBuilder().setData(DataOut.newBuilder()
        .setRoom(room)
        .setPayload(ByteString.copyFrom(json, StandardCharsets.UTF_8))
        .addAllDestinationIdentities(to)).build());
  }
}
