package io.voicegateway.gateway.livekit;

import static io.voicegateway.gateway.livekit.TestParticipant.data;
import static io.voicegateway.gateway.livekit.TestParticipant.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.voicegateway.gateway.cluster.LocalCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two gateway nodes (separate JVMs, as {@code ./voicegw gateway} runs them) with their bridges,
 * one real LiveKit server, Redis and a {@code mock-440hz} worker. A participant's room is served
 * by one node; {@code kill -9} of that node, and the other node's bridge joins the room, its
 * session resumes, and the participant hears the agent again, with no action of its own, within
 * 10 s of the kill (the bound). No webhooks here: the room listing finds the room, and
 * the dead node's room once its lease expires.
 * Either node may be the one killed: the split-brain resolver's lease in Redis keeps the
 * survivor of a two-node cluster up (docs/ARCHITECTURE.md, "Cluster timings").
 */
class LiveKitFailoverIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aSurvivingNodeTakesTheRoomOverAndSpeaksWithin10SecondsOfAKill() throws Exception {
    Path logs = LocalCluster.logDir("LiveKitFailoverIT");
    try (LiveKitServer server = LiveKitServer.start(List.of(), logs);
        LocalCluster cluster = LocalCluster.start(2, logs, Duration.ofSeconds(120), Map.of(
            "LIVEKIT_URL", server.wsUrl(),
            "LIVEKIT_API_KEY", LiveKitServer.API_KEY,
            "LIVEKIT_API_SECRET", LiveKitServer.API_SECRET))) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + cluster.node(1).wsPort()
                  + "/api/connection-details")).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode details = JSON.readTree(r.body());
      String room = details.path("roomName").asText();
      try (TestParticipant p = TestParticipant.join(details.path("serverUrl").asText(),
          details.path("participantToken").asText(), logs.resolve("participant.log"))) {
        p.await("the agent's track", e -> event("track").test(e)
            && e.path("identity").asText().equals("agent"), Duration.ofSeconds(30));
        p.await("session_start", data("session_start"), Duration.ofSeconds(10));
        for (int i = 0; i < 24; i++) p.send("{\"type\":\"text\",\"text\":\"part " + i + "\"}");
        p.await("audio", event("audio_start"), Duration.ofSeconds(10));
        Thread.sleep(500);

        int serving = servingNode(cluster, room);
        cluster.kill9(serving);
        long killed = System.nanoTime();
        JsonNode again = p.await("audio from the other node", e -> event("audio_start").test(e)
            && e.path("rx_nanos").asLong() - killed > 500_000_000L, Duration.ofSeconds(20));
        double seconds = (again.path("rx_nanos").asLong() - killed) / 1e9;
        assertTrue(seconds <= 10, "audio came back " + seconds + " s after the kill");
        // the utterances play back to back: STOP ends the resumed audio's segment (and shows
        // that controls reach the new node)
        Thread.sleep(1000);
        p.send("{\"type\":\"control\",\"command\":\"STOP\"}");
        String track = again.path("track_sid").asText();
        double from = again.path("t_ms").asDouble();
        JsonNode segment = p.await("the resumed audio", e -> event("segment").test(e)
            && e.path("track_sid").asText().equals(track)
            && e.path("start_ms").asDouble() >= from - 1, Duration.ofSeconds(10));
        assertEquals(440, segment.path("freq_hz").asDouble(), 10, segment.toString());
        List<Integer> resumers = new java.util.ArrayList<>();
        for (int i = 1; i <= cluster.size(); i++) {
          if (i != serving && cluster.log(i).contains("resuming the room's session")) {
            resumers.add(i);
          }
        }
        assertEquals(1, resumers.size(), "one survivor resumed the room's session (rather than"
            + " starting a new one): " + resumers);
        System.out.printf("LiveKit failover: audio again %.2f s after kill -9 of gateway-%d%n",
            seconds, serving);
        String token = details.path("participantToken").asText();
        for (int i = 1; i <= cluster.size(); i++) {
          String log = cluster.log(i);
          assertTrue(!log.contains(LiveKitServer.API_SECRET) && !log.contains(token)
              && !log.contains("eyJ"), "gateway-" + i + "'s log shows a secret or a token");
        }
      }
    }
  }

  /** The one node that serves the room (exactly one may). */
  private static int servingNode(LocalCluster cluster, String room) {
    List<Integer> serving = new java.util.ArrayList<>();
    for (int i = 1; i <= cluster.size(); i++) {
      if (cluster.log(i).contains("serving LiveKit room " + room)) serving.add(i);
    }
    assertEquals(1, serving.size(), "nodes serving " + room + ": " + serving);
    return serving.get(0);
  }
}
