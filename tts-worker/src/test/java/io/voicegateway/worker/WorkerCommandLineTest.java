package io.voicegateway.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One precedence for the worker, as for the gateway: options, then the environment, then a file. */
class WorkerCommandLineTest {

  @TempDir Path dir;

  private String redisUrl(Map<String, String> env, String... args) {
    return WorkerCommandLine.parse(args, env).config().getString("voicegw.redis.url");
  }

  @Test
  void theEnvironmentWinsOverTheFileAndAnOptionOverBoth() throws Exception {
    Path file = dir.resolve("worker.conf");
    Files.writeString(file, "voicegw.redis.url = \"redis://from-file:6379\"\n");
    String config = "--config=" + file;
    Map<String, String> env = Map.of("REDIS_URL", "redis://from-env:6379");
    assertEquals("redis://from-file:6379", redisUrl(Map.of(), config));
    assertEquals("redis://from-env:6379", redisUrl(env, config));
    assertEquals("redis://from-option:6379",
        redisUrl(env, config, "--redis", "redis://from-option:6379"));
  }
}
