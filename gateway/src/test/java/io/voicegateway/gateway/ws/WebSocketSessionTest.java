package io.voicegateway.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket protocol end to end (WIRE.md §4, docs/PROTOCOL.md): a real gateway node, a real
 * Redis, a real worker speaking {@code mock-440hz} (25 frames of 440 Hz per text).
 */
public class WebSocketSessionTest {

  static final Duration WAIT = GatewayFixture.WAIT;
  static final int MOCK_FRAMES = 25;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static GatewayFixture fixture;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    fixture = GatewayFixture.start("mock-440hz", "");
    fixture.awaitWorkers(1);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  static GatewayClient connect(GatewayFixture f, String query) throws Exception {
    return GatewayClient.connect(http, f.wsUri(query)).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aClientKnowingOnlyWire4GetsSessionStartThenAudioNumberedFrom1AcrossUtterances()
      throws Exception {
    // a bare JDK WebSocket reading raw JSON, as the existing Python clients do
    BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    WebSocket ws = http.newWebSocketBuilder().buildAsync(fixture.wsUri(""), new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence part, boolean last) {
        text.append(part);
        if (last) {
          messages.add(text.toString());
          text.setLength(0);
        }
        w.request(1);
        return null;
      }
    }).get(30, TimeUnit.SECONDS);
    try {
      JsonNode start = JSON.readTree(messages.poll(30, TimeUnit.SECONDS));
      assertEquals("session_start", start.get("type").asText());
      assertTrue(start.get("session_id").asText().matches("ws-[0-9a-f]{12}"), start.toString());

      ws.sendText("{\"type\":\"text\",\"text\":\"Hello.\",\"is_final\":true}", true).join();
      ws.sendText("{\"type\":\"text\",\"text\":\"Again.\"}", true).join();
      long expected = 1;
      ByteArrayBuilder pcm = new ByteArrayBuilder();
      while (expected <= 2 * MOCK_FRAMES) {
        String raw = messages.poll(30, TimeUnit.SECONDS);
        assertTrue(raw != null, "audio frame " + expected + " did not arrive");
        JsonNode m = JSON.readTree(raw);
        if (!m.get("type").asText().equals("audio")) continue; // v2 events: ignored by v1 clients
        byte[] frame = Base64.getDecoder().decode(m.get("pcm").asText());
        assertEquals(1920, frame.length);
        assertEquals(48000, m.get("sample_rate").asInt());
        assertEquals(20, m.get("frame_ms").asInt());
        assertEquals(expected++, m.get("sequence").asLong(), raw.substring(0, 40));
        pcm.add(frame);
      }
      double hz = dominantFrequency(pcm.bytes(), 48000);
      assertTrue(Math.abs(hz - 440) < 5, "the mock tone is 440 Hz, measured " + hz);
    } finally {
      ws.abort();
    }
  }

  @Test
  void version2EventsFrameEachUtteranceAndClientIdsAreEchoed() throws Exception {
    try (GatewayClient c = connect(fixture, "")) {
      ServerEvent.SessionStart start = c.expect(ServerEvent.SessionStart.class, WAIT);
      assertEquals(2, start.protocolVersion());
      c.sendText("Hello.", "greeting-1");
      List<ServerEvent> events = c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT);
      assertEquals("greeting-1", ((ServerEvent.UtteranceStart) events.get(0)).id());
      ServerEvent.UtteranceEnd end = (ServerEvent.UtteranceEnd) events.get(events.size() - 1);
      assertEquals("greeting-1", end.id());
      assertEquals(MOCK_FRAMES, end.frames());
      assertEquals("completed", end.reason());
      assertContiguous(1, audio(events), MOCK_FRAMES);
    }
  }

  @Test
  void pauseStopsAudioAtOnceAndResumeContinuesTheSequenceWithoutAGap() throws Exception {
    try (GatewayClient c = connect(fixture, "")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      c.sendText("Pause me.");
      List<ServerEvent> events = new ArrayList<>();
      while (audio(events).size() < 3) events.add(c.next(WAIT));
      c.sendControl("PAUSE");
      events.addAll(c.collectUntil(ServerEvent.Paused.class, WAIT));
      long beforePause = audio(events).size();
      assertTrue(beforePause < MOCK_FRAMES, "paused before the utterance ended");
      // nothing follows paused until RESUME
      assertThrowsTimeout(c, Duration.ofMillis(500));

      c.sendControl("RESUME");
      List<ServerEvent> rest = c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT);
      assertTrue(rest.get(0) instanceof ServerEvent.Resumed, "resumed first: " + rest.get(0));
      events.addAll(rest);
      assertContiguous(1, audio(events), MOCK_FRAMES);
      assertEquals("completed", ((ServerEvent.UtteranceEnd) rest.get(rest.size() - 1)).reason());
    }
  }

  @Test
  void stopClearsEndsTheUtteranceAndTheQueueAndNoFrameOfItFollows() throws Exception {
    try (GatewayClient c = connect(fixture, "")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      c.sendText("one", "a");
      c.sendText("two", "b");
      c.sendText("three", "c");
      List<ServerEvent> events = new ArrayList<>();
      while (audio(events).size() < 3) events.add(c.next(WAIT));
      c.sendControl("STOP");
      events.addAll(c.collectUntil(ServerEvent.Clear.class, WAIT));
      long sent = audio(events).size();
      ServerEvent.UtteranceEnd a = c.expect(ServerEvent.UtteranceEnd.class, WAIT);
      assertEquals("a", a.id());
      assertEquals("stopped", a.reason());
      assertEquals(sent, a.frames(), "frames counts what the client got");
      assertEquals("b", c.expect(ServerEvent.UtteranceEnd.class, WAIT).id());
      ServerEvent.UtteranceEnd last = c.expect(ServerEvent.UtteranceEnd.class, WAIT);
      assertEquals("c", last.id());
      assertEquals(0, last.frames());
      assertThrowsTimeout(c, Duration.ofMillis(500)); // no frame of a stopped utterance

      c.sendText("after stop", "d");
      List<ServerEvent> next = c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT);
      assertContiguous(sent + 1, audio(next), MOCK_FRAMES);
    }
  }

  @Test
  void binaryTransportSendsAudioAsBinaryFramesWithTheSameNumbering() throws Exception {
    try (GatewayClient c = connect(fixture, "?audio=binary")) {
      ServerEvent.SessionStart start = c.expect(ServerEvent.SessionStart.class, WAIT);
      assertEquals("binary", start.transport().wireName());
      c.sendText("binary");
      List<ServerEvent.Audio> frames = audio(c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT));
      assertContiguous(1, frames, MOCK_FRAMES);
      assertTrue(frames.stream().allMatch(ServerEvent.Audio::binary));
    }
  }

  @Test
  void aBadAudioOptionIsRefusedWith400AndAPlainGetIsNotASession() throws Exception {
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + fixture.gateway.wsPort() + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode(), "GET / is the browser client");
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(page.body().contains("app.js"), page.body());
    HttpResponse<String> script = http.send(HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + fixture.gateway.wsPort() + "/app.js")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, script.statusCode());
    assertTrue(script.headers().firstValue("Content-Type").orElse("").contains("javascript"),
        "ES modules need a JavaScript MIME type: " + script.headers().map());

    int before = fixture.gateway.metrics().activeSessions();
    HttpResponse<String> other = http.send(HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + fixture.gateway.wsPort() + "/tts")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(404, other.statusCode(), "a plain GET on another path is not a session");
    assertEquals(before, fixture.gateway.metrics().activeSessions());

    Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> connect(fixture, "?audio=mp3"));
    assertTrue(String.valueOf(refused.getMessage()).contains("400")
        || String.valueOf(refused.getCause()).contains("400"), refused.toString());
  }

  @Test
  void anyPathIsASession() throws Exception {
    try (GatewayClient c = connect(fixture, "tts/v1?x=1")) {
      assertTrue(c.expect(ServerEvent.SessionStart.class, WAIT).sessionId().startsWith("ws-"));
    }
  }

  // ---------------------------------------------------------------- helpers

  static List<ServerEvent.Audio> audio(List<ServerEvent> events) {
    return events.stream().filter(e -> e instanceof ServerEvent.Audio)
        .map(e -> (ServerEvent.Audio) e).toList();
  }

  static void assertContiguous(long first, List<ServerEvent.Audio> frames, int count) {
    assertEquals(count, frames.size(), "frames");
    for (int i = 0; i < frames.size(); i++) {
      assertEquals(first + i, frames.get(i).sequence(), "sequence at " + i);
      assertEquals(1920, frames.get(i).pcm().length);
    }
  }

  /** No event arrives within {@code quiet}. */
  static void assertThrowsTimeout(GatewayClient c, Duration quiet) throws Exception {
    try {
      ServerEvent e = c.next(quiet);
      throw new AssertionError("expected nothing, got " + e);
    } catch (io.voicegateway.gateway.client.EventTimeoutException expected) {
      // quiet as required
    }
  }

  /** Frequency from zero crossings of s16le mono PCM. */
  public static double dominantFrequency(byte[] pcm, int rate) {
    int n = pcm.length / 2;
    int crossings = 0;
    short prev = 0;
    for (int i = 0; i < n; i++) {
      short s = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
      if (i > 0 && (prev < 0) != (s < 0)) crossings++;
      prev = s;
    }
    return crossings / 2.0 / ((double) n / rate);
  }

  static final class ByteArrayBuilder {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    void add(byte[] b) {
      out.writeBytes(b);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  static byte[] concat(List<ServerEvent.Audio> frames) {
    ByteArrayBuilder b = new ByteArrayBuilder();
    frames.forEach(f -> b.add(f.pcm()));
    return b.bytes();
  }
}
