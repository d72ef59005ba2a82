package io.voicegateway.gateway.ws;

import static io.voicegateway.gateway.ws.WebSocketSessionTest.MOCK_FRAMES;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.WAIT;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.assertContiguous;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.audio;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.concat;
import static io.voicegateway.gateway.ws.WebSocketSessionTest.connect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Workers failing under a live session, and no worker at all. */
class WorkerFailureTest {

  private static final String SPEECH = "espeak-ng-en";
  private static final String TEXT = "The quick brown fox jumps over the lazy dog. "
      + "Pack my box with five dozen liquor jugs.";

  @Test
  void withNoWorkerTheTextWaitsWithWorkerUnavailableAndIsSpokenWhenOneRegisters()
      throws Exception {
    try (GatewayFixture f = GatewayFixture.startWithoutWorker("");
        GatewayClient c = connect(f, "")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      c.sendText("wait for me", "w1");
      ServerEvent.Error e = c.expect(ServerEvent.Error.class, WAIT);
      assertEquals("WORKER_UNAVAILABLE", e.code());
      assertTrue(e.message().contains("stays queued"), e.message());

      f.startWorker("mock-440hz");
      List<ServerEvent> events = c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT);
      assertEquals("w1", ((ServerEvent.UtteranceEnd) events.get(events.size() - 1)).id());
      assertContiguous(1, audio(events), MOCK_FRAMES);
    }
  }

  @Test
  void aWorkerKilledMidUtteranceIsReplacedAndTheClientHearsEveryFrameOnce() throws Exception {
    try (GatewayFixture f = GatewayFixture.startWithoutWorker(
        // a loaded machine can take seconds to answer StartSession; the failover is what counts
        "voicegw.session.tts-stream.start-timeout = 10s")) {
      Map<String, Process> workers = new HashMap<>();
      try {
        for (String name : List.of("kill-a", "kill-b")) {
          workers.put(name, startWorkerProcess(f, name));
        }
        // two worker JVMs start and register: on a loaded 2-core machine that alone can take
        // half a minute
        f.awaitWorkers(2, Duration.ofSeconds(120));
        try (GatewayClient c = connect(f, "")) {
          c.expect(ServerEvent.SessionStart.class, WAIT);
          // the uncut utterance, for reference (espeak-ng is deterministic)
          c.sendText(TEXT, "reference");
          List<ServerEvent.Audio> reference =
              audio(c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT));
          assertTrue(reference.size() > 100, "long enough to be cut: " + reference.size());
          String serving = servingWorker(f);

          c.sendText(TEXT, "cut");
          List<ServerEvent> events = new ArrayList<>();
          while (audio(events).size() < 30) events.add(c.next(WAIT));
          workers.get(serving).destroyForcibly(); // SIGKILL
          events.addAll(c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT));

          assertTrue(events.stream().anyMatch(e -> e instanceof ServerEvent.WorkerChanged w
              && w.id().equals("cut") && w.reason().equals("worker_failed")), events.toString());
          ServerEvent.UtteranceEnd end = (ServerEvent.UtteranceEnd) events.get(events.size() - 1);
          assertEquals("completed", end.reason());
          List<ServerEvent.Audio> heard = audio(events);
          assertContiguous(reference.size() + 1, heard, reference.size());
          assertArrayEquals(concat(reference), concat(heard), "no gap, no repeat");
        }
      } finally {
        workers.values().forEach(Process::destroyForcibly);
      }
    }
  }

  /** The worker whose name the session selected (the only one selected so far). */
  private static String servingWorker(GatewayFixture f) {
    Map<String, Long> counts = f.gateway.selector().selectionCounts();
    List<String> used = counts.entrySet().stream().filter(e -> e.getValue() > 0)
        .map(Map.Entry::getKey).toList();
    assertEquals(1, used.size(), "one worker serves the session: " + counts);
    return used.get(0);
  }

  /** A real worker JVM (the test's class path), registered in the fixture's Redis. */
  private static Process startWorkerProcess(GatewayFixture f, String name) throws Exception {
    Path log = Files.createTempFile("worker-" + name, ".log");
    String java = new File(System.getProperty("java.home"), "bin/java").getPath();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "io.voicegateway.worker.TtsWorkerMain", "--name=" + name, "--model=" + SPEECH,
        "--host=127.0.0.1", "--advertise-host=127.0.0.1",
        "--port=" + GatewayFixture.freePort(), "--redis=" + f.redis.uri(), "--heartbeat=1s")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
