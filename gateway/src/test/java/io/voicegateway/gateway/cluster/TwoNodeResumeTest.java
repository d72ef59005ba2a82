package io.voicegateway.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.GatewayNode;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import io.voicegateway.session.NodeLocalSharding;
import io.voicegateway.session.SessionEntity;
import io.voicegateway.session.SessionEntityId;
import io.voicegateway.session.SessionInfo;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway nodes in one cluster (two actor systems in this JVM, Artery over loopback), one
 * Redis, one tone worker (25 identical frames per utterance): sessions live on the node of their
 * connection, audio never crosses nodes, and a session resumes on the other node after its
 * connection breaks, with nothing lost or repeated.
 */
class TwoNodeResumeTest {

  private static final Duration WAIT = GatewayFixture.WAIT;
  private static final int TONE_FRAMES = 25;

  private static GatewayFixture fixture;
  private static GatewayNode second;

  @BeforeAll
  static void start() {
    fixture = GatewayFixture.start("mock-440hz", """
        pekko.actor.serializers.counting-cbor =
            "io.voicegateway.gateway.cluster.CountingCborSerializer"
        pekko.actor.serialization-bindings {
          "io.voicegateway.session.CborSerializable" = counting-cbor
        }
        # Jackson allows the classes bound to it; these are bound to the counting wrapper
        pekko.serialization.jackson.allowed-class-prefix = ["io.voicegateway."]
        """);
    fixture.awaitWorkers(1);
    second = fixture.startJoiningNode();
  }

  @AfterAll
  static void stop() throws Exception {
    if (second != null) second.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (fixture != null) fixture.close();
  }

