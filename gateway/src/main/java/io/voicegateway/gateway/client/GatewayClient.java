package io.voicegateway.gateway.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.voicegateway.gateway.protocol.ClientMessage;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A WebSocket client of the gateway protocol (WIRE.md §4 and docs/PROTOCOL.md) on the JDK's
 * {@link HttpClient}, for the {@code say} command, end-to-end tests and load tests. It adds no
 * thread of its own, so hundreds of clients can share one {@code HttpClient}.
 *
 * <p><b>Receiving.</b> Every server message becomes a {@link ServerEvent} (text messages that
 * arrive in several parts are joined first). By default events queue up inside the client and are
 * taken with the blocking {@link #next}, {@link #expect} and {@link #collectUntil}. Alternatively
 * {@link #listen} hands them to callbacks on the {@code HttpClient}'s threads. A message that is
 * not a valid server message is never dropped: {@code next} and its siblings throw a
 * {@link MalformedServerMessageException} at its place in the order, or the listener's
 * {@code onMalformed} callback receives it.
 *
 * <p><b>Flow control.</b> The client asks the WebSocket for one message at a time and for the next
 * as soon as it has queued the previous one or the listener has returned. {@link #pauseReading()}
 * stops asking, so the client behaves like one that stopped reading (the server's writes back up
 * and it should end the session as {@code slow_consumer}); {@link #resumeReading()} asks again.
 *
 * <p><b>Sending.</b> The JDK WebSocket allows one outstanding send; this client queues sends and
 * performs them one after another in call order. Each returns a {@link Sent} with the
 * {@link System#nanoTime()} at which the message was handed to the WebSocket and at which it was
 * written. A failed send does not stop later ones.
 *
 * <p><b>Closing.</b> {@link #closed()} completes when the server closes the connection, when it
 * breaks, or after {@link #close()} or {@link #abort()}.
 *
 * <p>All methods are thread-safe. {@link #toString()} never shows the resume token.
 */
public final class GatewayClient implements AutoCloseable {

  /** Time allowed to open the connection when none is given. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** How long {@link #close()} waits for the server's close before it aborts the connection. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /**
   * The status of {@link #closed()} when the connection ended without a close frame (RFC 6455
   * §7.1.5: it is never sent on the wire).
   */
  public static final int ABNORMAL_CLOSURE = 1006;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A completed send.
   *
   * @param startedNanos {@link System#nanoTime()} when the message was handed to the WebSocket,
   *     i.e. after every earlier send had completed
   * @param completedNanos {@link System#nanoTime()} when the WebSocket reported it written
   */
  public record Sent(long startedNanos, long completedNanos) {}

  /**
   * How the connection ended.
   *
   * @param statusCode the close code the server sent (1005 if its close frame had none), or
   *     {@link #ABNORMAL_CLOSURE} when the connection broke or was aborted
   * @param reason the server's close reason, or what happened to the connection
   * @param error the failure that broke the connection, if any
   * @param closedNanos {@link System#nanoTime()} when the client saw the end
   */
  public record Closed(int statusCode, String reason, Optional<Throwable> error,
      long closedNanos) {
    public Closed {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(error, "error");
    }

    /** {@code 1000 "bye"}, for messages. */
    String describe() {
      return statusCode + (reason.isEmpty() ? "" : " \"" + reason + "\"");
    }
  }

  private final URI uri;
  private final Receiver receiver = new Receiver();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private volatile WebSocket webSocket;
  private volatile ServerEvent.SessionStart sessionStart;

  // Received messages; all guarded by lock.
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** {@link ServerEvent}s and {@link MalformedServerMessageException}s in arrival order. */
  private final ArrayDeque<Object> inbox = new ArrayDeque<>();
  private Consumer<ServerEvent> eventListener;
  private Consumer<MalformedServerMessageException> malformedListener;
  private long receivedCount;
  private Object lastReceived;
  private Closed closedState;

  private final AtomicBoolean readingPaused = new AtomicBoolean();
  /** Whether a message part was handled without asking for the next one (reading is paused). */
  private final AtomicBoolean demandOwed = new AtomicBoolean();

  private final Object sendLock = new Object();
  private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);

  private GatewayClient(URI uri) {
    this.uri = uri;
  }

  /** Connects with a new {@link HttpClient} of its own and {@link #DEFAULT_CONNECT_TIMEOUT}. */
  public static CompletableFuture<GatewayClient> connect(URI uri) {
    return connect(HttpClient.newHttpClient(), uri, DEFAULT_CONNECT_TIMEOUT);
  }

  /** Connects over a shared {@link HttpClient} with {@link #DEFAULT_CONNECT_TIMEOUT}. */
  public static CompletableFuture<GatewayClient> connect(HttpClient http, URI uri) {
    return connect(http, uri, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * Opens a WebSocket connection to the gateway, e.g. {@code ws://127.0.0.1:8080/} or
   * {@code ws://127.0.0.1:8080/?audio=binary}.
   *
   * @param connectTimeout time allowed for the TCP connection and the upgrade handshake together
   * @return completes with the open client, or fails with a {@link GatewayConnectException} that
   *     names the URI and the problem
   * @throws IllegalArgumentException if {@code uri} is not a {@code ws://} or {@code wss://} URI
   */
  public static CompletableFuture<GatewayClient> connect(
      HttpClient http, URI uri, Duration connectTimeout) {
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(uri, "uri");
    GatewayClient client = new GatewayClient(uri);
    return http.newWebSocketBuilder()
        .connectTimeout(connectTimeout)
        .buildAsync(uri, client.receiver)
        .handle((ws, error) -> {
          if (error != null) {
            throw connectFailure(uri, connectTimeout, error);
          }
          client.webSocket = ws;
          return client;
        });
  }

  /**
   * A client that is not connected to a socket: tests drive {@link #listener()} with a fake
   * {@link WebSocket}.
   */
  static GatewayClient unconnected(URI uri) {
    return new GatewayClient(uri);
  }

  /** The WebSocket listener that feeds this client. */
  WebSocket.Listener listener() {
    return receiver;
  }

  /** The URI this client connected to. */
  public URI uri() {
    return uri;
  }

  /** The first {@code session_start} received, whether or not it has been taken yet. */
  public Optional<ServerEvent.SessionStart> sessionStart() {
    return Optional.ofNullable(sessionStart);
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  /** Sends {@code {"type":"text","text":…,"is_final":true}}. The text is not checked. */
  public CompletableFuture<Sent> sendText(String text) {
    return sendJson(textMessage(text));
  }

  /** Sends a text with an utterance id (version 2), echoed in the utterance events. */
  public CompletableFuture<Sent> sendText(String text, String utteranceId) {
    Objects.requireNonNull(utteranceId, "utteranceId");
    return sendJson(textMessage(text).put("id", utteranceId));
  }

  /**
   * Sends {@code {"type":"control","command":…}}. The command is not checked, so tests can send
   * unknown ones; see {@link #sendControl(ClientMessage.Command)} for the valid ones.
   */
  public CompletableFuture<Sent> sendControl(String command) {
    Objects.requireNonNull(command, "command");
    return sendJson(JSON.createObjectNode().put("type", "control").put("command", command));
  }

  /** Sends PAUSE, RESUME or STOP. */
  public CompletableFuture<Sent> sendControl(ClientMessage.Command command) {
    return sendControl(command.name());
  }

  /** Sends {@code {"type":"resume",…}} (version 2) to reattach to an earlier session. */
  public CompletableFuture<Sent> sendResume(
      String sessionId, String resumeToken, long lastSequence) {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(resumeToken, "resumeToken");
    return sendJson(JSON.createObjectNode().put("type", "resume").put("session_id", sessionId)
        .put("resume_token", resumeToken).put("last_sequence", lastSequence));
  }

  /** Sends any text as one text message, e.g. malformed JSON for tests. */
  public CompletableFuture<Sent> sendRaw(String text) {
    Objects.requireNonNull(text, "text");
    return send(ws -> ws.sendText(text, true));
  }

  /**
   * Sends a WebSocket ping; the gateway's HTTP layer answers it with a pong even while its
   * session has nothing to say, so a missing pong means the peer is gone or frozen
   * ({@link #lastPongNanos()}).
   */
  public CompletableFuture<Sent> sendPing() {
    return send(ws -> ws.sendPing(ByteBuffer.allocate(0)));
  }

  /** {@link System#nanoTime()} of the last pong received, 0 when none. */
  public long lastPongNanos() {
    return lastPongNanos;
  }

  private volatile long lastPongNanos;

  /** Sends the bytes as one binary message (a copy is taken). */
  public CompletableFuture<Sent> sendBinary(byte[] bytes) {
    ByteBuffer copy = ByteBuffer.wrap(bytes.clone());
    return send(ws -> ws.sendBinary(copy, true));
  }

  private static ObjectNode textMessage(String text) {
    Objects.requireNonNull(text, "text");
    return JSON.createObjectNode().put("type", "text").put("text", text).put("is_final", true);
  }

  private CompletableFuture<Sent> sendJson(ObjectNode message) {
    String text;
    try {
      text = JSON.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + message.get("type"), e); // not for trees
    }
    return sendRaw(text);
  }

  /** Runs {@code op} after every earlier send has completed, successfully or not. */
  private CompletableFuture<Sent> send(Function<WebSocket, CompletableFuture<WebSocket>> op) {
    synchronized (sendLock) {
      CompletableFuture<Sent> sent = sendTail
          .handle((ignored, earlierFailure) -> null)
          .thenCompose(ignored -> {
            long started = System.nanoTime();
            return op.apply(webSocket).thenApply(ws -> new Sent(started, System.nanoTime()));
          });
      sendTail = sent;
      return sent.copy(); // completing the caller's copy must not start the next send early
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Receiving

  /**
   * Takes the next event, waiting up to {@code timeout}.
   *
   * @throws EventTimeoutException if none arrives in time
   * @throws ConnectionClosedException if the connection is closed and every event has been taken
   * @throws MalformedServerMessageException if the next message is not a valid server message
   * @throws IllegalStateException if events go to a {@link #listen listener}
   */
  public ServerEvent next(Duration timeout) throws InterruptedException {
    return take(System.nanoTime() + timeout.toNanos(), timeout, ServerEvent.class);
  }

  /**
   * Takes the next event and requires it to be a {@code type}.
   *
   * @throws UnexpectedEventException showing the event if it is of another type
   * @throws EventTimeoutException if no event arrives in time
   * @throws ConnectionClosedException if the connection is closed and every event has been taken
   * @throws MalformedServerMessageException if the next message is not a valid server message
   */
  public <T extends ServerEvent> T expect(Class<T> type, Duration timeout)
      throws InterruptedException {
    ServerEvent event = take(System.nanoTime() + timeout.toNanos(), timeout, type);
    if (!type.isInstance(event)) {
      throw new UnexpectedEventException("expected " + ServerEventParser.typeName(type)
          + " but got " + event, event);
    }
    return type.cast(event);
  }

  /**
   * Takes events up to and including the first of type {@code last}, e.g. the audio of an
   * utterance up to its {@code utterance_end}.
   *
   * @param timeout for all of them together
   * @throws EventTimeoutException if {@code last} does not arrive in time (the events taken so far
   *     are lost)
   * @throws ConnectionClosedException if the connection closes before {@code last} arrives
   * @throws MalformedServerMessageException if a message is not a valid server message
   */
  public List<ServerEvent> collectUntil(Class<? extends ServerEvent> last, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ServerEvent> events = new ArrayList<>();
    ServerEvent event;
    do {
      event = take(deadline, timeout, last);
      events.add(event);
    } while (!last.isInstance(event));
    return events;
  }

  /**
   * Hands every event to {@code onEvent} and every malformed message to {@code onMalformed}, in
   * arrival order, on the thread that received it; events that were queued before are handed over
   * first, on the calling thread. Afterwards {@link #next} and its siblings cannot be used.
   * The callbacks must not block (use {@link #closeAsync()}, not {@link #close()}); the next
   * message is asked for when they return. If a callback throws, the connection is aborted and
   * {@link #closed()} reports the exception.
   *
   * @throws IllegalStateException if a listener is already set
   */
  public void listen(
      Consumer<ServerEvent> onEvent, Consumer<MalformedServerMessageException> onMalformed) {
    Objects.requireNonNull(onEvent, "onEvent");
    Objects.requireNonNull(onMalformed, "onMalformed");
    lock.lock();
    try {
      if (eventListener != null) {
        throw new IllegalStateException("a listener is already set");
      }
      eventListener = onEvent;
      malformedListener = onMalformed;
      while (!inbox.isEmpty()) {
        dispatch(inbox.poll());
      }
    } finally {
      lock.unlock();
    }
  }

  /** Stops asking for messages; at most the one already asked for still arrives. */
  public void pauseReading() {
    readingPaused.set(true);
  }

  /** Asks for messages again after {@link #pauseReading()}. */
  public void resumeReading() {
    readingPaused.set(false);
    WebSocket ws = webSocket;
    if (ws != null && demandOwed.compareAndSet(true, false)) {
      ws.request(1);
    }
  }

  private ServerEvent take(long deadlineNanos, Duration timeout,
      Class<? extends ServerEvent> awaited) throws InterruptedException {
    lock.lock();
    try {
      if (eventListener != null) {
        throw new IllegalStateException(
            "events go to the listener set with listen(); they cannot be taken");
      }
      while (inbox.isEmpty()) {
        String what = ServerEventParser.typeName(awaited);
        if (closedState != null) {
          throw new ConnectionClosedException("connection closed (" + closedState.describe()
              + ") while waiting for " + what + "; " + history(), closedState);
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
          throw new EventTimeoutException(
              "no " + what + " within " + Durations.describe(timeout) + "; " + history());
        }
        changed.awaitNanos(remaining);
      }
      Object item = inbox.poll();
      if (item instanceof MalformedServerMessageException malformed) {
        throw malformed.rethrownHere();
      }
      return (ServerEvent) item;
    } finally {
      lock.unlock();
    }
  }

  private String history() {
    return receivedCount == 0 ? "nothing received"
        : receivedCount + " received, the last: " + lastReceived;
  }

  /** Queues or dispatches one parsed message or malformed-message failure. */
  private void deliver(Object item) {
    lock.lock();
    try {
      receivedCount++;
      lastReceived = item;
      if (item instanceof ServerEvent.SessionStart start && sessionStart == null) {
        sessionStart = start;
      }
      if (eventListener == null) {
        inbox.add(item);
        changed.signalAll();
      } else {
        dispatch(item);
      }
    } finally {
      lock.unlock();
    }
  }

  private void dispatch(Object item) {
    try {
      if (item instanceof MalformedServerMessageException malformed) {
        malformedListener.accept(malformed);
      } else {
        eventListener.accept((ServerEvent) item);
      }
    } catch (RuntimeException e) {
      abort("the listener failed on " + item + ": " + e, Optional.of(e));
    }
  }

  /** Asks for the next message part unless reading is paused (then it is owed). */
  private void partHandled(WebSocket ws) {
    demandOwed.set(true);
    if (!readingPaused.get() && demandOwed.compareAndSet(true, false)) {
      ws.request(1);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Closing

  /** Completes when the connection has ended, however it ended; never fails. */
  public CompletableFuture<Closed> closed() {
    return closed.copy();
  }

  /**
   * Sends a normal close (1000) after the pending sends and returns {@link #closed()}, which
   * completes when the server answers with its close.
   */
  public CompletableFuture<Closed> closeAsync() {
    send(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""));
    return closed();
  }

  /** {@link #close(Duration)} with {@link #CLOSE_TIMEOUT}. */
  @Override
  public void close() {
    close(CLOSE_TIMEOUT);
  }

  /**
   * Closes normally and waits for the server's close; aborts the connection if that does not come
   * within {@code timeout}. Returns at once if the connection has already ended.
   */
  public void close(Duration timeout) {
    try {
      closeAsync().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      abort("no close from the server within " + Durations.describe(timeout),
          Optional.empty());
    } catch (InterruptedException e) {
      abort("interrupted while closing", Optional.empty());
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("closed() never fails", e);
    }
  }

  /** Drops the connection at once without a close handshake, as a crashing client would. */
  public void abort() {
    abort("aborted by the client", Optional.empty());
  }

  private void abort(String reason, Optional<Throwable> error) {
    WebSocket ws = webSocket;
    if (ws != null) {
      ws.abort();
    }
    finish(new Closed(ABNORMAL_CLOSURE, reason, error, System.nanoTime()));
  }

  /** Records the end of the connection; only the first call counts. */
  private void finish(Closed end) {
    lock.lock();
    try {
      if (closedState != null) {
        return;
      }
      closedState = end;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    closed.complete(end);
  }

  /** The URI without user info or query, the session id and the state; never the resume token. */
  @Override
  public String toString() {
    Closed end = closed.getNow(null);
    return "GatewayClient[" + uri.getScheme() + "://" + uri.getHost()
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + Objects.toString(uri.getPath(), "")
        + ", session=" + sessionStart().map(ServerEvent.SessionStart::sessionId).orElse("<none>")
        + ", " + (end == null ? "open" : "closed " + end.describe()) + "]";
  }

  private static GatewayConnectException connectFailure(
      URI uri, Duration timeout, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    String prefix = "cannot connect to " + uri + ": ";
    if (cause instanceof WebSocketHandshakeException refused) {
      int status = refused.getResponse().statusCode();
      return new GatewayConnectException(prefix + "the server refused the WebSocket upgrade with"
          + " HTTP " + status, OptionalInt.of(status), cause);
    }
    String problem;
    if (cause instanceof HttpTimeoutException) {
      problem = "no connection within " + Durations.describe(timeout);
    } else if (cause instanceof ConnectException) {
      problem = "connection refused";
    } else {
      problem = cause.toString();
    }
    return new GatewayConnectException(prefix + problem, OptionalInt.empty(), cause);
  }

  /** Turns WebSocket callbacks into events; the JDK calls it for one event at a time. */
  private final class Receiver implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    @Override
    public void onOpen(WebSocket ws) {
      webSocket = ws;
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence part, boolean last) {
      text.append(part);
      if (last) {
        long now = System.nanoTime();
        String message = text.toString();
        text.setLength(0);
        deliver(parse(() -> ServerEventParser.parseText(message, now)));
      }
      partHandled(ws);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer part, boolean last) {
      byte[] bytes = new byte[part.remaining()];
      part.get(bytes);
      binary.writeBytes(bytes);
      if (last) {
        long now = System.nanoTime();
        byte[] message = binary.toByteArray();
        binary.reset();
        deliver(parse(() -> ServerEventParser.parseBinary(message, now)));
      }
      partHandled(ws);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
      partHandled(ws); // the JDK answers with a pong itself
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      lastPongNanos = System.nanoTime();
      partHandled(ws);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      finish(new Closed(statusCode, reason, Optional.empty(), System.nanoTime()));
      return null; // the JDK answers with its close at once
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      finish(new Closed(ABNORMAL_CLOSURE, "connection failed: " + error, Optional.of(error),
          System.nanoTime()));
    }

    private Object parse(Supplier<ServerEvent> parser) {
      try {
        return parser.get();
      } catch (MalformedServerMessageException e) {
        return e;
      }
    }
  }
}
