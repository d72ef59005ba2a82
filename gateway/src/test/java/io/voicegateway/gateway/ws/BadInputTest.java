package io.voicegateway.gateway.ws;

import static io.voicegateway.gateway.ws.WebSocketSessionTest.MOCK_FRAMES;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.WAIT;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.assertContiguous;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.audio;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import io.voicegateway.gateway.testkit.RawWebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bad input gets an {@code error} naming the problem, and the session goes on: afterwards a
 * text is still spoken, with the sequence continuing. Real gateway, Redis and worker.
 */
class BadInputTest {

  private static GatewayFixture fixture;

  @BeforeAll
  static void start() {
    fixture = GatewayFixture.start("mock-440hz", "voicegw.gateway.protocol.max-text-length = 100");
    fixture.awaitWorkers(1);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  /** Sends {@code raw}, expects an error with {@code code} whose message contains {@code says}. */
  private static void refused(GatewayClient c, String raw, String code, String says)
      throws Exception {
    c.sendRaw(raw);
    ServerEvent.Error e = c.expect(ServerEvent.Error.class, WAIT);
    assertEquals(code, e.code(), raw + " → " + e);
    assertTrue(e.message().contains(says), raw + " → " + e.message());
  }

  private static void stillSpeaks(GatewayClient c, long firstSequence) throws Exception {
    c.sendText("still here");
    assertContiguous(firstSequence,
        audio(c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT)), MOCK_FRAMES);
  }

  @Test
  void eachMalformedMessageIsNamedAndTheSessionContinues() throws Exception {
    try (GatewayClient c = connect(fixture, "")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      refused(c, "{\"type\":\"text\",", "INVALID_MESSAGE", "invalid JSON");
      refused(c, "[1,2]", "INVALID_MESSAGE", "expected a JSON object, got an array");
      refused(c, "{\"type\":\"sing\"}", "INVALID_MESSAGE", "unknown type \"sing\"");
      refused(c, "{\"text\":\"hi\"}", "INVALID_MESSAGE", "missing field \"type\"");
      refused(c, "{\"type\":\"text\"}", "INVALID_MESSAGE", "missing field \"text\"");
      refused(c, "{\"type\":\"text\",\"text\":\"\"}", "INVALID_MESSAGE", "\"text\" is empty");
      refused(c, "{\"type\":\"text\",\"text\":\"  \\n \"}", "INVALID_MESSAGE", "only whitespace");
      refused(c, "{\"type\":\"text\",\"text\":\"" + "a".repeat(101) + "\"}", "TEXT_TOO_LONG",
          "100");
      refused(c, "{\"type\":\"control\",\"command\":\"REWIND\"}", "INVALID_MESSAGE",
          "unknown command \"REWIND\"");
      c.sendBinary(new byte[] {1, 2, 3});
      ServerEvent.Error binary = c.expect(ServerEvent.Error.class, WAIT);
      assertTrue(binary.message().contains("binary frames are not accepted"), binary.message());
      stillSpeaks(c, 1);
    }
  }

  @Test
  void aTwoMebibyteMessageIsRefusedUnreadAndTheSessionContinues() throws Exception {
    try (GatewayClient c = connect(fixture, "")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      String huge = "{\"type\":\"text\",\"text\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
      refused(c, huge, "MESSAGE_TOO_LARGE", "the limit is 65536 bytes");
      stillSpeaks(c, 1);
    }
  }

  @Test
  void invalidUtf8InABinaryJsonFrameIsNamedAndTheSessionContinues() throws Exception {
    try (GatewayClient c = connect(fixture, "?audio=binary")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      byte[] bad = "{\"type\":\"text\",\"text\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8);
      bad[bad.length - 4] = (byte) 0xC3; // é is C3 A9: cut it to a lone lead byte
      bad[bad.length - 3] = (byte) 0x28;
      c.sendBinary(bad);
      ServerEvent.Error e = c.expect(ServerEvent.Error.class, WAIT);
      assertEquals("INVALID_MESSAGE", e.code());
      assertTrue(e.message().contains("UTF-8"), e.message());
      stillSpeaks(c, 1);
    }
  }

  @Test
  void invalidUtf8InATextFrameFailsThatConnectionWith1007AndNothingElse() throws Exception {
    // RFC 6455 §8.1: the WebSocket layer must fail the connection; other sessions go on
    try (GatewayClient bystander = connect(fixture, "");
        RawWebSocket raw = RawWebSocket.connect(fixture.wsUri(""), WAIT)) {
      bystander.expect(ServerEvent.SessionStart.class, WAIT);
      assertTrue(raw.readMessage(WAIT).text().contains("session_start"));
      raw.sendFrame(true, RawWebSocket.TEXT, new byte[] {'{', '"', (byte) 0xFF, '"', '}'});
      RawWebSocket.Frame close = raw.awaitClose(WAIT);
      assertEquals(1007, close.closeCode(), close.toString());
      stillSpeaks(bystander, 1);
    }
  }

  @Test
  void aFloodIsRateLimitedWithFewRepliesAndAnotherSessionIsUnaffected() throws Exception {
    try (GatewayClient flooder = connect(fixture, "");
        GatewayClient bystander = connect(fixture, "")) {
      flooder.expect(ServerEvent.SessionStart.class, WAIT);
      bystander.expect(ServerEvent.SessionStart.class, WAIT);
      bystander.sendText("undisturbed");
      List<CompletableFuture<?>> sends = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < 1000; i++) {
        sends.add(flooder.sendControl("RESUME"));
        long due = start + (i + 1) * 1_000_000L; // 1 000 per second
        while (System.nanoTime() < due) Thread.onSpinWait();
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();

      List<ServerEvent.Audio> heard =
          audio(bystander.collectUntil(ServerEvent.UtteranceEnd.class, WAIT));
      assertContiguous(1, heard, MOCK_FRAMES);

      int resumed = 0;
      List<ServerEvent.Error> limited = new ArrayList<>();
      // the bucket refills one message per 50 ms (at most 40): after 2 s the text passes, even
      // when a loaded machine read the last of the flood late
      Thread.sleep(2_000);
      flooder.sendText("after the flood");
      ServerEvent e;
      while (!((e = flooder.next(WAIT)) instanceof ServerEvent.UtteranceEnd)) {
        if (e instanceof ServerEvent.Resumed) resumed++;
        if (e instanceof ServerEvent.Error err) limited.add(err);
      }
      assertTrue(resumed >= 40 && resumed < 200, "the burst and the rate pass: " + resumed);
      assertTrue(!limited.isEmpty() && limited.size() <= 5, "throttled replies: " + limited);
      for (ServerEvent.Error err : limited) {
        assertEquals("RATE_LIMITED", err.code());
        assertTrue(err.message().contains("20 messages per second"), err.message());
      }
      assertTrue(limited.stream().anyMatch(err -> err.message().contains("dropped since")),
          "a later reply counts what was dropped: " + limited);
    }
  }
}
