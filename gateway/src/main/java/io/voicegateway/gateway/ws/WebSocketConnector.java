package io.voicegateway.gateway.ws;

import io.voicegateway.gateway.health.GatewayMetrics;
import io.voicegateway.gateway.link.SessionLink;
import io.voicegateway.gateway.protocol.AudioTransport;
import io.voicegateway.gateway.protocol.ClientMessage;
import io.voicegateway.gateway.protocol.ClientMessageParser;
import io.voicegateway.gateway.protocol.ConnectionOptions;
import io.voicegateway.gateway.protocol.ErrorCode;
import io.voicegateway.gateway.protocol.ParseResult;
import io.voicegateway.gateway.protocol.ServerMessages;
import io.voicegateway.gateway.protocol.SessionEndReason;
import io.voicegateway.gateway.protocol.SessionIds;
import io.voicegateway.session.SessionEntity;
import io.voicegateway.session.SessionEntity.ClientEvent;
import io.voicegateway.session.NodeLocalSharding;
import io.voicegateway.session.SessionEntityId;
import io.voicegateway.session.SessionMdc;
import io.voicegateway.session.TurnTakingSettings;
import io.voicegateway.session.store.SessionStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;
import org.slf4j.LoggerFactory;

/**
 * One client WebSocket connection (DESIGN.md: a connector owns one client connection and holds no
 * session state beyond it). It turns client messages into {@link SessionEntity} commands and the
 * entity's {@link ClientEvent}s into WIRE.md §4 messages (docs/PROTOCOL.md for the extensions).
 *
 * <h2>Streams</h2>
 * The socket's inbound side runs into an {@link ActorSink} with back-pressure: one client message
 * is read, parsed and handled at a time. The outbound side is an {@link ActorSource} with
 * back-pressure: the connector offers one message and waits until the socket has taken it. Each
 * {@link SessionEntity.Audio} taken is acknowledged to the entity ({@link SessionEntity.ClientAck}),
 * so the entity's client window, and through it the worker's stream, follows the socket. A
 * message the socket does not take within {@code slow-consumer-timeout} ends the session with
 * reason {@code slow_consumer} and aborts the connection.
 *
 * <h2>Client messages</h2>
 * What a client message does is the {@link SessionLink}'s business, the same for both transports
 * (rate limit, texts, control, the user's audio, {@code listen}); this connector adds the WebSocket
 * and {@code resume}. Invalid messages are answered with an {@code error} naming the problem; the
 * session goes on.
 *
 * <h2>Sessions and resume</h2>
 * A new connection starts its own session, whose entity lives on this node (its id names this
 * node: {@link SessionEntityId}). With a session store the client gets a secret
 * {@code resume_token} in {@code session_start} (the store keeps only its SHA-256). A
 * {@code resume} as the first message claims the named session in the store (token checked
 * there, atomically): this connection's own session is dropped without a word, a new incarnation
 * of the claimed session starts here (never waiting for the node it lived on, dead or not), the
 * old incarnation is told it was superseded, and the client gets {@code session_resumed}. Client
 * messages wait while the claim runs, and until the entity has answered Attach or Resume: its
 * answer carries its own ref, and later commands go to it directly instead of through sharding.
 * A connection that closes, politely or not, leaves its session resumable for the resume window
 * (a broken connection is told apart when Pekko reports a failure: {@link SessionEntity.Detach}).
 *
 * <h2>Barge-in latency</h2>
 * From a PAUSE or STOP read off the socket to the last audio frame the socket took before the
 * {@code paused}/{@code clear} answer (0 when none): what a listener hears after interrupting.
 */
public final class WebSocketConnector extends AbstractBehavior<Object> {

  /**
   * What every connection of a node shares.
   *
   * @param live the node's open connectors (concurrent set), for {@link #endAll}
   * @param store where sessions are claimed on resume ({@link SessionStore#NONE}: no resume)
   * @param nodeTag this node's tag in session entity ids
   * @param turnTaking how sessions hear their users (barge-in default, audio flood limit)
   */
  public record Context(
      ActorSystem<?> system,
      ClusterSharding sharding,
      ClientMessageParser parser,
      ConnectorSettings settings,
      GatewayMetrics metrics,
      Set<ActorRef<Object>> live,
      SessionStore store,
      String nodeTag,
      TurnTakingSettings turnTaking) {}

