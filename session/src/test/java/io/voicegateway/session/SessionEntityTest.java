package io.voicegateway.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.voicegateway.registry.RegistryMirror;
import io.voicegateway.registry.SelectionStrategy;
import io.voicegateway.registry.WorkerDirectory;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.registry.WorkerSelector;
import io.voicegateway.registry.WorkerSnapshot;
import io.voicegateway.session.SessionEntity.Act;
import io.voicegateway.session.SessionEntity.Attach;
import io.voicegateway.session.SessionEntity.Audio;
import io.voicegateway.session.SessionEntity.Clear;
import io.voicegateway.session.SessionEntity.ClientAck;
import io.voicegateway.session.SessionEntity.ClientEvent;
import io.voicegateway.session.SessionEntity.Command;
import io.voicegateway.session.SessionEntity.Control;
import io.voicegateway.session.SessionEntity.Error;
import io.voicegateway.session.SessionEntity.Paused;
import io.voicegateway.session.SessionEntity.Resumed;
import io.voicegateway.session.SessionEntity.Say;
import io.voicegateway.session.SessionEntity.SessionEnded;
import io.voicegateway.session.SessionEntity.SessionStarted;
import io.voicegateway.session.SessionEntity.UtteranceEnd;
import io.voicegateway.session.SessionEntity.UtteranceStart;
import io.voicegateway.session.SessionEntity.WorkerChanged;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SessionEntity on a one-node cluster against real reference workers over loopback gRPC
 * (default model mock-440hz: 25 frames per utterance). The probe plays the connector and acks
 * each Audio. Worker discovery goes through a real {@link WorkerDirectory} and
 * {@link WorkerSelector}; tests publish snapshots into the directory themselves, and a probe stands
 * in for the registry mirror (it receives the entity's Subscribe and forwards snapshots).
 */
class SessionEntityTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int MOCK_FRAMES = 25;

  private static ActorTestKit testKit;
  private static TtsStreamSettings ttsSettings;
  private static WorkerClients clients;
  private static LoopbackWorker worker;
  private static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void start() {
    Config config = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        """).withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create("session-entity-test", config);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    await().atMost(WAIT).until(() -> cluster.selfMember().status() == MemberStatus.up());
    ttsSettings = TtsStreamSettings.fromConfig(testKit.system().settings().config());
    clients = new WorkerClients(testKit.system(), ttsSettings);
    worker = LoopbackWorker.start();
  }

  @AfterAll
  static void stop() {
    clients.close();
    testKit.shutdownTestKit();
    worker.close();
  }

  // ---------------------------------------------------------------- behaviours

  @Test
  void twoUtterancesThroughShardingGive50FramesInSequenceWithStartAndEndAroundEach() {
    WorkerDirectory directory = directoryWith(worker);
    ActorRef<ShardingEnvelope<Command>> region =
        NodeLocalSharding.init(testKit.system(), services(directory, defaults(), null), 4);
    String id = "ws-" + ids.incrementAndGet();
    String entityId =
        new SessionEntityId(id, NodeLocalSharding.nodeTag(testKit.system()), 1).entityId();
    Consumer<Command> session = c -> region.tell(new ShardingEnvelope<>(entityId, c));
    TestProbe<ClientEvent> client = testKit.createTestProbe();

    session.accept(new Attach(client.ref()));
    assertEquals(id, client.expectMessageClass(SessionStarted.class, WAIT).sessionId());
    session.accept(new Say(Optional.empty(), "first"));
    session.accept(new Say(Optional.empty(), "second"));

    List<ClientEvent> events = collectUntil(client, session,
        e -> e instanceof UtteranceEnd u && u.utteranceId().equals("u2"));
    List<Object> shape = new ArrayList<>();
    long expected = 1;
    for (ClientEvent e : events) {
      if (e instanceof Audio a) {
        assertEquals(expected++, a.sequence());
        assertEquals(TtsStream.FRAME_BYTES, a.pcm().length);
        if (!(shape.get(shape.size() - 1) instanceof Integer)) shape.add(0);
        shape.set(shape.size() - 1, (Integer) shape.get(shape.size() - 1) + 1);
      } else {
        shape.add(e);
      }
    }
    assertEquals(List.of(new UtteranceStart("u1"), MOCK_FRAMES,
        new UtteranceEnd("u1", MOCK_FRAMES, "completed"), new UtteranceStart("u2"), MOCK_FRAMES,
        new UtteranceEnd("u2", MOCK_FRAMES, "completed")), shape);
    assertEquals(51, expected);

    session.accept(new SessionEntity.End("client_disconnect"));
    client.expectMessage(WAIT, new SessionEnded("client_disconnect"));
  }

  @Test
  void pauseHoldsAudioUntilResumeAndTheSequenceContinuesWithoutAGap() {
    var s = spawnSession(directoryWith(worker), defaults());
    s.say("pause me");
    List<ClientEvent> events = new ArrayList<>(collectAudio(s, 3));
    s.control(Act.PAUSE);
    events.addAll(collectUntil(s.client, s::tell, e -> e instanceof Paused));
    s.client.expectNoMessage(Duration.ofSeconds(1));

    s.control(Act.RESUME);
    events.addAll(collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd));
    assertTrue(events.contains(new Resumed()));
    assertEquals(new UtteranceEnd("u1", MOCK_FRAMES, "completed"), events.get(events.size() - 1));
    assertContiguousFrom(1, audio(events), MOCK_FRAMES);
  }

  @Test
  void stopClearsEndsTheUtteranceAndEmptiesTheQueueAndTheNextSayWorks() {
    var s = spawnSession(directoryWith(worker), defaults());
    s.say("one");
    s.say("two");
    s.say("three");
    List<ClientEvent> before = new ArrayList<>(collectAudio(s, 3));
    // no more acks: u1 cannot finish before STOP arrives
    s.control(Act.STOP);
    List<ClientEvent> events = new ArrayList<>();
    ClientEvent e;
    while (!((e = s.client.receiveMessage(WAIT)) instanceof Clear)) events.add(e);
    before.addAll(events);
    long sent = audio(before).size();
    assertEquals(new UtteranceEnd("u1", sent, "stopped"), s.client.receiveMessage(WAIT));
    assertEquals(new UtteranceEnd("u2", 0, "stopped"), s.client.receiveMessage(WAIT));
    assertEquals(new UtteranceEnd("u3", 0, "stopped"), s.client.receiveMessage(WAIT));
    for (int i = 0; i < sent; i++) s.tell(new ClientAck());
    s.client.expectNoMessage(Duration.ofMillis(500));

    s.say("again");
    List<ClientEvent> next = collectUntil(s.client, s::tell, x -> x instanceof UtteranceEnd);
    assertEquals(new UtteranceStart("u4"), next.get(0));
    assertEquals(new UtteranceEnd("u4", MOCK_FRAMES, "completed"), next.get(next.size() - 1));
    assertContiguousFrom(sent + 1, audio(next), MOCK_FRAMES);
  }

  @Test
  void realtimePacingSpreads25FramesOverAtLeast380Ms() {
    var s = spawnSession(directoryWith(worker), defaults());
    long start = System.nanoTime();
    s.say("paced");
    List<ClientEvent> events = collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd);
    List<Audio> frames = audio(events);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(MOCK_FRAMES, frames.size());
    // 100 ms lead: ~6 frames at once, then one per 20 ms: the 25th no earlier than ~380 ms
    assertTrue(elapsedMs >= 380, "25 frames arrived within " + elapsedMs + " ms");
  }

  @Test
  void burstPacingDeliversAllFramesAsFastAsTheClientAcks() {
    var s = spawnSession(directoryWith(worker), settings("pacing.mode = burst"));
    s.say("burst");
    List<ClientEvent> events = collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd);
    assertContiguousFrom(1, audio(events), MOCK_FRAMES);
    assertEquals(new UtteranceEnd("u1", MOCK_FRAMES, "completed"), events.get(events.size() - 1));
  }

  @Test
  void aWorkerKilledMidUtteranceIsReplacedAndTheClientGetsEveryFrameOnceInSequence() {
    // mock-440hz (25 frames) fits the transport buffers and ends before any kill: a real voice
    // speaks long enough to be cut; its synthesis is deterministic, so the uncut count is known
    SessionSettings speech = settings("pacing.mode = burst").withModel(LoopbackWorker.SPEECH);
    String text = "The gateway keeps speaking when its worker dies in the middle of a sentence. "
        .repeat(3);
    var reference = spawnSession(directoryWith(worker), speech);
    reference.say(text);
    int uncut = audio(collectUntil(reference.client, reference::tell,
        e -> e instanceof UtteranceEnd)).size();
    assertTrue(uncut > 100, "uncut utterance has " + uncut + " frames");
    try (LoopbackWorker doomed = LoopbackWorker.start()) {
      WorkerDirectory directory = directoryWith(doomed);
      var s = spawnSession(directory, speech);
      s.say(text);
      List<ClientEvent> events = new ArrayList<>(collectAudio(s, 3));
      // stop acking: the doomed worker is held mid-utterance
      for (int i = 0; i < defaults().clientWindow(); i++) {
        events.add(s.client.expectMessageClass(Audio.class, WAIT));
      }
      directory.publish(snapshot(doomed, worker));
      doomed.kill();
      for (int i = 0; i < defaults().clientWindow(); i++) s.tell(new ClientAck());

      events.addAll(collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd));
      assertTrue(events.stream().anyMatch(e -> e instanceof WorkerChanged w
          && w.utteranceId().equals("u1")), events.toString());
      assertEquals(new UtteranceEnd("u1", uncut, "completed"), events.get(events.size() - 1));
      assertContiguousFrom(1, audio(events), uncut);
      assertTrue(events.stream().noneMatch(e -> e instanceof Error), events.toString());
    }
  }

  @Test
  void anUtteranceFailingOnMoreWorkersThanMaxFailoversEndsAsFailedAndTheNextIsSpoken() {
    // both workers break the frame rules ("short": 1000 bytes), so every attempt fails
    try (MisbehavingWorker a = MisbehavingWorker.start();
        MisbehavingWorker b = MisbehavingWorker.start()) {
      WorkerDirectory directory = new WorkerDirectory();
      directory.publish(WorkerSnapshot.of(Instant.now(), List.of(a.record("bad-a"),
          b.record("bad-b"))));
      var s = spawnSession(directory, settings("max-failovers = 1"));
      s.say("ok short");
      List<ClientEvent> events = collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd);
      assertEquals(1, events.stream().filter(e -> e instanceof WorkerChanged).count(),
          "one worker change allowed: " + events);
      assertTrue(events.stream().anyMatch(e -> e instanceof Error err
          && err.code().equals("SYNTHESIS_FAILED")), events.toString());
      assertEquals("failed", ((UtteranceEnd) events.get(events.size() - 1)).reason());

      directory.publish(snapshot(worker)); // a worker that works
      s.say("next");
      List<ClientEvent> next = collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd);
      assertEquals(new UtteranceEnd("u2", MOCK_FRAMES, "completed"), next.get(next.size() - 1),
          "the queue moves on: " + next);
    }
  }

  @Test
  void theOnlyWorkerIsTriedAgainAfterItFailedInsteadOfBeingShunnedForTheSession() {
    try (MisbehavingWorker only = MisbehavingWorker.start()) {
      WorkerDirectory directory = new WorkerDirectory();
      directory.publish(WorkerSnapshot.of(Instant.now(), List.of(only.record("only"))));
      var s = spawnSession(directory, settings("max-failovers = 1"));
      s.say("ok short"); // breaks the frame rules on every attempt
      List<ClientEvent> failed = collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd);
      assertEquals("failed", ((UtteranceEnd) failed.get(failed.size() - 1)).reason());
      assertTrue(failed.stream().noneMatch(e -> e instanceof Error err
          && err.code().equals("WORKER_UNAVAILABLE")), "retried, not shunned: " + failed);

      s.say("ok final"); // a valid utterance of two frames, on the same worker
      List<ClientEvent> next = collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd);
      assertEquals(new UtteranceEnd("u2", 2, "completed"), next.get(next.size() - 1),
          next.toString());
    }
  }

  @Test
  void withNoWorkerTheTextWaitsAndIsSpokenWhenAWorkerAppears() {
    WorkerDirectory directory = new WorkerDirectory();
    TestProbe<RegistryMirror.Command> mirror = testKit.createTestProbe();
    var s = spawnSession(directory, defaults(), mirror.ref());
    s.say("wait for a worker");
    Error error = s.client.expectMessageClass(Error.class, WAIT);
    assertEquals("WORKER_UNAVAILABLE", error.code());
    RegistryMirror.Subscribe subscribe =
        mirror.expectMessageClass(RegistryMirror.Subscribe.class, WAIT);

    WorkerSnapshot snapshot = snapshot(worker);
    directory.publish(snapshot);
    subscribe.subscriber().tell(snapshot);

    List<ClientEvent> events = collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd);
    assertEquals(new UtteranceStart("u1"), events.get(0));
    assertEquals(new UtteranceEnd("u1", MOCK_FRAMES, "completed"), events.get(events.size() - 1));
    assertContiguousFrom(1, audio(events), MOCK_FRAMES);
  }

  @Test
  void idleTimeoutEndsTheSessionAndStopsTheEntity() {
    var s = spawnSession(directoryWith(worker), settings("idle-timeout = 1s"));
    s.say("then silence");
    collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd);
    assertEquals(new SessionEnded("idle_timeout"), s.client.receiveMessage(WAIT));
    s.client.expectTerminated(s.ref, WAIT);
  }

  @Test
  void theMessageBeyondMaxMessagesEndsTheSession() {
    var s = spawnSession(directoryWith(worker), settings("max-messages = 3"));
    s.say("one");
    collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd);
    s.control(Act.PAUSE);
    s.client.expectMessage(WAIT, new Paused());
    s.control(Act.RESUME);
    s.client.expectMessage(WAIT, new Resumed());
    s.control(Act.PAUSE);
    assertEquals(new SessionEnded("max_messages"), s.client.receiveMessage(WAIT));
    s.client.expectTerminated(s.ref, WAIT);
  }

  @Test
  void aFullQueueRejectsTextNamingTheLimitAndTheSessionGoesOn() {
    var s = spawnSession(directoryWith(worker), settings("max-queued-utterances = 2"));
    s.say("one"); // spoken at once
    s.say("two");
    s.say("three");
    s.say("four"); // the queue holds two
    List<ClientEvent> events = collectUntil(s.client, s::tell,
        e -> e instanceof UtteranceEnd u && u.utteranceId().equals("u3"));
    List<Error> errors = events.stream().filter(e -> e instanceof Error).map(e -> (Error) e)
        .toList();
    assertEquals(1, errors.size(), events.toString());
    assertEquals("INVALID_MESSAGE", errors.get(0).code());
    assertTrue(errors.get(0).message().contains("max-queued-utterances")
        && errors.get(0).message().contains("2"), errors.get(0).message());
    assertContiguousFrom(1, audio(events), 3 * MOCK_FRAMES);
    s.client.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void afterWorkerWaitWithNoWorkerTheUtterancesFailAndTheSessionStaysOpen() {
    WorkerDirectory directory = new WorkerDirectory();
    var s = spawnSession(directory, settings("worker-wait = 1s"));
    s.say("one");
    s.say("two");
    assertEquals("WORKER_UNAVAILABLE", s.client.expectMessageClass(Error.class, WAIT).code());
    assertEquals(new UtteranceEnd("u1", 0, "failed"), s.client.receiveMessage(WAIT));
    assertEquals(new UtteranceEnd("u2", 0, "failed"), s.client.receiveMessage(WAIT));

    directory.publish(snapshot(worker));
    s.say("three");
    List<ClientEvent> events = collectUntil(s.client, s::tell, e -> e instanceof UtteranceEnd);
    assertEquals(new UtteranceEnd("u3", MOCK_FRAMES, "completed"), events.get(events.size() - 1));
  }

  @Test
  void aLateMessageToAnEndedSessionStopsTheFreshIncarnationInsteadOfLeavingAnOrphan() {
    // sharding starts a new incarnation for a ClientAck that arrives after the session ended
    String id = "ws-" + ids.incrementAndGet();
    ActorRef<Command> late = testKit.spawn(
        SessionEntity.create(id, services(directoryWith(worker), defaults(), null)), id);
    TestProbe<Object> watcher = testKit.createTestProbe();
    late.tell(new ClientAck());
    watcher.expectTerminated(late, WAIT);
  }

  @Test
  void commandsCrossNodesAsCbor() throws Exception {
    var serialization = org.apache.pekko.serialization.SerializationExtension.get(
        org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(testKit.system()));
    TestProbe<ClientEvent> client = testKit.createTestProbe();
    for (Object m : List.of(new Say(Optional.of("a1"), "hi"), new Say(Optional.empty(), "x"),
        new Control(Act.STOP), new ClientAck(), new SessionEntity.End("client_disconnect"),
        new Attach(client.ref()), new UtteranceEnd("u1", 3, "stopped"))) {
      var serializer = serialization.findSerializerFor(m);
      assertTrue(serializer.getClass().getName().contains("Jackson"), serializer.getClass().getName());
      byte[] bytes = serialization.serialize(m).get();
      Object back = serialization.deserialize(bytes, serializer.identifier(),
          org.apache.pekko.serialization.Serializers.manifestFor(serializer, m)).get();
      assertEquals(m, back);
    }
  }

  // ---------------------------------------------------------------- helpers

  private record Session(ActorRef<Command> ref, TestProbe<ClientEvent> client) {
    void tell(Command c) {
      ref.tell(c);
    }

    void say(String text) {
      ref.tell(new Say(Optional.empty(), text));
    }

    void control(Act act) {
      ref.tell(new Control(act));
    }
  }

  private Session spawnSession(WorkerDirectory directory, SessionSettings settings) {
    return spawnSession(directory, settings, null);
  }

  private Session spawnSession(WorkerDirectory directory, SessionSettings settings,
      ActorRef<RegistryMirror.Command> mirror) {
    String id = "ws-" + ids.incrementAndGet();
    ActorRef<Command> ref =
        testKit.spawn(SessionEntity.create(id, services(directory, settings, mirror)), id);
    TestProbe<ClientEvent> client = testKit.createTestProbe();
    ref.tell(new Attach(client.ref()));
    assertEquals(id, client.expectMessageClass(SessionStarted.class, WAIT).sessionId());
    return new Session(ref, client);
  }

  private static SessionServices services(WorkerDirectory directory, SessionSettings settings,
      ActorRef<RegistryMirror.Command> mirror) {
    WorkerSelector selector = new WorkerSelector(directory, SelectionStrategy.LEAST_LOADED,
        Duration.ofDays(1), () -> 0.0); // LoopbackWorker records carry heartbeat 0
    ActorRef<RegistryMirror.Command> m =
        mirror != null ? mirror : testKit.<RegistryMirror.Command>createTestProbe().ref();
    return new SessionServices(selector, clients, m, ttsSettings, settings, SessionMetrics.NONE,
        TtsStreamMetrics.NONE);
  }

  private static SessionSettings defaults() {
    return SessionSettings.fromConfig(testKit.system().settings().config());
  }

  private static SessionSettings settings(String overrides) {
    return SessionSettings.fromConfig(ConfigFactory.parseString("voicegw.session." + overrides)
        .withFallback(testKit.system().settings().config()));
  }

  private static WorkerDirectory directoryWith(LoopbackWorker... workers) {
    WorkerDirectory d = new WorkerDirectory();
    d.publish(snapshot(workers));
    return d;
  }

  private static WorkerSnapshot snapshot(LoopbackWorker... workers) {
    List<WorkerRecord> records = new ArrayList<>();
    for (LoopbackWorker w : workers) records.add(w.record());
    return WorkerSnapshot.of(Instant.now(), records);
  }

  /** Receives events, acking every Audio, until one matches (included). */
  private static List<ClientEvent> collectUntil(TestProbe<ClientEvent> client,
      Consumer<Command> session, Predicate<ClientEvent> last) {
    List<ClientEvent> events = new ArrayList<>();
    while (true) {
      ClientEvent e = client.receiveMessage(WAIT);
      events.add(e);
      if (e instanceof Audio) session.accept(new ClientAck());
      if (last.test(e)) return events;
    }
  }

  /** Receives events (acking Audio) until {@code n} Audio events have come. */
  private static List<ClientEvent> collectAudio(Session s, int n) {
    int[] count = {0};
    return collectUntil(s.client, s::tell, e -> e instanceof Audio && ++count[0] == n);
  }

  private static List<Audio> audio(List<ClientEvent> events) {
    return events.stream().filter(e -> e instanceof Audio).map(e -> (Audio) e).toList();
  }

  private static void assertContiguousFrom(long first, List<Audio> frames, int count) {
    assertEquals(count, frames.size(), "frames");
    for (int i = 0; i < frames.size(); i++) {
      assertEquals(first + i, frames.get(i).sequence(), "sequence at " + i);
      assertEquals(TtsStream.FRAME_BYTES, frames.get(i).pcm().length);
    }
  }
}
