package io.voicegateway.gateway.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.protocol.AudioTransport;
import io.voicegateway.gateway.protocol.ClientMessage;
import io.voicegateway.gateway.protocol.ErrorCode;
import io.voicegateway.gateway.protocol.ServerMessages;
import io.voicegateway.gateway.protocol.SessionEndReason;
import io.voicegateway.gateway.protocol.UtteranceEndReason;
import java.io.IOException;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's receiving, flow control, sending queue and closing, driven through its WebSocket
 * listener with a fake {@link WebSocket}: deterministic, no sockets.
 */
class GatewayClientReceiveTest {

  private static final Duration SHORT = Duration.ofMillis(50);
  private static final Duration LONG = Duration.ofSeconds(5);

  private FakeWebSocket ws;
  private GatewayClient client;
  private WebSocket.Listener listener;

  @BeforeEach
  void open() {
    ws = new FakeWebSocket();
    client = GatewayClient.unconnected(URI.create("ws://127.0.0.1:8080/tts?audio=json"));
    listener = client.listener();
    listener.onOpen(ws);
  }

  private void text(String message) {
    listener.onText(ws, message, true);
  }

  @Test
  void textInSeveralPartsIsJoinedAndStampedWhenTheLastPartArrives() throws Exception {
    String json = ServerMessages.utteranceEnd("u1", 57, UtteranceEndReason.COMPLETED);
    listener.onText(ws, json.substring(0, 10), false);
    listener.onText(ws, json.substring(10, 30), false);
    assertThrows(EventTimeoutException.class, () -> client.next(SHORT));
    long before = System.nanoTime();
    listener.onText(ws, json.substring(30), true);
    long after = System.nanoTime();
    var end = client.expect(ServerEvent.UtteranceEnd.class, LONG);
    assertEquals("u1", end.id());
    assertEquals(57, end.frames());
    assertTrue(end.receivedNanos() >= before && end.receivedNanos() <= after);
  }

  @Test
  void binaryInSeveralPartsIsJoined() throws Exception {
    byte[] pcm = ServerEventParserTest.randomFrame(7);
    byte[] wire = ServerMessages.binaryAudio(pcm, 9).toArray();
    listener.onBinary(ws, ByteBuffer.wrap(wire, 0, 5), false);
    listener.onBinary(ws, ByteBuffer.wrap(wire, 5, wire.length - 5), true);
    var audio = client.expect(ServerEvent.Audio.class, LONG);
    assertEquals(9, audio.sequence());
    assertArrayEquals(pcm, audio.pcm());
    assertTrue(audio.binary());
  }

  @Test
  void everyPartHandledAsksForTheNextUnlessReadingIsPaused() {
    assertEquals(1, ws.requested, "onOpen asks for the first message");
    listener.onText(ws, "{\"type\":", false);
    listener.onText(ws, "\"paused\"}", true);
    listener.onPing(ws, ByteBuffer.allocate(0));
    assertEquals(4, ws.requested);

    client.pauseReading();
    text(ServerMessages.resumed()); // the one already asked for still arrives
    assertEquals(4, ws.requested);
    client.pauseReading();
    assertEquals(4, ws.requested);

    client.resumeReading();
    assertEquals(5, ws.requested, "the owed request is made once");
    client.resumeReading();
    assertEquals(5, ws.requested);
    text(ServerMessages.clear());
    assertEquals(6, ws.requested);
  }

  @Test
  void aMalformedMessageFailsAtItsPlaceAndLaterEventsSurvive() throws Exception {
    text(ServerMessages.paused());
    text("{\"type\":\"audio\"}");
    text(ServerMessages.resumed());
    client.expect(ServerEvent.Paused.class, LONG);
    var e = assertThrows(MalformedServerMessageException.class, () -> client.next(LONG));
    assertEquals("audio message: missing field \"pcm\"", e.problem());
    assertInstanceOf(MalformedServerMessageException.class, e.getCause(),
        "the original, with the receiving thread's stack, is the cause");
    client.expect(ServerEvent.Resumed.class, LONG);
  }

  @Test
  void timeoutNamesWhatWasAwaitedAndWhatCameLast() throws Exception {
    var none = assertThrows(EventTimeoutException.class,
        () -> client.expect(ServerEvent.UtteranceEnd.class, SHORT));
    assertEquals("no utterance_end within 50 ms; nothing received", none.getMessage());

    text(ServerMessages.utteranceStart("u7"));
    client.next(LONG);
    var after = assertThrows(EventTimeoutException.class, () -> client.next(SHORT));
    assertTrue(after.getMessage().startsWith("no server event within 50 ms; 1 received, the last:"
        + " UtteranceStart[id=u7"), after.getMessage());
  }

