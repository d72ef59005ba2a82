package io.voicegateway.gateway.livekit;

import static io.voicegateway.gateway.livekit.TestParticipant.data;
import static io.voicegateway.gateway.livekit.TestParticipant.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import io.voicegateway.gateway.cluster.LocalCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * First-audio latency over LiveKit beside WebSocket, in one run on one gateway
 * (docs/BENCHMARKS.md has the command and the results). Starts its own stack: Redis, a
 * {@code mock-440hz} worker, a gateway with its bridge, a real LiveKit server. One LiveKit
 * participant and one WebSocket client then take turns, one utterance each per round:
 * <ul>
 *   <li>LiveKit: data packet sent → the first voiced 10 ms of the agent's track at the
 *       participant's AudioStream (after WebRTC's encoder, the SFU and the receiver's jitter
 *       buffer: what a listener hears), both on the participant's clock;
 *   <li>WebSocket: text sent → the first audio frame received, on the client's clock (before any
 *       playout buffer of the client's own).
 * </ul>
 * Usage: {@code LiveKitLatencyBench --rounds 50} (plus 5 warm-up rounds, not counted).
 */
public final class LiveKitLatencyBench {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] argv) throws Exception {
    int rounds = argv.length == 2 && argv[0].equals("--rounds") ? Integer.parseInt(argv[1]) : 50;
    int warmUp = 5;
    Path logs = LocalCluster.logDir("LiveKitLatencyBench");
    int wsPort = GatewayFixture.freePort();
    try (LiveKitServer server = LiveKitServer.start(
            List.of("http://127.0.0.1:" + wsPort + "/livekit/webhook"), logs);
        GatewayFixture f = GatewayFixture.start("mock-440hz", server.gatewayHocon()
            + "voicegw.gateway.ws-port = " + wsPort + "\n")) {
      f.awaitWorkers(1);
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + wsPort + "/api/connection-details"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode details = JSON.readTree(r.body());
      List<Double> liveKit = new ArrayList<>();
      List<Double> webSocket = new ArrayList<>();
      try (TestParticipant p = TestParticipant.join(details.path("serverUrl").asText(),
              details.path("participantToken").asText(), logs.resolve("participant.log"));
          GatewayClient ws = GatewayClient.connect(URI.create("ws://127.0.0.1:" + wsPort + "/"))
              .get()) {
        p.await("session_start", data("session_start"), Duration.ofSeconds(30));
        ws.expect(ServerEvent.SessionStart.class, Duration.ofSeconds(10));
        for (int i = 0; i < warmUp + rounds; i++) {
          JsonNode sent = p.send("{\"type\":\"text\",\"text\":\"round " + i + "\"}");
          JsonNode heard = p.await("audio", TestParticipant.eventAfter("audio_start", sent),
              Duration.ofSeconds(10));
          p.await("utterance_end", data("utterance_end"), Duration.ofSeconds(10));
          p.await("the utterance's end", event("segment"), Duration.ofSeconds(10));

          long wsSent = ws.sendText("round " + i).get().completedNanos();
          ServerEvent.Audio first = null;
          for (ServerEvent e : ws.collectUntil(ServerEvent.UtteranceEnd.class,
              Duration.ofSeconds(10))) {
            if (first == null && e instanceof ServerEvent.Audio a) first = a;
          }
          if (i >= warmUp) {
            liveKit.add(heard.path("t_ms").asDouble() - sent.path("t_ms").asDouble());
            webSocket.add((first.receivedNanos() - wsSent) / 1e6);
          }
          Thread.sleep(300);
        }
      }
      report("LiveKit (data packet -> first voiced audio at the participant)", liveKit);
      report("WebSocket (text -> first audio frame at the client)", webSocket);
    }
    System.exit(0);
  }

  private static void report(String what, List<Double> ms) {
    List<Double> sorted = new ArrayList<>(ms);
    sorted.sort(Double::compare);
    System.out.printf("%-62s n=%d  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f ms%n", what,
        sorted.size(), pct(sorted, 50), pct(sorted, 90), pct(sorted, 99),
        sorted.get(sorted.size() - 1));
  }

  /** Nearest-rank percentile. */
  private static double pct(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
