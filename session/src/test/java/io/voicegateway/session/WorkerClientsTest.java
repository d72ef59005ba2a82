package io.voicegateway.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.typesafe.config.ConfigFactory;
import io.grpc.ConnectivityState;
import io.voicegateway.registry.WorkerRecord;
import java.time.Duration;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A node connects to a worker it is shown before any session needs the connection. */
class WorkerClientsTest {

  private static ActorTestKit testKit;
  private static LoopbackWorker worker;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("worker-clients-test", ConfigFactory.load());
    worker = LoopbackWorker.start();
  }

  @AfterAll
  static void stop() {
    worker.close();
    testKit.shutdownTestKit();
  }

  @Test
  void preconnectOpensTheConnectionsOnceAndSessionsShareThem() {
    try (WorkerClients clients = new WorkerClients(testKit.system(),
        TtsStreamSettings.fromConfig(testKit.system().settings().config()))) {
      WorkerRecord record = worker.record();
      clients.preconnect(record);
      assertEquals(Set.of("127.0.0.1:" + record.dialPort()), clients.targets());
      // the Synthesize channel connects without any call on it
      await().atMost(Duration.ofSeconds(30)).until(() ->
          clients.synthesisChannelFor(record).getState(false) == ConnectivityState.READY);
      var channel = clients.synthesisChannelFor(record);
      clients.preconnect(record); // again (every registry snapshot): nothing new is opened
      assertSame(channel, clients.synthesisChannelFor(record));
      assertEquals(1, clients.targets().size());
    }
  }
}
