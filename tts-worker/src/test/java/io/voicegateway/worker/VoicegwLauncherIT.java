package io.voicegateway.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.voicegateway.registry.LocalRedisServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ./voicegw worker} as a user runs it, on what {@code mvn package} built: it registers,
 * serves, and on SIGTERM deletes its record and exits. Runs in the integration-test phase.
 */
class VoicegwLauncherIT {

  private static final File ROOT = new File(System.getProperty("voicegw.root", ".."));

  @Test
  void helpListsEveryOptionWithItsDefault() throws Exception {
    Process p = launcher(List.of("worker", "--help"), null);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue());
    for (WorkerCommandLine.Option o : WorkerCommandLine.OPTIONS) {
      assertTrue(out.contains(o.flag()), "--help lists " + o.flag());
    }
    assertTrue(out.contains("--port VALUE") && out.contains("[7001]"), out);
    assertTrue(out.contains("[mock-440hz]"), out);
  }

  @Test
  void aBadOptionIsNamedAndTheExitCodeIsNonZero() throws Exception {
    Process p = launcher(List.of("worker", "--port", "70000"), null);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertNotEquals(0, p.exitValue());
    assertTrue(err.contains("voicegw.worker.port"), err);
  }

  @Test
  void workerRegistersServesAndDeregistersOnSigterm() throws Exception {
    try (LocalRedisServer redis = LocalRedisServer.start()) {
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        int port = WorkerFixture.freePort();
        Path log = Files.createTempFile("voicegw-worker", ".log");
        Process worker = launcher(List.of("worker", "--model", "mock-440hz", "--port",
            Integer.toString(port), "--host", "127.0.0.1", "--name", "tts-it",
            "--redis", redis.uri()), log.toFile());
        try {
          await().atMost(Duration.ofSeconds(60))
              .until(() -> c.sync().exists("worker:tts-it") == 1 || !worker.isAlive());
          assertTrue(worker.isAlive(), Files.readString(log));
          assertTrue(c.sync().get("worker:tts-it").contains("\"grpc://"));

          worker.destroy(); // SIGTERM
          assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the worker exits after SIGTERM");
          assertEquals(0, c.sync().exists("worker:tts-it"), Files.readString(log));
        } finally {
          worker.destroyForcibly();
        }
      } finally {
        client.shutdown();
      }
    }
  }

  private static Process launcher(List<String> args, File log) throws IOException {
    List<String> command = new java.util.ArrayList<>();
    command.add(new File(ROOT, "voicegw").getAbsolutePath());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT);
    if (log != null) pb.redirectErrorStream(true).redirectOutput(log);
    return pb.start();
  }
}
