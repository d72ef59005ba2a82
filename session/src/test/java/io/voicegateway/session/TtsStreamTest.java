package io.voicegateway.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.session.TtsStream.Close;
import io.voicegateway.session.TtsStream.Closed;
import io.voicegateway.session.TtsStream.Command;
import io.voicegateway.session.TtsStream.ControlAct;
import io.voicegateway.session.TtsStream.ControlOutcome;
import io.voicegateway.session.TtsStream.Event;
import io.voicegateway.session.TtsStream.Frame;
import io.voicegateway.session.TtsStream.FrameAck;
import io.voicegateway.session.TtsStream.Pause;
import io.voicegateway.session.TtsStream.Resume;
import io.voicegateway.session.TtsStream.Speak;
import io.voicegateway.session.TtsStream.SpeakRejected;
import io.voicegateway.session.TtsStream.Stop;
import io.voicegateway.session.TtsStream.UtteranceCompleted;
import io.voicegateway.session.TtsStream.UtteranceFailed;
import io.voicegateway.session.TtsStream.UtteranceStarted;
import io.voicegateway.session.TtsStream.UtteranceStopped;
import io.voicegateway.session.TtsStream.WorkerRejected;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TtsStream against real reference workers over loopback gRPC (mock-440hz: 25 frames). */
class TtsStreamTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int MOCK_FRAMES = 25;

  private static ActorTestKit testKit;
  private static TtsStreamSettings settings;
  private static WorkerClients clients;
  private static LoopbackWorker worker;
  private static final AtomicInteger ids = new AtomicInteger();

  private final CountingMetrics metrics = new CountingMetrics();

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("tts-stream-test", ConfigFactory.load());
    settings = TtsStreamSettings.fromConfig(testKit.system().settings().config());
    clients = new WorkerClients(testKit.system(), settings);
    worker = LoopbackWorker.start();
  }

  @AfterAll
  static void stop() {
    clients.close();
    testKit.shutdownTestKit();
    worker.close();
  }

  @Test
  void speaksMock440hzAsExactly25FramesOf1920BytesThenCompletes() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = spawn(worker.record(), "", parent);

    tts.tell(new Speak("u1", "hello"));

    parent.expectMessage(WAIT, new UtteranceStarted("u1"));
    List<Frame> frames = receiveFramesAcking(parent, tts, MOCK_FRAMES);
    for (int i = 0; i < frames.size(); i++) {
      assertEquals("u1", frames.get(i).utteranceId());
      assertEquals(1920, frames.get(i).pcm().length);
      assertEquals(i + 1, frames.get(i).workerSequence());
    }
    parent.expectMessage(WAIT, new UtteranceCompleted("u1", MOCK_FRAMES));
    assertEquals(0, metrics.protocolErrors.get());
    parent.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void withoutAcknowledgementsNoMoreThanTheWindowArrivesAndTheWorkerHolds() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = spawn(worker.record(), LoopbackWorker.SPEECH, parent);

    tts.tell(new Speak("u1", LoopbackWorker.LONG_TEXT));

    parent.expectMessage(WAIT, new UtteranceStarted("u1"));
    List<Frame> unacked = new ArrayList<>();
    for (int i = 0; i < settings.frameWindow(); i++) {
      unacked.add(parent.expectMessageClass(Frame.class, WAIT));
    }
    parent.expectNoMessage(Duration.ofSeconds(2));
    // minutes of audio, yet the worker's synthesis is still running: it is held, not finished
    assertEquals(1.0, worker.queueDepth(), "the worker's synthesis is held, not finished");

    // acknowledging lets exactly the next frames through, in sequence
    unacked.forEach(f -> tts.tell(new FrameAck(f.utteranceId())));
    List<Frame> next = receiveFramesAcking(parent, tts, settings.frameWindow());
    assertEquals(settings.frameWindow() + 1, next.get(0).workerSequence());

    tts.tell(new Stop());
    List<Frame> late = new ArrayList<>();
    UtteranceStopped stopped = collectFramesUntil(parent, tts, UtteranceStopped.class, late);
    assertEquals(2L * settings.frameWindow() + late.size(), stopped.frames());
    await().atMost(WAIT).until(() -> worker.queueDepth() == 0.0);
  }

  @Test
  void pauseHoldsFramesAndResumeContinuesWithoutAGap() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = spawn(worker.record(), "", parent);
    tts.tell(new Speak("u1", "pause me"));
    parent.expectMessage(WAIT, new UtteranceStarted("u1"));
    List<Frame> frames = new ArrayList<>(receiveFramesAcking(parent, tts, 3));

    tts.tell(new Pause());
    ControlOutcome paused = collectFramesUntil(parent, tts, ControlOutcome.class, frames);
    assertEquals(new ControlOutcome(ControlAct.PAUSE, true, "paused"), paused);
    parent.expectNoMessage(Duration.ofSeconds(1));

    tts.tell(new Resume());
    // the worker's answer to RESUME and the end of the short utterance may come in either order
    ControlOutcome resumed = null;
    UtteranceCompleted done = null;
    while (resumed == null || done == null) {
      Event e = parent.receiveMessage(WAIT);
      if (e instanceof ControlOutcome o) {
        resumed = o;
      } else if (e instanceof UtteranceCompleted c) {
        done = c;
      } else {
        Frame f = assertInstanceOf(Frame.class, e);
        frames.add(f);
        tts.tell(new FrameAck(f.utteranceId()));
      }
    }
    assertEquals(new ControlOutcome(ControlAct.RESUME, true, "resumed"), resumed);

    assertEquals(new UtteranceCompleted("u1", MOCK_FRAMES), done);
    for (int i = 0; i < frames.size(); i++) assertEquals(i + 1, frames.get(i).workerSequence());
  }

  @Test
  void stopEndsTheUtteranceAtOnceAndNoFrameOfItFollows() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = spawn(worker.record(), "", parent);
    tts.tell(new Speak("u1", "stop me"));
    parent.expectMessage(WAIT, new UtteranceStarted("u1"));
    List<Frame> frames = new ArrayList<>(receiveFramesAcking(parent, tts, 3));

    tts.tell(new Stop());
    UtteranceStopped stopped = collectFramesUntil(parent, tts, UtteranceStopped.class, frames);

    assertEquals(new UtteranceStopped("u1", frames.size()), stopped);
    assertTrue(frames.size() < MOCK_FRAMES);
    assertEquals(new ControlOutcome(ControlAct.STOP, true, "stopped"),
        parent.expectMessageClass(ControlOutcome.class, WAIT));
    parent.expectNoMessage(Duration.ofMillis(500));

    // the session stays usable: the next utterance is whole
    tts.tell(new Speak("u2", "again"));
    parent.expectMessage(WAIT, new UtteranceStarted("u2"));
    List<Frame> next = receiveFramesAcking(parent, tts, MOCK_FRAMES);
    assertEquals(1, next.get(0).workerSequence());
    parent.expectMessage(WAIT, new UtteranceCompleted("u2", MOCK_FRAMES));
  }

  @Test
  void speakWhileSpeakingIsRejectedAndTheRunningUtteranceContinues() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = spawn(worker.record(), "", parent);
    tts.tell(new Speak("u1", "first"));
    parent.expectMessage(WAIT, new UtteranceStarted("u1"));
    Frame first = parent.expectMessageClass(Frame.class, WAIT);

    tts.tell(new Speak("u2", "second"));
    List<Frame> frames = new ArrayList<>(List.of(first));
    SpeakRejected rejected = collectFramesUntil(parent, tts, SpeakRejected.class, frames);
    assertEquals("u2", rejected.utteranceId());
    assertTrue(rejected.reason().contains("u1"), rejected.reason());

    tts.tell(new FrameAck("u1"));
    collectFramesUntil(parent, tts, UtteranceCompleted.class, frames);
    assertEquals(MOCK_FRAMES, frames.size());
    assertTrue(frames.stream().allMatch(f -> f.utteranceId().equals("u1")));
  }

  @Test
  void aWorkerKilledMidUtteranceFailsItWithTheFramesDeliveredSoFar() {
    try (LoopbackWorker doomed = LoopbackWorker.start()) {
      TestProbe<Event> parent = testKit.createTestProbe();
      ActorRef<Command> tts = spawn(doomed.record(), LoopbackWorker.SPEECH, parent);
      tts.tell(new Speak("u1", LoopbackWorker.LONG_TEXT));
      parent.expectMessage(WAIT, new UtteranceStarted("u1"));
      List<Frame> frames = new ArrayList<>(receiveFramesAcking(parent, tts, 3));
      // stop acknowledging: the worker is held mid-utterance
      for (int i = 0; i < settings.frameWindow(); i++) {
        frames.add(parent.expectMessageClass(Frame.class, WAIT));
      }

      doomed.kill();
      // The client hands over what it had received before it reports the broken connection:
      // the session keeps consuming, as a pacing session would.
      for (int i = 0; i < settings.frameWindow(); i++) tts.tell(new FrameAck("u1"));
      UtteranceFailed failed = collectFramesUntil(parent, tts, UtteranceFailed.class, frames);
      assertEquals("u1", failed.utteranceId());
      assertEquals(frames.size(), failed.framesDelivered());
      assertFalse(failed.reason().isBlank());
      assertEquals(1, metrics.streamErrors.get() + metrics.protocolErrors.get());
      parent.expectTerminated(tts, WAIT);
    }
  }

  @Test
  void anUnknownModelIsAWorkerRejectionNamingTheModel() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = spawn(worker.record(), "no-such-model", parent);

    tts.tell(new Speak("u1", "hello"));

    WorkerRejected rejected = parent.expectMessageClass(WorkerRejected.class, WAIT);
    assertTrue(rejected.reason().contains("no-such-model"), rejected.reason());
    parent.expectTerminated(tts, WAIT);
  }

  @Test
  void aRefusedConnectionIsReportedWithinTheStartTimeout() {
    int port = LoopbackWorker.freePort();
    WorkerRecord nobody = new WorkerRecord("nobody", "grpc://127.0.0.1:" + port, null, null, null, 0);
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = spawn(nobody, "", parent);

    long startNanos = System.nanoTime();
    tts.tell(new Speak("u1", "hello"));

    WorkerRejected rejected = parent.expectMessageClass(WorkerRejected.class,
        settings.startTimeout().plusSeconds(5));
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    assertTrue(took.compareTo(settings.startTimeout().plusSeconds(2)) < 0, "took " + took);
    assertEquals("127.0.0.1:" + port, rejected.worker());
    parent.expectTerminated(tts, WAIT);
  }

  @Test
  void aStartSessionAnsweredAfterItsTimeoutIsEndedOnTheWorker() throws Exception {
    TtsStreamSettings quick = TtsStreamSettings.fromConfig(ConfigFactory.parseString(
        "voicegw.session.tts-stream.start-timeout = 300ms").withFallback(ConfigFactory.load()));
    try (MisbehavingWorker slow = MisbehavingWorker.start()) {
      TestProbe<Event> parent = testKit.createTestProbe();
      String id = MisbehavingWorker.SLOW_START + "-" + ids.incrementAndGet();
      ActorRef<Command> tts = testKit.spawn(TtsStream.create(id, slow.record(), "", clients,
          parent.getRef(), quick, metrics));
      tts.tell(new Speak("u1", "ok final"));
      WorkerRejected rejected = parent.expectMessageClass(WorkerRejected.class, WAIT);
      assertTrue(rejected.reason().contains("no answer within 300 ms"), rejected.reason());
      parent.expectTerminated(tts, WAIT);
      // the worker started the session after all: it must not be left there
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!slow.ended().contains(id) && System.nanoTime() < deadline) Thread.sleep(20);
      assertTrue(slow.ended().contains(id), "EndSession for the late session: " + slow.ended());
    }
  }

  @Test
  void twoSessionsOnOneWorkerDoNotInterfere() {
    TestProbe<Event> parentA = testKit.createTestProbe();
    TestProbe<Event> parentB = testKit.createTestProbe();
    ActorRef<Command> a = spawn(worker.record(), "", parentA);
    ActorRef<Command> b = spawn(worker.record(), "", parentB);

    a.tell(new Speak("a1", "for a"));
    b.tell(new Speak("b1", "for b"));
    parentA.expectMessage(WAIT, new UtteranceStarted("a1"));
    parentB.expectMessage(WAIT, new UtteranceStarted("b1"));
    List<Frame> framesA = new ArrayList<>(receiveFramesAcking(parentA, a, 2));
    List<Frame> framesB = new ArrayList<>(receiveFramesAcking(parentB, b, 2));

    // stopping A does not touch B, though both share one connection to the worker
    a.tell(new Stop());
    collectFramesUntil(parentA, a, UtteranceStopped.class, framesA);
    collectFramesUntil(parentB, b, UtteranceCompleted.class, framesB);

    assertEquals(MOCK_FRAMES, framesB.size());
    assertTrue(framesB.stream().allMatch(f -> f.utteranceId().equals("b1")));
    for (int i = 0; i < framesB.size(); i++) assertEquals(i + 1, framesB.get(i).workerSequence());
    assertTrue(framesA.stream().allMatch(f -> f.utteranceId().equals("a1")));
    assertTrue(clients.targets().contains(worker.record().dialTarget()));
  }

  @Test
  void sessionsThatStopAcknowledgingDoNotHoldUpAnotherOnTheSameWorker() {
    // several held streams together hold more than one stream window on the shared connection
    List<ActorRef<Command>> held = new ArrayList<>();
    for (int n = 0; n < 4; n++) {
      TestProbe<Event> slow = testKit.createTestProbe();
      ActorRef<Command> a = spawn(worker.record(), LoopbackWorker.SPEECH, slow);
      held.add(a);
      a.tell(new Speak("a" + n, LoopbackWorker.LONG_TEXT));
      slow.expectMessage(WAIT, new UtteranceStarted("a" + n));
      for (int i = 0; i < settings.frameWindow(); i++) slow.expectMessageClass(Frame.class, WAIT);
      slow.expectNoMessage(Duration.ofMillis(300)); // held, its transport window full
    }
    TestProbe<Event> other = testKit.createTestProbe();
    ActorRef<Command> b = spawn(worker.record(), "", other);

    b.tell(new Speak("b1", "meanwhile"));
    other.expectMessage(WAIT, new UtteranceStarted("b1"));
    assertEquals(MOCK_FRAMES, receiveFramesAcking(other, b, MOCK_FRAMES).size());
    other.expectMessage(WAIT, new UtteranceCompleted("b1", MOCK_FRAMES));
    held.forEach(a -> a.tell(new Stop()));
  }

  @Test
  void closeEndsTheWorkerSessionAndStops() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = spawn(worker.record(), "", parent);
    tts.tell(new Speak("u1", "hello"));
    parent.expectMessage(WAIT, new UtteranceStarted("u1"));
    receiveFramesAcking(parent, tts, MOCK_FRAMES);
    parent.expectMessage(WAIT, new UtteranceCompleted("u1", MOCK_FRAMES));
    double before = worker.activeSessions();

    tts.tell(new Close());

    assertInstanceOf(Closed.class, parent.receiveMessage(WAIT));
    parent.expectTerminated(tts, WAIT);
    await().atMost(WAIT).until(() -> worker.activeSessions() <= before - 1);
  }

  @Test
  void invalidSettingsNameTheKey() {
    var bad = ConfigFactory.parseString("voicegw.session.tts-stream.frame-window = 0")
        .withFallback(ConfigFactory.load());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TtsStreamSettings.fromConfig(bad));
    assertTrue(e.getMessage().contains("voicegw.session.tts-stream.frame-window"), e.getMessage());

    var notDuration = ConfigFactory.parseString("voicegw.session.tts-stream.start-timeout = soon")
        .withFallback(ConfigFactory.load());
    e = assertThrows(IllegalArgumentException.class,
        () -> TtsStreamSettings.fromConfig(notDuration));
    assertTrue(e.getMessage().contains("voicegw.session.tts-stream.start-timeout"), e.getMessage());

    var executor = ConfigFactory.parseString(
        "voicegw.session.worker-client.callback-executor = threads")
        .withFallback(ConfigFactory.load());
    e = assertThrows(IllegalArgumentException.class, () -> TtsStreamSettings.fromConfig(executor));
    assertTrue(e.getMessage().contains("voicegw.session.worker-client.callback-executor")
        && e.getMessage().contains("direct or pool"), e.getMessage());
  }

  // ---------------------------------------------------------------- helpers

  private ActorRef<Command> spawn(WorkerRecord record, String model, TestProbe<Event> parent) {
    return testKit.spawn(TtsStream.create("session-" + ids.incrementAndGet(), record, model,
        clients, parent.getRef(), settings, metrics));
  }

  /** The next {@code n} messages, each a Frame, each acknowledged as it arrives. */
  private static List<Frame> receiveFramesAcking(TestProbe<Event> parent, ActorRef<Command> tts,
      int n) {
    List<Frame> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Frame f = parent.expectMessageClass(Frame.class, WAIT);
      frames.add(f);
      tts.tell(new FrameAck(f.utteranceId()));
    }
    return frames;
  }

  /** Acknowledges and collects frames until an event of {@code type}, which it returns. */
  private static <T extends Event> T collectFramesUntil(TestProbe<Event> parent,
      ActorRef<Command> tts, Class<T> type, List<Frame> into) {
    while (true) {
      Event e = parent.receiveMessage(WAIT);
      if (type.isInstance(e)) return type.cast(e);
      Frame f = assertInstanceOf(Frame.class, e, "expected a Frame or " + type.getSimpleName());
      into.add(f);
      tts.tell(new FrameAck(f.utteranceId()));
    }
  }

  private static final class CountingMetrics implements TtsStreamMetrics {
    final AtomicInteger protocolErrors = new AtomicInteger();
    final AtomicInteger streamErrors = new AtomicInteger();

    @Override
    public void protocolErrorFrame() {
      protocolErrors.incrementAndGet();
    }

    @Override
    public void streamError() {
      streamErrors.incrementAndGet();
    }
  }
}
