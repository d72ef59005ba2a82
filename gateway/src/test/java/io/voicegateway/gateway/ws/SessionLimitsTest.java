package io.voicegateway.gateway.ws;

import static io.voicegateway.gateway.ws.WebSocketSessionTest.WAIT;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The session limits end the session with {@code session_end} and the right reason, and the
 * gateway closes the socket; a client that stops reading is closed as {@code slow_consumer}; a
 * node shutting down ends its sessions with {@code shutdown}. Short limits, real parts.
 */
class SessionLimitsTest {

  private static GatewayFixture fixture;

  @BeforeAll
  static void start() {
    fixture = GatewayFixture.start("mock-440hz", """
        voicegw.session { idle-timeout = 1s, max-duration = 3s, max-messages = 10 }
        voicegw.gateway.websocket.slow-consumer-timeout = 1s
        """);
    fixture.awaitWorkers(1);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static void endsWith(GatewayClient c, String sessionId, String reason) throws Exception {
    ServerEvent e;
    while (!((e = c.next(WAIT)) instanceof ServerEvent.SessionEnd)) {
      assertTrue(!(e instanceof ServerEvent.Error), "unexpected " + e);
    }
    ServerEvent.SessionEnd end = (ServerEvent.SessionEnd) e;
    assertEquals(reason, end.reason());
    assertEquals(sessionId, end.sessionId());
    GatewayClient.Closed closed = c.closed().get(30, TimeUnit.SECONDS);
    assertEquals(1000, closed.statusCode(), "the gateway closes the socket normally: " + closed);
  }

  @Test
  void anIdleSessionEndsWithIdleTimeoutAndItsSocketIsClosed() throws Exception {
    try (GatewayClient c = connect(fixture, "")) {
      String id = c.expect(ServerEvent.SessionStart.class, WAIT).sessionId();
      long start = System.nanoTime();
      endsWith(c, id, "idle_timeout");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 900, "not before the idle timeout: " + ms + " ms");
    }
  }

  @Test
  void aBusySessionEndsAtItsMaximumDuration() throws Exception {
    try (GatewayClient c = connect(fixture, "")) {
      String id = c.expect(ServerEvent.SessionStart.class, WAIT).sessionId();
      // keep it from idling: one control every 600 ms (5 messages in 3 s, under max-messages)
      Thread keepBusy = new Thread(() -> {
        try {
          while (true) {
            Thread.sleep(600);
            c.sendControl("RESUME");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      keepBusy.start();
      try {
        endsWith(c, id, "max_duration");
      } finally {
        keepBusy.interrupt();
      }
    }
  }

  @Test
  void theMessageBeyondTheMaximumEndsTheSession() throws Exception {
    try (GatewayClient c = connect(fixture, "")) {
      String id = c.expect(ServerEvent.SessionStart.class, WAIT).sessionId();
      for (int i = 0; i < 11; i++) c.sendControl("PAUSE");
      endsWith(c, id, "max_messages");
    }
  }

  @Test
  void aClientThatStopsReadingIsClosedAsSlowConsumerAndOthersGoOn() throws Exception {
    try (GatewayFixture own = GatewayFixture.start("mock-440hz", """
            voicegw.session.pacing.mode = burst
            voicegw.gateway.websocket.slow-consumer-timeout = 1s
            """);
        GatewayClient slow = connect(own, "");
        GatewayClient other = connect(own, "")) {
      own.awaitWorkers(1);
      slow.expect(ServerEvent.SessionStart.class, WAIT);
      other.expect(ServerEvent.SessionStart.class, WAIT);
      assertEquals(2, own.gateway.metrics().activeSessions());
      slow.pauseReading();
      // more audio than socket buffers hold: 30 texts x 25 frames x ~2.6 kB, as fast as it goes
      for (int i = 0; i < 30; i++) slow.sendText("fill the pipe " + i);
      GatewayClient.Closed closed = slow.closed().get(60, TimeUnit.SECONDS);
      assertTrue(closed.statusCode() != 1000, "the connection was dropped: " + closed);
      await().atMost(WAIT).until(() -> own.gateway.metrics().activeSessions() == 1);

      other.sendText("still fine");
      ServerEvent.UtteranceEnd end = null;
      for (ServerEvent e : other.collectUntil(ServerEvent.UtteranceEnd.class, WAIT)) {
        if (e instanceof ServerEvent.UtteranceEnd u) end = u;
      }
      assertEquals("completed", end.reason());
    }
  }

  @Test
  void aNodeShuttingDownEndsItsSessionsWithShutdown() throws Exception {
    try (GatewayFixture own = GatewayFixture.start("mock-440hz", "");
        GatewayClient c = connect(own, "")) {
      String id = c.expect(ServerEvent.SessionStart.class, WAIT).sessionId();
      own.gateway.stop();
      ServerEvent.SessionEnd end = c.expect(ServerEvent.SessionEnd.class, Duration.ofSeconds(10));
      assertEquals("shutdown", end.reason());
      assertEquals(id, end.sessionId());
    }
  }
}
