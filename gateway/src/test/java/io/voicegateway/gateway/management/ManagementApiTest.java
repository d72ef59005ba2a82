package io.voicegateway.gateway.management;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The management port of a real node (real Redis, a real worker speaking {@code mock-440hz}, real
 * WebSocket sessions): Pekko's cluster routes and the gateway's /sessions, /sessions/{id} and
 * /workers.
 */
class ManagementApiTest {

  private static final Duration WAIT = GatewayFixture.WAIT;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Set<String> STATES =
      Set.of("idle", "speaking", "paused", "waiting_for_worker", "closing");

  private static GatewayFixture fixture;
  /** Every management response body of a test, checked for the secrets of its sessions. */
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> resumeTokens = new CopyOnWriteArrayList<>();
  private final List<GatewayClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() {
    fixture = GatewayFixture.start("mock-440hz", "");
    fixture.awaitWorkers(1);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @AfterEach
  void closeSessionsAndCheckNoResumeTokenWasShown() {
    for (GatewayClient c : clients) c.close();
    for (String token : resumeTokens) {
      for (String body : bodies) {
        assertFalse(body.contains(token), "a management response shows a resume token: " + body);
      }
    }
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(fixture.managementUri(pathAndQuery)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
    bodies.add(r.body());
    return r;
  }

  private JsonNode getJson(String pathAndQuery, int expectedStatus) throws Exception {
    HttpResponse<String> r = get(pathAndQuery);
    assertEquals(expectedStatus, r.statusCode(), pathAndQuery + ": " + r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"),
        r.headers().toString());
    return JSON.readTree(r.body());
  }

  /** Opens a WebSocket session; remembers its resume token (if the gateway sends one). */
  private ServerEvent.SessionStart openSession() throws Exception {
    GatewayClient c = GatewayClient.connect(http, fixture.wsUri("")).get(30, TimeUnit.SECONDS);
    clients.add(c);
    ServerEvent.SessionStart start = c.expect(ServerEvent.SessionStart.class, WAIT);
    start.resumeToken().ifPresent(resumeTokens::add);
    return start;
  }

  private String selfNode() throws Exception {
    return getJson("/cluster/members", 200).get("selfNode").asText();
  }

  /** The /sessions entry of {@code id}, once it is listed. */
  private JsonNode listed(String id) throws Exception {
    JsonNode[] found = new JsonNode[1];
    await().atMost(WAIT).until(() -> {
      for (JsonNode s : getJson("/sessions?limit=1000", 200).get("sessions")) {
        if (s.get("id").asText().equals(id)) found[0] = s;
      }
      return found[0] != null;
    });
    return found[0];
  }

  @Test
  void clusterMembersShowsThisNodeUp() throws Exception {
    JsonNode members = getJson("/cluster/members", 200);
    String self = members.get("selfNode").asText();
    assertTrue(self.startsWith("pekko://voicegw@127.0.0.1:"), members.toString());
    assertEquals(1, members.get("members").size(), members.toString());
    JsonNode me = members.get("members").get(0);
    assertEquals(self, me.get("node").asText());
    assertEquals("Up", me.get("status").asText());
  }

  @Test
  void sessionsListsAnOpenWebSocketSessionWithItsNodeAndState() throws Exception {
    ServerEvent.SessionStart start = openSession();
    JsonNode s = listed(start.sessionId());
    assertEquals(selfNode(), s.get("node").asText());
    assertTrue(s.get("entity_id").asText().startsWith(start.sessionId() + "@"), s.toString());
    assertEquals(1, s.get("epoch").asLong());
    assertTrue(STATES.contains(s.get("state").asText()), s.toString());
    assertTrue(s.get("age_ms").asLong() >= 0, s.toString());
    assertEquals(0, s.get("queued").asInt(), s.toString());
    JsonNode page = getJson("/sessions", 200);
    assertEquals(0, page.get("offset").asInt());
    assertEquals(100, page.get("limit").asInt(), "the default page size");
    assertFalse(page.get("partial").asBoolean());
    assertEquals(0, page.get("unreachable_nodes").size());
  }

  @Test
  void pagingWithLimit1ShowsOneSessionPerPageInIdOrder() throws Exception {
    String a = openSession().sessionId();
    String b = openSession().sessionId();
    listed(a);
    listed(b);
    JsonNode first = getJson("/sessions?offset=0&limit=1", 200);
    int total = first.get("total").asInt();
    assertTrue(total >= 2, first.toString());
    assertEquals(1, first.get("limit").asInt());
    assertEquals(1, first.get("sessions").size(), first.toString());
    List<String> ids = new ArrayList<>();
    for (int offset = 0; offset < total; offset++) {
      JsonNode page = getJson("/sessions?offset=" + offset + "&limit=1", 200);
      assertEquals(offset, page.get("offset").asInt());
      assertEquals(1, page.get("sessions").size(), page.toString());
      ids.add(page.get("sessions").get(0).get("id").asText());
    }
    assertTrue(ids.contains(a) && ids.contains(b), ids.toString());
    List<String> sorted = new ArrayList<>(ids);
    sorted.sort(null);
    assertEquals(sorted, ids, "pages are in session id order");
    assertEquals(0, getJson("/sessions?offset=" + total + "&limit=1", 200).get("sessions").size(),
        "past the end: an empty page");
  }

  @Test
  void oneSessionShowsStateWorkerTimersAndCountersButNoSecret() throws Exception {
    GatewayClient c;
    ServerEvent.SessionStart start = openSession();
    c = clients.get(clients.size() - 1);
    c.sendText("Hello.", "greeting-1");
    c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT);
    listed(start.sessionId());

    JsonNode s = getJson("/sessions/" + start.sessionId(), 200);
    assertEquals(start.sessionId(), s.get("id").asText());
    assertEquals(selfNode(), s.get("node").asText());
    assertTrue(STATES.contains(s.get("state").asText()), s.toString());
    assertTrue(s.get("worker").asText().startsWith("tts-"), "the mock worker: " + s);
    JsonNode timers = s.get("timers");
    assertTrue(timers.get("idle_timeout_ms").asLong() > 0, s.toString());
    assertTrue(timers.get("max_duration_ms").asLong() > 0, s.toString());
    JsonNode counters = s.get("counters");
    assertEquals(1, counters.get("utterances_completed").asLong(), s.toString());
    assertEquals(25, counters.get("frames_sent").asLong(), s.toString());
    assertFalse(s.toString().contains("Hello."), "no text is shown: " + s);
    assertFalse(s.has("resume_token"), s.toString());
    // the token itself, wherever it might hide, is checked in closeSessionsAnd...() after each test
  }

  @Test
  void anUnknownSessionIdIs404NamingIt() throws Exception {
    JsonNode body = getJson("/sessions/ws-000000000000", 404);
    assertEquals("not_found", body.get("error").asText());
    assertTrue(body.get("message").asText().contains("ws-000000000000"), body.toString());
  }

  @Test
  void badPagingParametersAre400NamingTheParameterAndItsLimit() throws Exception {
    for (String query : List.of("limit=0", "limit=1001", "limit=ten", "limit=")) {
      JsonNode body = getJson("/sessions?" + query, 400);
      String message = body.get("message").asText();
      assertTrue(message.contains("limit") && message.contains("1 to 1000"), query + ": " + body);
    }
    for (String query : List.of("offset=-1", "offset=x", "offset=99999999999")) {
      JsonNode body = getJson("/sessions?" + query, 400);
      String message = body.get("message").asText();
      assertTrue(message.contains("offset") && message.contains(">= 0"), query + ": " + body);
    }
  }

  @Test
  void workersListsTheMockWorkerWithItsSelectionsOnceASessionSpoke() throws Exception {
    ServerEvent.SessionStart start = openSession();
    GatewayClient c = clients.get(clients.size() - 1);
    c.sendText("Hello.", "u1");
    c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT);

    JsonNode body = getJson("/workers", 200);
    assertEquals(1, body.get("total").asInt(), body.toString());
    JsonNode w = body.get("workers").get(0);
    assertTrue(w.get("name").asText().startsWith("tts-"), w.toString());
    assertTrue(w.get("address").asText().startsWith("grpc://127.0.0.1:"), w.toString());
    assertTrue(w.get("healthy").asBoolean(), w.toString());
    assertTrue(w.get("heartbeat_age_ms").asLong() < 10_000, w.toString());
    assertTrue(w.get("load").has("queue_depth"), w.toString());
    assertTrue(w.get("selections").asLong() >= 1, w.toString());
    assertEquals(w.get("selections").asLong(),
        body.get("selection_counts").get(w.get("name").asText()).asLong());
    assertNotEquals(Optional.empty(), Optional.ofNullable(start.sessionId()));
  }

  @Test
  void theListingProtocolCrossesNodesAsCbor() throws Exception {
    org.apache.pekko.actor.ActorSystem classic = Adapter.toClassic(fixture.gateway.system());
    Serialization serialization = SerializationExtension.get(classic);
    ActorRef<LocalSessions.Listing> replyTo = fixture.gateway.system().deadLetters();
    for (Object message : List.of(new LocalSessions.ListSessions(replyTo),
        new LocalSessions.Listing("pekko://voicegw@127.0.0.1:7355", List.of("ws-0@a#1"),
            List.of()))) {
      Serializer serializer = serialization.findSerializerFor(message);
      assertTrue(serializer.getClass().getSimpleName().equals("JacksonCborSerializer"),
          message + " uses " + serializer);
      byte[] bytes = serialization.serialize(message).get();
      Object back = serialization.deserialize(bytes, serializer.identifier(),
          Serializers.manifestFor(serializer, message)).get();
      assertEquals(message, back);
    }
  }
}