  @Test
  void expectShowsTheUnexpectedEvent() {
    text(ServerMessages.error(ErrorCode.TEXT_TOO_LONG, "text has 6000 characters"));
    var e = assertThrows(UnexpectedEventException.class,
        () -> client.expect(ServerEvent.UtteranceStart.class, LONG));
    assertTrue(e.getMessage().startsWith("expected utterance_start but got Error[code="
        + "TEXT_TOO_LONG, message=text has 6000 characters"), e.getMessage());
    assertInstanceOf(ServerEvent.Error.class, e.event());
  }

  @Test
  void collectUntilReturnsEverythingUpToAndIncludingTheAwaitedType() throws Exception {
    text(ServerMessages.utteranceStart("u1"));
    text(ServerMessages.audio(ServerEventParserTest.randomFrame(1), 1));
    text(ServerMessages.audio(ServerEventParserTest.randomFrame(2), 2));
    text(ServerMessages.utteranceEnd("u1", 2, UtteranceEndReason.COMPLETED));
    text(ServerMessages.paused());
    List<ServerEvent> events = client.collectUntil(ServerEvent.UtteranceEnd.class, LONG);
    assertEquals(List.of("utterance_start", "audio", "audio", "utterance_end"),
        events.stream().map(ServerEvent::type).toList());
    client.expect(ServerEvent.Paused.class, LONG);
  }

  @Test
  void queuedEventsAreTakenBeforeTheCloseIsReported() throws Exception {
    text(ServerMessages.sessionEnd("ws-1", SessionEndReason.IDLE_TIMEOUT));
    listener.onClose(ws, 1000, "bye");
    var closed = client.closed().get(1, TimeUnit.SECONDS);
    assertEquals(1000, closed.statusCode());
    assertEquals("bye", closed.reason());
    assertEquals(Optional.empty(), closed.error());

    assertEquals("idle_timeout", client.expect(ServerEvent.SessionEnd.class, LONG).reason());
    var e = assertThrows(ConnectionClosedException.class,
        () -> client.expect(ServerEvent.Audio.class, LONG));
    assertTrue(e.getMessage().startsWith("connection closed (1000 \"bye\") while waiting for"
        + " audio; 1 received"), e.getMessage());
    assertEquals(closed, e.closed());
  }

  @Test
  void aBrokenConnectionIsAnAbnormalClosureWithTheError() throws Exception {
    IOException reset = new IOException("connection reset");
    listener.onError(ws, reset);
    var closed = client.closed().get(1, TimeUnit.SECONDS);
    assertEquals(GatewayClient.ABNORMAL_CLOSURE, closed.statusCode());
    assertSame(reset, closed.error().orElseThrow());
    var e = assertThrows(ConnectionClosedException.class, () -> client.next(LONG));
    assertSame(reset, e.getCause());
  }

  @Test
  void listenerGetsQueuedEventsFirstThenNewOnesAndMalformedOnesSeparately() {
    List<String> seen = new CopyOnWriteArrayList<>();
    text(ServerMessages.paused());
    text("not json");
    client.listen(event -> seen.add(event.type()),
        malformed -> seen.add("malformed: " + malformed.problem()));
    text(ServerMessages.resumed());
    assertEquals(3, seen.size(), seen.toString());
    assertEquals("paused", seen.get(0));
    assertTrue(seen.get(1).startsWith("malformed: invalid JSON at line 1, column 4"),
        seen.get(1));
    assertEquals("resumed", seen.get(2));
    assertThrows(IllegalStateException.class, () -> client.next(SHORT));
    assertThrows(IllegalStateException.class, () -> client.listen(e -> { }, e -> { }));
  }

  @Test
  void aFailingListenerAbortsTheConnection() throws Exception {
    RuntimeException bug = new IllegalStateException("bug in the benchmark");
    client.listen(event -> {
      throw bug;
    }, malformed -> { });
    text(ServerMessages.clear());
    var closed = client.closed().get(1, TimeUnit.SECONDS);
    assertEquals(GatewayClient.ABNORMAL_CLOSURE, closed.statusCode());
    assertSame(bug, closed.error().orElseThrow());
    assertTrue(closed.reason().contains("Clear["), closed.reason());
    assertTrue(ws.aborted);
  }

  @Test
  void sendsRunOneAtATimeInCallOrderAndAFailureDoesNotStopLaterOnes() throws Exception {
    ws.completeSendsAtOnce = false;
    var first = client.sendText("one");
    var second = client.sendControl("PAUSE");
    var third = client.sendBinary(new byte[] {1, 2});
    assertEquals(List.of("{\"type\":\"text\",\"text\":\"one\",\"is_final\":true}"), ws.sent);

    ws.pending.get(0).completeExceptionally(new IOException("broken pipe"));
    assertTrue(first.isCompletedExceptionally());
    assertEquals(2, ws.sent.size());
    assertEquals("{\"type\":\"control\",\"command\":\"PAUSE\"}", ws.sent.get(1));
    assertFalse(second.isDone());

    ws.pending.get(1).complete(ws);
    var sent = second.get(1, TimeUnit.SECONDS);
    assertTrue(sent.startedNanos() <= sent.completedNanos());
    assertEquals(List.of("binary 2 bytes"), ws.sent.subList(2, 3));
    ws.pending.get(2).complete(ws);
    assertTrue(third.get(1, TimeUnit.SECONDS).startedNanos() >= sent.completedNanos());
  }

