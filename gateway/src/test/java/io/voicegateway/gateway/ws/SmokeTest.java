package io.voicegateway.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.GatewayFixture;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void smoke() throws Exception {
    try (GatewayFixture f = GatewayFixture.start("mock-440hz", "")) {
      f.awaitWorkers(1);
      BlockingQueue<String> q = new LinkedBlockingQueue<>();
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(f.wsUri(""), new WebSocket.Listener() {
            StringBuilder sb = new StringBuilder();
            public CompletionStage<?> onText(WebSocket w, CharSequence d, boolean last) {
              sb.append(d);
              if (last) { q.add(sb.toString()); sb = new StringBuilder(); }
              w.request(1);
              return null;
            }
          }).join();
      System.out.println("GOT " + q.poll(10, TimeUnit.SECONDS));
      ws.sendText("{\"type\":\"text\",\"text\":\"hello\"}", true).join();
      int audio = 0;
      String m;
      while ((m = q.poll(10, TimeUnit.SECONDS)) != null) {
        if (m.contains("\"audio\"")) audio++; else System.out.println("GOT " + m);
        if (m.contains("utterance_end")) break;
      }
      System.out.println("AUDIO " + audio);
      assertTrue(audio > 0);
    }
  }
}
