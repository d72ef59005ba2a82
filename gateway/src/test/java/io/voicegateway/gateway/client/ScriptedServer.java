package io.voicegateway.gateway.client;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractUri;
import static org.apache.pekko.http.javadsl.server.Directives.handleWebSocketMessages;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A Pekko HTTP WebSocket server that stands in for the gateway: a test scripts what it sends when
 * a client connects and when a message arrives. Any path is a WebSocket endpoint; a query with
 * {@code audio=bogus} is refused with HTTP 400, as the gateway refuses a bad {@code audio} value.
 */
final class ScriptedServer implements AutoCloseable {

  /** A message from the client, text or binary. */
  record Received(String text, byte[] bytes) {
    boolean isText() {
      return text != null;
    }
  }

  /** One client connection as the server sees it. */
  static final class Connection {
    private final Optional<String> rawQuery;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** For scripts that number audio frames: the last sequence sent on this connection. */
    final AtomicLong sequence = new AtomicLong();
    private volatile BoundedSourceQueue<Message> out;

    private Connection(Optional<String> rawQuery) {
      this.rawQuery = rawQuery;
    }

    Optional<String> rawQuery() {
      return rawQuery;
    }

    boolean binaryAudio() {
      return rawQuery.map(q -> q.contains("audio=binary")).orElse(false);
    }

    void sendText(String text) {
      offer(TextMessage.create(text));
    }

    /** One text message sent as a stream of parts (each becomes a WebSocket frame). */
    void sendTextParts(List<String> parts) {
      offer(TextMessage.create(Source.from(parts)));
    }

    void sendBinary(byte[] bytes) {
      offer(BinaryMessage.create(ByteString.fromArray(bytes)));
    }

    /** Messages queued on the server that the WebSocket has not taken yet (backpressure). */
    int pending() {
      return out.size();
    }

    /** Ends the stream: Pekko closes the WebSocket normally (1000). */
    void complete() {
      out.complete();
    }

    /** Fails the stream: Pekko closes the WebSocket with 1011. */
    void fail(String why) {
      out.fail(new IllegalStateException(why));
    }

    /** The next message from the client. */
    Received next() throws InterruptedException {
      Received r = received.poll(5, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("the client sent nothing within 5 s");
      }
      return r;
    }

    private void offer(Message message) {
      QueueOfferResult result = out.offer(message);
      if (result != QueueOfferResult.enqueued()) {
        throw new IllegalStateException("server could not queue a message: " + result);
      }
    }
  }

  private final ServerBinding binding;
  private final BlockingQueue<Connection> connections = new LinkedBlockingQueue<>();

  private ScriptedServer(ActorSystem<?> system, Consumer<Connection> onConnect,
      BiConsumer<Connection, Received> onMessage) throws Exception {
    Materializer mat = Materializer.matFromSystem(system);
    binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(extractUri(uri -> uri.rawQueryString().filter(q -> q.contains("audio=bogus"))
            .isPresent()
            ? complete(StatusCodes.BAD_REQUEST, "query parameter audio must be json or binary")
            : handleWebSocketMessages(flow(uri.rawQueryString(), onConnect, onMessage, mat))))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * @param onConnect runs when a client connects, e.g. to send {@code session_start}
   * @param onMessage runs for every message from the client, in order
   */
  static ScriptedServer start(ActorSystem<?> system, Consumer<Connection> onConnect,
      BiConsumer<Connection, Received> onMessage) throws Exception {
    return new ScriptedServer(system, onConnect, onMessage);
  }

  URI uri() {
    return URI.create("ws://127.0.0.1:" + binding.localAddress().getPort() + "/");
  }

  /** The next connection a client opened. */
  Connection nextConnection() throws InterruptedException {
    Connection c = connections.poll(5, TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError("no client connected within 5 s");
    }
    return c;
  }

  @Override
  public void close() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Flow<Message, Message, NotUsed> flow(Optional<String> rawQuery,
      Consumer<Connection> onConnect, BiConsumer<Connection, Received> onMessage,
      Materializer mat) {
    Connection connection = new Connection(rawQuery);
    Sink<Message, ?> in = Flow.<Message>create()
        .mapAsync(1, message -> strict(message, mat))
        .to(Sink.foreach(r -> {
          connection.received.add(r);
          onMessage.accept(connection, r);
        }));
    Source<Message, NotUsed> out = Source.<Message>queue(1024)
        .mapMaterializedValue(queue -> {
          connection.out = queue;
          connections.add(connection);
          onConnect.accept(connection);
          return NotUsed.getInstance();
        });
    return Flow.fromSinkAndSourceCoupled(in, out);
  }

  private static CompletionStage<Received> strict(Message message, Materializer mat) {
    if (message.isText()) {
      return message.asTextMessage().toStrict(5_000, mat).thenApply(t -> new Received(t.text(),
          null));
    }
    return message.asBinaryMessage().toStrict(5_000, mat)
        .thenApply(b -> new Received(null, b.data().toArray()));
  }
}