  @Test
  void aCallerCompletingItsFutureDoesNotStartTheNextSendEarly() {
    ws.completeSendsAtOnce = false;
    client.sendRaw("a").complete(new GatewayClient.Sent(0, 0));
    client.sendRaw("b");
    assertEquals(List.of("a"), ws.sent);
  }

  @Test
  void thousandsOfQueuedSendsThatCompleteAtOnceDoNotOverflowTheStack() throws Exception {
    ws.completeSendsAtOnce = false;
    var gate = client.sendRaw("first");
    List<CompletableFuture<GatewayClient.Sent>> rest = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      rest.add(client.sendRaw("m" + i));
    }
    ws.completeSendsAtOnce = true;
    ws.pending.get(0).complete(ws);
    gate.get(1, TimeUnit.SECONDS);
    rest.get(rest.size() - 1).get(5, TimeUnit.SECONDS);
    assertEquals(20_001, ws.sent.size());
    assertEquals("m19999", ws.sent.get(20_000));
  }

  @Test
  void textMessagesAreTheProtocolsJson() {
    client.sendText("Hello, \"world\".", "greeting-1");
    client.sendControl(ClientMessage.Command.STOP);
    client.sendResume("ws-3f9a0c12be47", "tok", 120);
    assertEquals(List.of(
        "{\"type\":\"text\",\"text\":\"Hello, \\\"world\\\".\",\"is_final\":true,"
            + "\"id\":\"greeting-1\"}",
        "{\"type\":\"control\",\"command\":\"STOP\"}",
        "{\"type\":\"resume\",\"session_id\":\"ws-3f9a0c12be47\",\"resume_token\":\"tok\","
            + "\"last_sequence\":120}"), ws.sent);
  }

  @Test
  void toStringShowsTheSessionButNeverTheResumeTokenOrQuery() {
    String token = "RESUME-TOKEN-0123456789abcdefghijklmnopqrstu";
    text(ServerMessages.sessionStart("ws-3f9a0c12be47", AudioTransport.JSON, Optional.of(token)));
    assertEquals("ws-3f9a0c12be47", client.sessionStart().orElseThrow().sessionId());
    String shown = client.toString();
    assertEquals("GatewayClient[ws://127.0.0.1:8080/tts, session=ws-3f9a0c12be47, open]", shown);
    listener.onClose(ws, 1001, "going away");
    assertTrue(client.toString().endsWith("closed 1001 \"going away\"]"), client.toString());
    assertFalse(client.toString().contains(token));
  }

  @Test
  void closeSendsANormalCloseAndAbortsIfTheServerNeverAnswers() {
    long start = System.nanoTime();
    client.close(Duration.ofMillis(200));
    assertEquals(List.of("close 1000"), ws.sent);
    assertTrue(ws.aborted);
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos());
    var closed = client.closed().join();
    assertEquals(GatewayClient.ABNORMAL_CLOSURE, closed.statusCode());
    assertEquals("no close from the server within 200 ms", closed.reason());
  }

  @Test
  void closeReturnsWhenTheServerAnswers() {
    ws.onClose = () -> listener.onClose(ws, 1000, "");
    client.close();
    assertFalse(ws.aborted);
    assertEquals(1000, client.closed().join().statusCode());
  }

  /** Records what the client does with its WebSocket. */
  private static final class FakeWebSocket implements WebSocket {
    final List<String> sent = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<WebSocket>> pending = new CopyOnWriteArrayList<>();
    volatile boolean completeSendsAtOnce = true;
    volatile int requested;
    volatile boolean aborted;
    volatile Runnable onClose = () -> { };

    private CompletableFuture<WebSocket> record(String what) {
      sent.add(what);
      CompletableFuture<WebSocket> done = new CompletableFuture<>();
      pending.add(done);
      if (completeSendsAtOnce) {
        done.complete(this);
      }
      return done;
    }

    @Override
    public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
      return record(data.toString());
    }

    @Override
    public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
      return record("binary " + data.remaining() + " bytes");
    }

    @Override
    public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
      return record("ping");
    }

    @Override
    public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
      return record("pong");
    }

    @Override
    public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
      CompletableFuture<WebSocket> done = record("close " + statusCode);
      onClose.run();
      return done;
    }

    @Override
    public void request(long n) {
      requested += (int) n;
    }

    @Override
    public String getSubprotocol() {
      return "";
    }

    @Override
    public boolean isOutputClosed() {
      return false;
    }

    @Override
    public boolean isInputClosed() {
      return false;
    }

    @Override
    public void abort() {
      aborted = true;
    }
  }
}
