package io.voicegateway.gateway.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.protocol.AudioTransport;
import io.voicegateway.gateway.protocol.ServerMessages;
import io.voicegateway.gateway.protocol.UtteranceEndReason;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client over real sockets against a scripted Pekko HTTP WebSocket server. */
class GatewayClientTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private static ActorSystem<Void> system;
  private static HttpClient http;
  private ScriptedServer server;

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create(Behaviors.empty(), "gateway-client-test");
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stopSystem() {
    system.terminate();
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** A version 2 gateway in miniature: every text is spoken as {@code frames} frames. */
  private void startSpeakingServer(int frames) throws Exception {
    server = ScriptedServer.start(system,
        c -> c.sendText(ServerMessages.sessionStart("ws-0123456789ab",
            c.binaryAudio() ? AudioTransport.BINARY : AudioTransport.JSON)),
        (c, message) -> {
          String id = message.text().replaceAll(".*\"id\":\"([^\"]*)\".*", "$1");
          c.sendText(ServerMessages.utteranceStart(id));
          for (int i = 0; i < frames; i++) {
            byte[] pcm = ServerEventParserTest.randomFrame(i);
            long seq = c.sequence.incrementAndGet();
            if (c.binaryAudio()) {
              c.sendBinary(ServerMessages.binaryAudio(pcm, seq).toArray());
            } else {
              c.sendText(ServerMessages.audio(pcm, seq));
            }
          }
          c.sendText(ServerMessages.utteranceEnd(id, frames, UtteranceEndReason.COMPLETED));
        });
  }

  private GatewayClient connect(URI uri) {
    return GatewayClient.connect(http, uri).join();
  }

  @Test
  void speaksAnUtteranceWithJsonAudio() throws Exception {
    startSpeakingServer(3);
    try (GatewayClient client = connect(server.uri())) {
      var start = client.expect(ServerEvent.SessionStart.class, WAIT);
      assertEquals("ws-0123456789ab", start.sessionId());
      assertEquals(2, start.protocolVersion());
      assertEquals(AudioTransport.JSON, start.transport());

      var sent = client.sendText("Hello.", "u1").get(5, TimeUnit.SECONDS);
      assertEquals("{\"type\":\"text\",\"text\":\"Hello.\",\"is_final\":true,\"id\":\"u1\"}",
          server.nextConnection().next().text());
      List<ServerEvent> events = client.collectUntil(ServerEvent.UtteranceEnd.class, WAIT);
      assertEquals(List.of("utterance_start", "audio", "audio", "audio", "utterance_end"),
          events.stream().map(ServerEvent::type).toList());
      var first = (ServerEvent.Audio) events.get(1);
      assertEquals(1, first.sequence());
      assertArrayEquals(ServerEventParserTest.randomFrame(0), first.pcm());
      assertTrue(first.receivedNanos() > sent.startedNanos());
    }
  }

  @Test
  void binaryAudioArrivesAsBinaryFrames() throws Exception {
    startSpeakingServer(2);
    try (GatewayClient client = connect(URI.create(server.uri() + "?audio=binary"))) {
      assertEquals(AudioTransport.BINARY,
          client.expect(ServerEvent.SessionStart.class, WAIT).transport());
      client.sendText("Hi.", "b1");
      client.expect(ServerEvent.UtteranceStart.class, WAIT);
      var audio = client.expect(ServerEvent.Audio.class, WAIT);
      assertTrue(audio.binary());
      assertEquals(1, audio.sequence());
      assertArrayEquals(ServerEventParserTest.randomFrame(0), audio.pcm());
      assertEquals(2, client.expect(ServerEvent.Audio.class, WAIT).sequence());
      assertEquals(2, client.expect(ServerEvent.UtteranceEnd.class, WAIT).frames());
    }
  }

  @Test
  void aTextMessageStreamedInPartsArrivesAsOneEvent() throws Exception {
    String json = ServerMessages.workerChanged("u1", "worker_failed");
    server = ScriptedServer.start(system,
        c -> c.sendTextParts(List.of(json.substring(0, 7), json.substring(7, 20),
            json.substring(20))),
        (c, m) -> { });
    try (GatewayClient client = connect(server.uri())) {
      var changed = client.expect(ServerEvent.WorkerChanged.class, WAIT);
      assertEquals("worker_failed", changed.reason());
    }
  }

  @Test
  void everyKindOfSendArrivesAsSent() throws Exception {
    server = ScriptedServer.start(system, c -> { }, (c, m) -> { });
    try (GatewayClient client = connect(server.uri())) {
      var connection = server.nextConnection();
      client.sendControl("PAUSE");
      client.sendRaw("{not json");
      client.sendBinary(new byte[] {'{', '}'});
      client.sendResume("ws-1", "token", 7).get(5, TimeUnit.SECONDS);
      assertEquals("{\"type\":\"control\",\"command\":\"PAUSE\"}", connection.next().text());
      assertEquals("{not json", connection.next().text());
      var binary = connection.next();
      assertArrayEquals(new byte[] {'{', '}'}, binary.bytes());
      assertTrue(connection.next().text().contains("\"resume_token\":\"token\""));
    }
  }

  @Test
  void aServerThatEndsTheStreamClosesNormally() throws Exception {
    server = ScriptedServer.start(system, c -> {
      c.sendText(ServerMessages.sessionStart("ws-1"));
      c.complete();
    }, (c, m) -> { });
    try (GatewayClient client = connect(server.uri())) {
      client.expect(ServerEvent.SessionStart.class, WAIT);
      var closed = client.closed().get(5, TimeUnit.SECONDS);
      assertEquals(1000, closed.statusCode());
      var e = assertThrows(ConnectionClosedException.class,
          () -> client.expect(ServerEvent.SessionEnd.class, WAIT));
      assertTrue(e.getMessage().startsWith("connection closed (1000) while waiting for"
          + " session_end"), e.getMessage());
    }
  }

  @Test
  void aServerFailureClosesWith1011() throws Exception {
    server = ScriptedServer.start(system, c -> c.fail("boom"), (c, m) -> { });
    try (GatewayClient client = connect(server.uri())) {
      assertEquals(1011, client.closed().get(5, TimeUnit.SECONDS).statusCode());
    }
  }

  @Test
  void clientCloseEndsTheConnectionNormally() throws Exception {
    server = ScriptedServer.start(system, c -> { }, (c, m) -> { });
    GatewayClient client = connect(server.uri());
    client.close();
    var closed = client.closed().get(1, TimeUnit.SECONDS);
    assertEquals(1000, closed.statusCode());
    assertEquals(Optional.empty(), closed.error());
  }

  @Test
  void aRefusedUpgradeReportsTheHttpStatus() throws Exception {
    server = ScriptedServer.start(system, c -> { }, (c, m) -> { });
    URI uri = URI.create(server.uri() + "?audio=bogus");
    var e = assertThrows(CompletionException.class, () -> connect(uri));
    var refused = assertInstanceOf(GatewayConnectException.class, e.getCause());
    assertEquals(400, refused.httpStatus().orElseThrow());
    assertEquals("cannot connect to " + uri + ": the server refused the WebSocket upgrade with"
        + " HTTP 400", refused.getMessage());
  }

  @Test
  void nothingListeningIsConnectionRefused() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    URI uri = URI.create("ws://127.0.0.1:" + port + "/");
    var e = assertThrows(CompletionException.class, () -> connect(uri));
    var refused = assertInstanceOf(GatewayConnectException.class, e.getCause());
    assertEquals("cannot connect to " + uri + ": connection refused", refused.getMessage());
    assertTrue(refused.httpStatus().isEmpty());
  }

  @Test
  void aServerThatNeverAnswersTheUpgradeTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      URI uri = URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/");
      var e = assertThrows(CompletionException.class,
          () -> GatewayClient.connect(http, uri, Duration.ofMillis(300)).join());
      var timeout = assertInstanceOf(GatewayConnectException.class, e.getCause());
      assertEquals("cannot connect to " + uri + ": no connection within 300 ms",
          timeout.getMessage());
    }
  }

  @Test
  void aPausedReaderReceivesNothingUntilItResumes() throws Exception {
    server = ScriptedServer.start(system, c -> c.sendText(ServerMessages.sessionStart("ws-1")),
        (c, m) -> {
          for (int i = 0; i < 50; i++) {
            c.sendText(ServerMessages.paused());
          }
        });
    try (GatewayClient client = connect(server.uri())) {
      client.expect(ServerEvent.SessionStart.class, WAIT);
      client.pauseReading();
      client.sendText("go");
      int received = 0;
      try {
        while (true) {
          client.next(Duration.ofMillis(500));
          received++;
        }
      } catch (EventTimeoutException expected) {
        assertTrue(received <= 1, "received " + received + " while paused");
      }
      client.resumeReading();
      for (int i = received; i < 50; i++) {
        client.expect(ServerEvent.Paused.class, WAIT);
      }
    }
  }

  @Test
  void aPausedReaderBacksTheServerUp() throws Exception {
    int messages = 48;
    String filler = "{\"type\":\"filler\",\"data\":\"" + "x".repeat(1 << 20) + "\"}";
    server = ScriptedServer.start(system, c -> { }, (c, m) -> {
      for (int i = 0; i < messages; i++) {
        c.sendText(filler);
      }
    });
    try (GatewayClient client = connect(server.uri())) {
      client.pauseReading();
      client.sendText("flood");
      var connection = server.nextConnection();
      connection.next();
      Thread.sleep(1_000);
      int stuck = connection.pending();
      assertTrue(stuck > 10, "only " + stuck + " of " + messages + " 1 MiB messages still queued"
          + " on the server: the paused client went on reading");
      client.resumeReading();
      for (int i = 0; i < messages; i++) {
        assertEquals("filler", client.expect(ServerEvent.Unknown.class, WAIT).type());
      }
      assertEquals(0, connection.pending());
    }
  }

  @Test
  void manyListeningClientsShareOneHttpClient() throws Exception {
    int clients = 100;
    startSpeakingServer(5);
    ConcurrentHashMap<String, List<ServerEvent>> bySession = new ConcurrentHashMap<>();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    List<GatewayClient> open = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      GatewayClient client = connect(server.uri());
      open.add(client);
      String key = "c" + i;
      List<ServerEvent> events = new ArrayList<>();
      bySession.put(key, events);
      CompletableFuture<Void> finished = new CompletableFuture<>();
      done.add(finished);
      client.listen(event -> {
        events.add(event);
        if (event instanceof ServerEvent.UtteranceEnd) {
          finished.complete(null);
        }
      }, finished::completeExceptionally);
      client.sendText("Hello.", key);
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    for (var events : bySession.values()) {
      assertEquals(List.of("session_start", "utterance_start", "audio", "audio", "audio", "audio",
          "audio", "utterance_end"), events.stream().map(ServerEvent::type).toList());
    }
    CompletableFuture.allOf(open.stream().map(GatewayClient::closeAsync)
        .toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
  }
}
