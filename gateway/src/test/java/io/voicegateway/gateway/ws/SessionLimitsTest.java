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
 * node shutting down ends its sessions with {@code node_shutdown}. Short limits, real parts.
 */
class SessionLimitsTest {

  private static GatewayFixture fixture;

  @BeforeAll
  static void start() {
    fixture = GatewayFixture.start("mock-440hz", """
        voicegw.session { idle-timeout = 2s, max-duration = 4s, max-messages = 10 }
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
      assertTrue(ms >= 1_900, "not before the idle timeout: " + ms + " ms");
    }
  }

  @Test
  void aBusySessionEndsAtItsMaximumDuration() throws Exception {
    try (GatewayClient c = connect(fixture, "")) {
      String id = c.expect(ServerEvent.SessionStart.class, WAIT).sessionId();
      // keep it from idling: one control every 600 ms (6 messages in 4 s, under max-messages;
      // 1.4 s of margin against the 2 s idle timeout on a loaded machine)
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
    // burst pacing and a long espeak-ng text: minutes of audio (over 10 MB of JSON frames) offered
    // at once, far more than the loopback socket buffers hold (about 6 MiB)
    try (GatewayFixture own = GatewayFixture.start("espeak-ng-en", """
            voicegw.session.pacing.mode = burst
            voicegw.gateway.websocket.slow-consumer-timeout = 1s
            pekko.http.server.idle-timeout = 4s
            pekko.http.server.websocket.periodic-keep-alive-max-idle = 1s
            """);
        GatewayClient slow = connect(own, "");
        GatewayClient other = connect(own, "")) {
      own.awaitWorkers(1);
      slow.expect(ServerEvent.SessionStart.class, WAIT);
      other.expect(ServerEvent.SessionStart.class, WAIT);
      assertEquals(2, own.gateway.metrics().activeSessions());
      slow.pauseReading();
      slow.sendText("This sentence is long enough to fill a socket buffer. ".repeat(80));
      // the session ends as soon as the socket has taken nothing for slow-consumer-timeout
      await().atMost(Duration.ofSeconds(60))
          .until(() -> own.gateway.metrics().activeSessions() == 1);
      // the TCP connection cannot be closed gracefully (the close frame waits behind the unread
      // data): it is dropped when nothing has moved on it for pekko.http.server.idle-timeout.
      // A client that reads nothing cannot notice; once it reads again it finds the connection
      // gone, without the session_end and close frame a graceful close would have delivered.
      Thread.sleep(4_000 + 3_000);
      slow.resumeReading();
      GatewayClient.Closed closed = slow.closed().get(30, TimeUnit.SECONDS);
      assertEquals(GatewayClient.ABNORMAL_CLOSURE, closed.statusCode(),
          "the connection was dropped: " + closed);

      other.sendText("still fine");
      ServerEvent.UtteranceEnd end = null;
      for (ServerEvent e : other.collectUntil(ServerEvent.UtteranceEnd.class, WAIT)) {
        if (e instanceof ServerEvent.UtteranceEnd u) end = u;
      }
      assertEquals("completed", end.reason());
    }
  }

  @Test
  void aNodeShuttingDownEndsItsSessionsWithNodeShutdownAndAResumeHint() throws Exception {
    try (GatewayFixture own = GatewayFixture.start("mock-440hz", "");
        GatewayClient c = connect(own, "")) {
      String id = c.expect(ServerEvent.SessionStart.class, WAIT).sessionId();
      own.gateway.stop();
      ServerEvent.SessionEnd end = c.expect(ServerEvent.SessionEnd.class, Duration.ofSeconds(10));
      assertEquals("node_shutdown", end.reason());
      assertTrue(end.resumable(), "session_end says the session can be resumed: " + end);
      assertEquals(id, end.sessionId());
    }
  }
}