  /**
   * Node shutdown: ends every open session with reason {@code node_shutdown} (each client gets
   * its {@code session_end}, saying {@code resumable} when it can resume elsewhere, and a normal
   * close); completes when all connections are gone or after
   * {@code deadline}.
   */
  public static CompletionStage<Done> endAll(Context context, Duration deadline) {
    if (context.live().isEmpty()) return CompletableFuture.completedFuture(Done.getInstance());
    LoggerFactory.getLogger(WebSocketConnector.class)
        .info("node shutting down: ending {} client session(s)", context.live().size());
    context.live().forEach(c -> c.tell(NodeShutdown.INSTANCE));
    CompletableFuture<Done> done = new CompletableFuture<>();
    long giveUpAt = System.nanoTime() + deadline.toNanos();
    Cancellable[] poll = new Cancellable[1];
    poll[0] = context.system().scheduler().scheduleAtFixedRate(Duration.ofMillis(20),
        Duration.ofMillis(20), () -> {
          if (context.live().isEmpty() || System.nanoTime() - giveUpAt > 0) {
            poll[0].cancel();
            done.complete(Done.getInstance());
          }
        }, context.system().executionContext());
    return done;
  }

  private enum NodeShutdown { INSTANCE }

  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
  private static final Duration ABORT_GRACE = Duration.ofSeconds(1);

  // ---------------------------------------------------------------- connector messages

  private record InboundInit(ActorRef<InboundAck> ackTo) {}

  private record Inbound(ParseResult result, long receivedNanos, ActorRef<InboundAck> ackTo) {}

  private enum InboundAck { INSTANCE }

  /** The client's side of the socket ended; {@code failure} is null for a normal close. */
  private record InboundClosed(Throwable failure) {}

  private record OutboundReady(ActorRef<Outbound> source) {}

  private enum OutboundAck { INSTANCE }

  private enum Tick { START_TIMEOUT, SLOW_CONSUMER, RATE_LIMITED_REPLY, CLOSE_GRACE }

  /** The store answered a resume's claim ({@code error} non-null when it could not). */
  private record ClaimDone(ClientMessage.Resume resume, SessionStore.Claim claim,
      Throwable error, ActorRef<InboundAck> ackTo) {}

  /** What the outbound source accepts. */
  private sealed interface Outbound permits Send, Complete, Abort {}

  private enum Kind { AUDIO, PAUSED_OR_CLEAR, OTHER }

  private record Send(Message message, Kind kind) implements Outbound {}

  private record Complete() implements Outbound {}

  private record Abort(String reason) implements Outbound {}

  // ---------------------------------------------------------------- the connection's flow

  /**
   * The handler flow of one upgraded connection: spawns its connector and attaches a new session.
   */
  public static Flow<Message, Message, NotUsed> connect(
      Context context, String sessionId, ConnectionOptions options) {
    java.util.concurrent.atomic.AtomicReference<String> logId =
        new java.util.concurrent.atomic.AtomicReference<>(sessionId);
    ActorRef<Object> connector = context.system().systemActorOf(
        // the session id in every log line, the resumed one once the connection carries it
        SessionMdc.around(Object.class, logId::get,
            Behaviors.<Object>setup(ctx -> Behaviors.withTimers(
                timers -> new WebSocketConnector(ctx, timers, context, sessionId, options,
                    logId)))),
        "connector-" + sessionId, Props.empty());

    Materializer materializer = Materializer.matFromSystem(context.system());
    AudioTransport transport = options.audioTransport();
    Sink<Message, NotUsed> in = Flow.of(Message.class)
        .mapAsync(1, m -> read(m, context.parser(), transport, materializer))
        .to(ActorSink.<ParseResult, Object, InboundAck>actorRefWithBackpressure(
            connector,
            (ackTo, result) -> new Inbound(result, System.nanoTime(), ackTo),
            InboundInit::new,
            InboundAck.INSTANCE,
            new InboundClosed(null),
            InboundClosed::new));
    Source<Message, NotUsed> out = ActorSource.<Outbound, OutboundAck>actorRefWithBackpressure(
            connector.narrow(),
            OutboundAck.INSTANCE,
            o -> o instanceof Complete
                ? Optional.of(CompletionStrategy.immediately()) : Optional.empty(),
            o -> o instanceof Abort a
                ? Optional.of(new ConnectionAborted(a.reason())) : Optional.empty())
        .mapMaterializedValue(source -> {
          connector.tell(new OutboundReady(source));
          return NotUsed.getInstance();
        })
        .map(o -> ((Send) o).message());
    return Flow.fromSinkAndSource(in, out);
  }