  private static GatewayClient connect(GatewayNode node) throws Exception {
    return GatewayClient.connect(URI.create("ws://127.0.0.1:" + node.wsPort() + "/"))
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void aSessionResumesOnTheOtherNodeAfterItsConnectionBreaksWithNothingLostOrRepeated()
      throws Exception {
    List<ServerEvent.Audio> heard = new ArrayList<>();
    List<ServerEvent.UtteranceEnd> ends = new ArrayList<>();
    String sessionId;
    String token;
    long last;
    try (GatewayClient first = connect(fixture.gateway)) {
      ServerEvent.SessionStart start = first.expect(ServerEvent.SessionStart.class, WAIT);
      sessionId = start.sessionId();
      token = start.resumeToken().orElseThrow(() -> new AssertionError("no resume_token"));
      first.sendText("one");
      first.sendText("two");
      first.sendText("three");
      // all of u1 and a few frames of u2, then the connection breaks
      while (heard.size() < TONE_FRAMES + 5) {
        ServerEvent e = first.next(WAIT);
        if (e instanceof ServerEvent.Audio a) heard.add(a);
        if (e instanceof ServerEvent.UtteranceEnd u) ends.add(u);
      }
      last = heard.get(heard.size() - 1).sequence();
      first.abort();
    }

    try (GatewayClient other = connect(second)) {
      ServerEvent.SessionStart own = other.expect(ServerEvent.SessionStart.class, WAIT);
      assertNotEquals(sessionId, own.sessionId());
      other.sendResume(sessionId, token, last);
      ServerEvent.SessionResumed resumed = other.expect(ServerEvent.SessionResumed.class, WAIT);
      assertEquals(sessionId, resumed.sessionId());
      assertEquals(last + 1, resumed.nextSequence(), "sequence numbers go on");
      assertEquals(3, resumed.accepted(), "the three texts were accepted before the break");
      assertEquals(2, resumed.pending(), "u2 (interrupted) and u3 (queued)");
      while (ends.stream().noneMatch(u -> u.id().equals("u3"))) {
        ServerEvent e = other.next(WAIT);
        if (e instanceof ServerEvent.Audio a) heard.add(a);
        if (e instanceof ServerEvent.UtteranceEnd u) ends.add(u);
        assertFalse(e instanceof ServerEvent.Error, "no error: " + e);
        assertFalse(e instanceof ServerEvent.SessionStart, "no new session: " + e);
      }

      // every frame exactly once, numbered 1..75 across the two connections
      for (int i = 0; i < heard.size(); i++) {
        assertEquals(i + 1, heard.get(i).sequence(), "frame " + i + " of " + heard.size());
      }
      assertEquals(3 * TONE_FRAMES, heard.size());
      // u2, cut after 5 frames and continued on the other node, is the same audio as u1
      assertArrayEquals(pcm(heard.subList(0, TONE_FRAMES)),
          pcm(heard.subList(TONE_FRAMES, 2 * TONE_FRAMES)));
      assertEquals(List.of("u1", "u2", "u3"), ends.stream().map(ServerEvent.UtteranceEnd::id)
          .toList(), "each utterance ends once");
      for (ServerEvent.UtteranceEnd u : ends) {
        assertEquals("completed", u.reason(), u.toString());
        assertEquals(TONE_FRAMES, u.frames(), u.toString());
      }

      // the resumed incarnation lives on the node the client reached
      String tag = NodeLocalSharding.nodeTag(second.system());
      assertTrue(entityIds(second).contains(new SessionEntityId(sessionId, tag, 2).entityId()),
          "entities on the second node: " + entityIds(second));

      // and the session goes on there
      other.sendText("four");
      ServerEvent.UtteranceEnd four = (ServerEvent.UtteranceEnd) other
          .collectUntil(ServerEvent.UtteranceEnd.class, WAIT).stream()
          .filter(e -> e instanceof ServerEvent.UtteranceEnd).findFirst().orElseThrow();
      assertEquals("u4", four.id());
    }
  }

  @Test
  void aWrongTokenGetsUnauthorizedAndNothingElse() throws Exception {
    try (GatewayClient owner = connect(fixture.gateway); GatewayClient thief = connect(second)) {
      String victim = owner.expect(ServerEvent.SessionStart.class, WAIT).sessionId();
      String own = thief.expect(ServerEvent.SessionStart.class, WAIT).sessionId();
      String forged = owner.sessionStart().orElseThrow().resumeToken().orElseThrow()
          .equals("A".repeat(43)) ? "B".repeat(43) : "A".repeat(43);
      thief.sendResume(victim, forged, 0);
      ServerEvent.Error error = thief.expect(ServerEvent.Error.class, WAIT);
      assertEquals("UNAUTHORIZED", error.code());
      assertTrue(error.message().contains(own), "says which session goes on: " + error);
      assertFalse(error.message().contains(forged), "never echoes a token: " + error);

      // the thief's own session goes on, and so does the victim's, untouched
      thief.sendText("mine");
      assertUtteranceCompletes(thief, "u1");
      owner.sendText("still mine");
      assertUtteranceCompletes(owner, "u1");
    }
  }

  @Test
  void resumingASessionStillConnectedElsewhereMovesItAndTheOldConnectionIsTold() throws Exception {
    try (GatewayClient first = connect(fixture.gateway); GatewayClient second2 = connect(second)) {
      ServerEvent.SessionStart start = first.expect(ServerEvent.SessionStart.class, WAIT);
      second2.expect(ServerEvent.SessionStart.class, WAIT);
      second2.sendResume(start.sessionId(), start.resumeToken().orElseThrow(), 0);
      assertEquals(start.sessionId(),
          second2.expect(ServerEvent.SessionResumed.class, WAIT).sessionId());
      ServerEvent.SessionEnd end = first.expect(ServerEvent.SessionEnd.class, WAIT);
      assertEquals("resumed_elsewhere", end.reason());
      second2.sendText("here now");
      assertUtteranceCompletes(second2, "u1");
    }
  }

  @Test
  void audioNeverCrossesNodesOnlySmallControlMessagesDo() throws Exception {
    Map<String, Long> before = CountingCborSerializer.messages();
    long bytesBefore = CountingCborSerializer.bytes();
    int frames = 0;
    String bSession;
    try (GatewayClient a = connect(fixture.gateway); GatewayClient b = connect(second)) {
      a.expect(ServerEvent.SessionStart.class, WAIT);
      bSession = b.expect(ServerEvent.SessionStart.class, WAIT).sessionId();
      for (int i = 0; i < 4; i++) {
        a.sendText("a" + i);
        b.sendText("b" + i);
      }
      for (GatewayClient c : List.of(a, b)) {
        while (true) {
          ServerEvent e = c.next(WAIT);
          if (e instanceof ServerEvent.Audio) frames++;
          if (e instanceof ServerEvent.UtteranceEnd u && u.id().equals("u4")) break;
        }
      }
      // a control message that does cross: the first node asks about the second's session
      // (what the management API does), which shows the counter sees what crosses
      SessionInfo info = ClusterSharding.get(fixture.gateway.system()).entityRefFor(
              SessionEntity.TYPE_KEY,
              new SessionEntityId(bSession, NodeLocalSharding.nodeTag(second.system()), 1)
                  .entityId())
          .<SessionInfo>ask(SessionEntity.GetInfo::new, WAIT)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(bSession, info.sessionId());
    }
    Map<String, Long> after = CountingCborSerializer.messages();
    long crossed = CountingCborSerializer.bytes() - bytesBefore;
    Set<String> kinds = new HashSet<>(after.keySet());
    kinds.removeIf(k -> after.get(k).equals(before.getOrDefault(k, 0L)));
    long audioBytes = (long) frames * 1_920;
    System.out.printf("two sessions on two nodes: %d frames (%d bytes of PCM) to clients;"
        + " %d bytes of project messages crossed nodes: %s%n", frames, audioBytes, crossed, kinds);
    assertEquals(8 * TONE_FRAMES, frames);
    assertTrue(kinds.containsAll(Set.of("GetInfo", "SessionInfo")), "counted: " + kinds);
    assertFalse(kinds.contains("Audio"), "no audio crossed nodes: " + kinds);
    assertTrue(crossed < audioBytes / 100, crossed + " bytes crossed nodes for " + audioBytes
        + " bytes of audio");
  }

  private static void assertUtteranceCompletes(GatewayClient c, String id) throws Exception {
    while (true) {
      ServerEvent e = c.next(WAIT);
      assertFalse(e instanceof ServerEvent.Error, "no error: " + e);
      if (e instanceof ServerEvent.UtteranceEnd u) {
        assertEquals(id, u.id());
        assertEquals("completed", u.reason());
        return;
      }
    }
  }

  private static byte[] pcm(List<ServerEvent.Audio> frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ServerEvent.Audio a : frames) out.writeBytes(a.pcm());
    return out.toByteArray();
  }

  /** The session entity ids living on {@code node}. */
  static Set<String> entityIds(GatewayNode node) {
    TestProbe<ShardRegion.CurrentShardRegionState> probe =
        TestProbe.create(node.system());
    ClusterSharding.get(node.system()).shardState()
        .tell(new GetShardRegionState(SessionEntity.TYPE_KEY, probe.getRef()));
    Set<String> ids = new HashSet<>();
    probe.receiveMessage(WAIT).getShards()
        .forEach(s -> ids.addAll(s.getEntityIds()));
    return ids;
  }
}
