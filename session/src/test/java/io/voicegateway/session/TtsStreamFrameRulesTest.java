package io.voicegateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.voicegateway.session.TtsStream.Command;
import io.voicegateway.session.TtsStream.Event;
import io.voicegateway.session.TtsStream.Frame;
import io.voicegateway.session.TtsStream.FrameAck;
import io.voicegateway.session.TtsStream.Speak;
import io.voicegateway.session.TtsStream.UtteranceCompleted;
import io.voicegateway.session.TtsStream.UtteranceFailed;
import io.voicegateway.session.TtsStream.UtteranceStarted;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The frame rules of WIRE.md §2, against a worker that breaks them (see MisbehavingWorker). */
class TtsStreamFrameRulesTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static ActorTestKit testKit;
  private static TtsStreamSettings settings;
  private static WorkerClients clients;
  private static MisbehavingWorker worker;
  private static final AtomicInteger ids = new AtomicInteger();

  private final AtomicInteger protocolErrors = new AtomicInteger();
  private final AtomicInteger streamErrors = new AtomicInteger();
  private final TtsStreamMetrics metrics = new TtsStreamMetrics() {
    @Override
    public void protocolErrorFrame() {
      protocolErrors.incrementAndGet();
    }

    @Override
    public void streamError() {
      streamErrors.incrementAndGet();
    }
  };

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("frame-rules-test", ConfigFactory.load());
    settings = TtsStreamSettings.fromConfig(testKit.system().settings().config());
    clients = new WorkerClients(testKit.system(), settings);
    worker = MisbehavingWorker.start();
  }

  @AfterAll
  static void stop() {
    clients.close();
    testKit.shutdownTestKit();
    worker.close();
  }

  @Test
  void anEndMarkerCompletesTheUtteranceAndIsNotForwarded() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = speak(parent, "ok ok marker");

    assertFrame(parent, tts, 1);
    assertFrame(parent, tts, 2);
    parent.expectMessage(WAIT, new UtteranceCompleted("u1", 2));
    assertEquals(0, protocolErrors.get());
  }

  @Test
  void anEmptyFrameWithoutIsFinalIsSkippedAndCounted() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = speak(parent, "ok empty final");

    assertFrame(parent, tts, 1);
    assertFrame(parent, tts, 3);
    parent.expectMessage(WAIT, new UtteranceCompleted("u1", 2));
    assertEquals(1, protocolErrors.get());
  }

  @Test
  void aFrameOfTheWrongSizeFailsTheUtteranceAndIsNotForwarded() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = speak(parent, "ok short ok final");

    assertFrame(parent, tts, 1);
    UtteranceFailed failed = parent.expectMessageClass(UtteranceFailed.class, WAIT);
    assertEquals(1, failed.framesDelivered());
    assertTrue(failed.reason().contains("1000 bytes"), failed.reason());
    assertEquals(1, protocolErrors.get());
    parent.expectTerminated(tts, WAIT);
  }

  @Test
  void aCallEndingWithoutAFinalFrameFailsTheUtterance() {
    TestProbe<Event> parent = testKit.createTestProbe();
    ActorRef<Command> tts = speak(parent, "ok ok");

    assertFrame(parent, tts, 1);
    assertFrame(parent, tts, 2);
    UtteranceFailed failed = parent.expectMessageClass(UtteranceFailed.class, WAIT);
    assertEquals(2, failed.framesDelivered());
    assertTrue(failed.reason().contains("is_final"), failed.reason());
    parent.expectTerminated(tts, WAIT);
  }

  @Test
  void workerClientsShareOneClientPerDialTargetAndRefuseUseAfterClose() {
    WorkerClients own = new WorkerClients(testKit.system(), settings);
    assertSame(own.clientFor(worker.record()), own.clientFor("127.0.0.1",
        worker.record().dialPort()));
    assertNotSame(own.clientFor(worker.record()), own.clientFor("127.0.0.1", 1));
    assertEquals(2, own.targets().size());

    LoopbackWorker.await(own.closeAll());

    assertEquals(0, own.targets().size());
    assertThrows(IllegalStateException.class, () -> own.clientFor(worker.record()));
  }

  private ActorRef<Command> speak(TestProbe<Event> parent, String script) {
    ActorRef<Command> tts = testKit.spawn(TtsStream.create("rules-" + ids.incrementAndGet(),
        worker.record(), "", clients, parent.getRef(), settings, metrics));
    tts.tell(new Speak("u1", script));
    parent.expectMessage(WAIT, new UtteranceStarted("u1"));
    return tts;
  }

  private static void assertFrame(TestProbe<Event> parent, ActorRef<Command> tts, long seq) {
    Frame f = parent.expectMessageClass(Frame.class, WAIT);
    assertEquals(seq, f.workerSequence());
    assertEquals(TtsStream.FRAME_BYTES, f.pcm().length);
    tts.tell(new FrameAck(f.utteranceId()));
  }
}
