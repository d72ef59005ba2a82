package io.voicegateway.gateway.testkit;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.handleWebSocketMessages;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RawWebSocket} against Pekko HTTP's WebSocket server, the server the gateway runs on: an
 * echo route, a route that streams one message in parts, and a refused upgrade.
 */
class RawWebSocketPekkoTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private static ActorSystem<Void> system;
  private static ServerBinding binding;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "raw-websocket-test");
    Flow<Message, Message, ?> echo = Flow.<Message>create();
    Flow<Message, Message, ?> streamed = Flow.fromSinkAndSourceCoupled(Sink.ignore(),
        Source.single((Message) TextMessage.create(Source.from(List.of("ab", "cd", "ef"))))
            .concat(Source.never()));
    binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(concat(
            path("refuse", () -> complete(StatusCodes.BAD_REQUEST, "no, thanks")),
            path("streamed", () -> handleWebSocketMessages(streamed)),
            handleWebSocketMessages(echo)))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static URI uri(String path) {
    return URI.create("ws://127.0.0.1:" + binding.localAddress().getPort() + path);
  }

  @Test
  void textAndBinaryAreEchoed() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(uri("/"), WAIT)) {
      ws.sendText("héllo ✓");
      assertEquals("héllo ✓", ws.readMessage(WAIT).text());
      ws.sendBinary(new byte[] {0, 1, 2});
      var binary = ws.readMessage(WAIT);
      assertEquals(RawWebSocket.BINARY, binary.opcode());
      assertArrayEquals(new byte[] {0, 1, 2}, binary.payload());
    }
  }

  @Test
  void aTwoMebibyteFrameInThe64BitFormIsEchoed() throws Exception {
    byte[] big = new byte[2 * 1024 * 1024];
    new Random(2).nextBytes(big);
    try (RawWebSocket ws = RawWebSocket.connect(uri("/"), WAIT)) {
      ws.sendBinary(big);
      assertArrayEquals(big, ws.readMessage(WAIT).payload());
    }
  }

  @Test
  void aFragmentedTextIsOneMessage() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(uri("/"), WAIT)) {
      ws.sendFragmented(RawWebSocket.TEXT, "fragmented text".getBytes(StandardCharsets.UTF_8), 4);
      assertEquals("fragmented text", ws.readMessage(WAIT).text());
    }
  }

  @Test
  void invalidUtf8InATextFrameIsClosedWith1007() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(uri("/"), WAIT)) {
      ws.sendFrame(true, RawWebSocket.TEXT, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
      assertEquals(1007, ws.awaitClose(WAIT).closeCode());
    }
  }

  @Test
  void aPingIsAnsweredWithAPongOfTheSamePayload() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(uri("/"), WAIT)) {
      ws.sendPing(new byte[] {4, 2});
      assertEquals(new RawWebSocket.Frame(true, RawWebSocket.PONG, new byte[] {4, 2}),
          ws.readFrame(WAIT));
    }
  }

  @Test
  void aClientCloseIsAnsweredWithTheSameCode() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(uri("/"), WAIT)) {
      ws.sendClose(1000, "done");
      assertEquals(1000, ws.awaitClose(WAIT).closeCode());
    }
  }

  @Test
  void aStreamedServerMessageArrivesInSeveralFrames() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(uri("/streamed"), WAIT)) {
      var first = ws.readFrame(WAIT);
      assertEquals(RawWebSocket.TEXT, first.opcode());
      assertFalse(first.fin());
      StringBuilder text = new StringBuilder(first.text());
      RawWebSocket.Frame frame;
      do {
        frame = ws.readFrame(WAIT);
        assertEquals(RawWebSocket.CONTINUATION, frame.opcode());
        text.append(frame.text());
      } while (!frame.fin());
      assertEquals("abcdef", text.toString());
    }
  }

  @Test
  void aRefusedUpgradeShowsStatusAndBody() {
    var e = assertThrows(RawWebSocket.UpgradeRefusedException.class,
        () -> RawWebSocket.connect(uri("/refuse"), WAIT));
    assertEquals(400, e.status());
    assertEquals("no, thanks", e.body());
    assertTrue(e.getMessage().startsWith("upgrade refused: HTTP/1.1 400 Bad Request"),
        e.getMessage());
  }
}