  /** Why an outbound stream was failed on purpose (the connection is dropped). */
  static final class ConnectionAborted extends RuntimeException {
    ConnectionAborted(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * Reads one WebSocket message whole, within the size limit: a streamed message is drained
   * completely but collected only up to {@code max-message-bytes}.
   */
  static CompletionStage<ParseResult> read(Message m, ClientMessageParser parser,
      AudioTransport transport, Materializer materializer) {
    int limit = parser.limits().maxMessageBytes();
    if (m.isText()) {
      TextMessage text = m.asTextMessage();
      if (text.isStrict()) return CompletableFuture.completedFuture(parser.parse(text.getStrictText()));
      // UTF-8 needs at least one byte per UTF-16 unit: more chars than the limit is too large
      return text.getStreamedText()
          .runFold(new Collected(limit), Collected::add, materializer)
          .thenApply(c -> c.tooLarge() ? parser.messageTooLarge(c.seen)
              : parser.parse(c.text.toString()));
    }
    BinaryMessage binary = m.asBinaryMessage();
    if (binary.isStrict()) {
      return CompletableFuture.completedFuture(parser.parseBinary(binary.getStrictData(), transport));
    }
    return binary.getStreamedData()
        .runFold(new CollectedBytes(limit), CollectedBytes::add, materializer)
        .thenApply(c -> c.seen > limit ? (transport == AudioTransport.BINARY
            ? parser.messageTooLarge(c.seen) : parser.parseBinary(ByteString.emptyByteString(), transport))
            : parser.parseBinary(c.bytes, transport));
  }

  private static final class Collected {
    final int limit;
    final StringBuilder text = new StringBuilder();
    long seen;

    Collected(int limit) {
      this.limit = limit;
    }

    Collected add(String chunk) {
      seen += chunk.length();
      if (seen <= limit) text.append(chunk);
      return this;
    }

    boolean tooLarge() {
      return seen > limit;
    }
  }

  private static final class CollectedBytes {
    final int limit;
    ByteString bytes = ByteString.emptyByteString();
    long seen;

    CollectedBytes(int limit) {
      this.limit = limit;
    }

    CollectedBytes add(ByteString chunk) {
      seen += chunk.size();
      if (seen <= limit) bytes = bytes.concat(chunk);
      return this;
    }
  }

  // ---------------------------------------------------------------- state

  private final TimerScheduler<Object> timers;
  private final Context context;
  private String sessionId;
  private final AudioTransport transport;
  // routing (sharding first, then the incarnation itself), rate limit, texts, the user's audio
  private final SessionLink link;
  private Inbound heldInbound; // a client message read before the entity answered, not yet acked
  private String resumeToken; // the new session's secret, for session_start only; never logged
  private boolean sessionUsed; // a text or control reached the session: too late to resume
  private boolean resumed;
  private final java.util.concurrent.atomic.AtomicReference<String> logId; // the MDC's session id
  private final ArrayDeque<Outbound> queue = new ArrayDeque<>();

  private ActorRef<Outbound> source;
  private boolean sessionStarted;
  private Send inFlight;
  private long inFlightSince; // when inFlight was offered to the socket
  private long lastAudioTakenAt;
  private boolean sessionOver; // SessionEnded received or End sent: never talk to the entity again
  private long pendingDropped;

  private WebSocketConnector(ActorContext<Object> ctx, TimerScheduler<Object> timers,
      Context context, String sessionId, ConnectionOptions options,
      java.util.concurrent.atomic.AtomicReference<String> logId) {
    super(ctx);
    this.logId = logId;
    this.timers = timers;
    this.context = context;
    this.sessionId = sessionId;
    this.transport = options.audioTransport();
    this.link = new SessionLink(new SessionLink.Transport() {
          @Override
          public void send(String json, boolean pausedOrClear) {
            text(json, pausedOrClear ? Kind.PAUSED_OR_CLEAR : Kind.OTHER);
          }

          @Override
          public void sendError(String to, ErrorCode code, String message) {
            WebSocketConnector.this.sendError(code, message);
          }

          @Override
          public void scheduleRateLimitedReply(Duration delay) {
            timers.startSingleTimer(Tick.RATE_LIMITED_REPLY, delay);
          }
        }, context.parser().limits(), context.settings().rateLimitedReplyInterval(),
        context.metrics(), options.input(), context.turnTaking().bargeIn(),
        context.turnTaking().maxAudioAhead(), ctx.getLog());
    link.target(context.sharding().entityRefFor(SessionEntity.TYPE_KEY,
        new SessionEntityId(sessionId, context.nodeTag(), 1).entityId()));
    context.metrics().sessionOpened();
    context.live().add(ctx.getSelf());
    timers.startSingleTimer(Tick.START_TIMEOUT, START_TIMEOUT);
    ActorRef<ClientEvent> self = ctx.getSelf().narrow();
    String tokenHash = null;
    if (context.store().enabled()) {
      resumeToken = SessionIds.newResumeToken();
      tokenHash = SessionIds.resumeTokenSha256(resumeToken);
    }
    link.toSession(new SessionEntity.Attach(self, tokenHash));
    ctx.getLog().info("client connected (audio transport {})", transport.wireName());
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(OutboundReady.class, this::onOutboundReady)
        .onMessage(InboundInit.class, init -> {
          init.ackTo().tell(InboundAck.INSTANCE);
          return this;
        })
        .onMessage(Inbound.class, this::onInbound)
        .onMessage(ClaimDone.class, this::onClaimDone)
        .onMessage(InboundClosed.class, this::onInboundClosed)
        .onMessageEquals(OutboundAck.INSTANCE, this::onOutboundAck)
        .onMessage(ClientEvent.class, this::onSessionEvent)
        .onMessageEquals(Tick.START_TIMEOUT, this::onStartTimeout)
        .onMessageEquals(Tick.SLOW_CONSUMER, this::onSlowConsumer)
        .onMessageEquals(Tick.RATE_LIMITED_REPLY, () -> {
          link.onRateLimitedReplyDue(sessionOver);
          return this;
        })
        .onMessageEquals(Tick.CLOSE_GRACE, this::abortAndStop)
        .onMessageEquals(NodeShutdown.INSTANCE, this::onNodeShutdown)
        .onSignal(PostStop.class, s -> {
          context.live().remove(getContext().getSelf());
          context.metrics().sessionClosed();
          return this;
        })
        .build();
  }

  // ---------------------------------------------------------------- client → session

  private Behavior<Object> onInbound(Inbound in) {
    if (sessionOver) {
      in.ackTo().tell(InboundAck.INSTANCE);
      return this;
    }
    if (!link.entityKnown()) {
      // Commands wait for the entity's answer, so that none sent through the region can be
      // overtaken by a later one sent directly (the inbound stream is back-pressured meanwhile).
      heldInbound = in;
      return this;
    }
    ParseResult result = in.result();
    if (!link.admit(result, in.receivedNanos(), "")) {
      in.ackTo().tell(InboundAck.INSTANCE);
      return this;
    }
    if (result instanceof ClientMessage.Resume resume) {
      if (startResume(resume, in.ackTo())) {
        return this; // the next client message is read once the claim is answered
      }
      in.ackTo().tell(InboundAck.INSTANCE);
      return this;
    }
    in.ackTo().tell(InboundAck.INSTANCE);
    if (result instanceof ClientMessage.Text || result instanceof ClientMessage.Control) {
      sessionUsed = true;
    }
    link.handle(result, in.receivedNanos(), "");
    return Behaviors.same(); // not this: see SessionMdc (audio arrives 50 times a second)
  }

  // ---------------------------------------------------------------- resume

  /**
   * Starts claiming the session a {@code resume} names; false (answered already) when this
   * connection cannot resume.
   */
  private boolean startResume(ClientMessage.Resume resume, ActorRef<InboundAck> ackTo) {
    if (!context.store().enabled()) {
      sendError(ErrorCode.UNAUTHORIZED, "resume refused: session resumption is off on this"
          + " gateway (voicegw.session.resume.enabled); this connection's session " + sessionId
          + " continues");
      return false;
    }
    if (resumed || sessionUsed) {
      sendError(ErrorCode.INVALID_MESSAGE, "resume must be the first message on a connection;"
          + " this connection's session " + sessionId + " continues");
      return false;
    }
    getContext().getLog().info("resume of session {} asked (after sequence {})",
        resume.sessionId(), resume.lastSequence());
    getContext().pipeToSelf(context.store().claim(resume.sessionId(),
            SessionIds.resumeTokenSha256(resume.resumeToken()), context.nodeTag()),
        (claim, error) -> new ClaimDone(resume, claim, error, ackTo));
    return true;
  }

  private Behavior<Object> onClaimDone(ClaimDone done) {
    done.ackTo().tell(InboundAck.INSTANCE);
    String asked = done.resume().sessionId();
    if (done.error() != null) {
      getContext().getLog().warn("resume of {} failed: session store: {}", asked,
          done.error().toString());
      sendError(ErrorCode.INTERNAL_ERROR, "resume failed: the session store cannot be reached;"
          + " try again; this connection's session " + sessionId + " continues");
      return this;
    }
    if (!(done.claim() instanceof SessionStore.Claimed claimed)) {
      getContext().getLog().info("resume of {} refused (unknown session or wrong token)", asked);
      sendError(ErrorCode.UNAUTHORIZED, "resume refused: no session " + asked + " can be resumed"
          + " with this token (wrong token, or the session ended or expired); this connection's"
          + " session " + sessionId + " continues");
      return this;
    }
    if (sessionOver) {
      // the connection closed while claiming: the session stays claimable for a later resume
      return this;
    }
    link.toSession(new SessionEntity.End(SessionEntity.RESUMED)); // our own session, dropped
    NodeLocalSharding.supersede(context.system(), claimed.previousOwner());
    getContext().getLog().info("connection moves from session {} to resumed session {} ({})",
        sessionId, asked, claimed.owner());
    sessionId = asked;
    logId.set(asked);
    resumed = true;
    resumeToken = null;
    link.target(context.sharding().entityRefFor(SessionEntity.TYPE_KEY,
        claimed.owner().entityId())); // until the resumed incarnation answers
    link.toSession(new SessionEntity.Resume(getContext().getSelf().narrow(), claimed,
        done.resume().lastSequence()));
    return this;
  }

  private Behavior<Object> onInboundClosed(InboundClosed closed) {
    if (!sessionOver) {
      sessionOver = true;
      if (closed.failure() != null) {
        // a broken connection, not a goodbye: the session waits for a resume (when it can)
        getContext().getLog().info("client connection failed: {}", closed.failure().toString());
        toSession(context.store().enabled() ? new SessionEntity.Detach()
            : new SessionEntity.End(SessionEndReason.ERROR.wireName()));
      } else {
        getContext().getLog().info("client disconnected");
        toSession(new SessionEntity.End(SessionEndReason.CLIENT_DISCONNECT.wireName()));
      }
    }
    if (source != null) source.tell(new Complete());
    return Behaviors.stopped();
  }

  // ---------------------------------------------------------------- session → client

  private Behavior<Object> onSessionEvent(ClientEvent event) {
    if (event instanceof SessionEntity.Audio a) {
      enqueue(new Send(transport == AudioTransport.BINARY
          ? BinaryMessage.create(ServerMessages.binaryAudio(a.pcm(), a.sequence()))
          : TextMessage.create(ServerMessages.audio(a.pcm(), a.sequence())), Kind.AUDIO));
    } else if (event instanceof SessionEntity.SessionStarted s) {
      sessionStarted = true;
      cancelStartTimeoutOnceStarted();
      text(ServerMessages.sessionStart(s.sessionId(), transport, Optional.ofNullable(resumeToken),
          link.input(), link.bargeIn()), Kind.OTHER);
      entityAnswered(s.entity());
    } else if (event instanceof SessionEntity.SessionResumed r) {
      text(ServerMessages.sessionResumed(r.sessionId(), r.nextSequence(), r.accepted(),
          r.paused(), r.pending()), Kind.OTHER);
      link.resumed(r.bargeIn());
      entityAnswered(r.entity());
    } else if (event instanceof SessionEntity.SessionEnded e) {
      getContext().getLog().info("session ended: {}", e.reason());
      sessionOver = true;
      timers.cancel(Tick.START_TIMEOUT);
      SessionEndReason reason = SessionEndReason.fromWireName(e.reason());
      text(ServerMessages.sessionEnd(sessionId, reason,
          reason == SessionEndReason.NODE_SHUTDOWN && context.store().enabled()), Kind.OTHER);
      queue.add(new Complete());
      pump();
    } else {
      link.relay(event); // paused/clear: the barge-in is measured when the socket takes it
    }
    return Behaviors.same(); // not this: see SessionMdc
  }

  /** The entity answered Attach or Resume: commands go to it directly from now on. */
  private void entityAnswered(ActorRef<SessionEntity.Command> incarnation) {
    link.entityAnswered(incarnation);
    if (heldInbound != null) {
      Inbound held = heldInbound;
      heldInbound = null;
      onInbound(held);
    }
  }

  private void toSession(SessionEntity.Command command) {
    link.toSession(command);
  }

  private void sendError(ErrorCode code, String message) {
    if (queue.size() >= context.settings().maxPendingMessages()) {
      pendingDropped++; // the client is not reading its errors: do not pile them up
      if (pendingDropped == 1) {
        getContext().getLog().warn("client reads too slowly: error replies are being dropped");
      }
      return;
    }
    context.metrics().clientError();
    text(ServerMessages.error(code, message), Kind.OTHER);
  }

  private void text(String json, Kind kind) {
    enqueue(new Send(TextMessage.create(json), kind));
  }

  private void enqueue(Send send) {
    queue.add(send);
    pump();
  }

  /** Offers the next queued message to the socket when it has taken the previous one. */
  private void pump() {
    if (source == null || inFlight != null || queue.isEmpty()) return;
    Outbound next = queue.poll();
    source.tell(next);
    if (next instanceof Send send) {
      inFlight = send;
      inFlightSince = System.nanoTime();
    } else {
      timers.startSingleTimer(Tick.CLOSE_GRACE, CLOSE_GRACE); // Complete: wait for the close
    }
  }

  private Behavior<Object> onOutboundReady(OutboundReady ready) {
    source = ready.source();
    // One periodic check rather than a timer per message (50 a second per session): a message
    // not taken is found between 1 and 1.25 times slow-consumer-timeout after it was offered.
    timers.startTimerAtFixedRate(Tick.SLOW_CONSUMER,
        context.settings().slowConsumerTimeout().dividedBy(4));
    cancelStartTimeoutOnceStarted();
    pump();
    return this;
  }

  /** Started: the socket's streams run (the upgrade happened) and the entity answered. */
  private void cancelStartTimeoutOnceStarted() {
    if (source != null && sessionStarted) timers.cancel(Tick.START_TIMEOUT);
  }

  private Behavior<Object> onOutboundAck() {
    Send taken = inFlight;
    inFlight = null;
    if (taken != null) {
      long now = System.nanoTime();
      if (taken.kind() == Kind.AUDIO) {
        lastAudioTakenAt = now;
        if (!sessionOver) toSession(SessionEntity.ClientAck.INSTANCE);
      } else if (taken.kind() == Kind.PAUSED_OR_CLEAR) {
        long started = link.takeBargeInStart(); // 0: no PAUSE/STOP was waiting for it
        if (started != 0) context.metrics().bargeIn(Math.max(0, lastAudioTakenAt - started));
      }
    }
    pump();
    return Behaviors.same(); // not this: see SessionMdc
  }

  // ---------------------------------------------------------------- failures

  private Behavior<Object> onSlowConsumer() {
    Duration timeout = context.settings().slowConsumerTimeout();
    if (inFlight == null || System.nanoTime() - inFlightSince < timeout.toNanos()) return this;
    timers.cancel(Tick.SLOW_CONSUMER);
    getContext().getLog().warn("client took no message for {} ms: closing as slow_consumer",
        timeout.toMillis());
    if (!sessionOver) {
      sessionOver = true;
      toSession(new SessionEntity.End(SessionEndReason.SLOW_CONSUMER.wireName()));
    }
    timers.startSingleTimer(Tick.CLOSE_GRACE, ABORT_GRACE);
    return this;
  }

  private Behavior<Object> onNodeShutdown() {
    if (!sessionOver) {
      sessionOver = true; // the entity answers with SessionEnded("node_shutdown")
      toSession(new SessionEntity.End(SessionEntity.NODE_SHUTDOWN));
    }
    return this;
  }

  private Behavior<Object> onStartTimeout() {
    getContext().getLog().warn("connection never started (no upgrade or no session within {} s);"
        + " giving up", START_TIMEOUT.toSeconds());
    if (!sessionOver) {
      sessionOver = true;
      toSession(new SessionEntity.End(SessionEndReason.ERROR.wireName()));
    }
    return abortAndStop();
  }

  private Behavior<Object> abortAndStop() {
    if (source != null) source.tell(new Abort("connection closed by the gateway"));
    return Behaviors.stopped();
  }
}
