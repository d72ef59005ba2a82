package io.voicegateway.gateway.ws;

import static io.voicegateway.gateway.ws.WebSocketSessionTest.WAIT;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.audio;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.concat;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.connect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Twenty sessions speaking different texts at once each hear exactly their own speech: the audio
 * of each equals, byte for byte, what the same text gives when spoken alone (espeak-ng is
 * deterministic), and no two texts sound alike.
 */
class ConcurrentSessionsTest {

  private static final String[] WORDS = {"apples", "bridges", "copper", "dolphins", "engines",
      "forests", "glaciers", "harbors", "islands", "jasmine", "kettles", "lanterns", "meadows",
      "nickel", "orchards", "pebbles", "quartz", "rivers", "saddles", "tulips"};

  @Test
  void twentyConcurrentSessionsEachGetExactlyTheirOwnAudio() throws Exception {
    try (GatewayFixture f = GatewayFixture.start("espeak-ng-en",
        "voicegw.session.pacing.mode = burst")) {
      f.awaitWorkers(1);
      List<String> texts = new ArrayList<>();
      for (String w : WORDS) texts.add("This session talks about " + w + ".");

      List<byte[]> alone = new ArrayList<>();
      try (GatewayClient c = connect(f, "")) {
        c.expect(ServerEvent.SessionStart.class, WAIT);
        for (String t : texts) {
          c.sendText(t);
          alone.add(concat(audio(c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT))));
        }
      }
      Set<Integer> distinct = new HashSet<>();
      for (byte[] a : alone) distinct.add(java.util.Arrays.hashCode(a));
      assertEquals(texts.size(), distinct.size(), "every text has its own audio");

      ExecutorService pool = Executors.newFixedThreadPool(texts.size());
      try {
        List<CompletableFuture<byte[]>> together = new ArrayList<>();
        for (String t : texts) {
          together.add(CompletableFuture.supplyAsync(() -> speak(f, t), pool));
        }
        for (int i = 0; i < texts.size(); i++) {
          byte[] heard = together.get(i).join();
          assertTrue(heard.length > 0);
          assertArrayEquals(alone.get(i), heard, "session " + i + " (" + WORDS[i] + ")");
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static byte[] speak(GatewayFixture f, String text) {
    try (GatewayClient c = connect(f, "")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      c.sendText(text);
      List<ServerEvent> events = c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT);
      WebSocketSessionTest.assertContiguous(1, audio(events), audio(events).size());
      return concat(audio(events));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
