package io.voicegateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.client.WavFile;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's commands as a user runs them, on what {@code mvn package} built: {@code ./voicegw
 * demo} starts Redis, a worker with a real voice and a gateway; {@code ./voicegw say} speaks
 * through it into a WAV file; SIGTERM stops all of it. A bad {@code ./voicegw gateway} config is
 * named and exits 2.
 */
class GatewayLauncherIT {

  private static final File ROOT = new File(System.getProperty("voicegw.root", ".."));

  @TempDir
  Path dir;

  @Test
  void demoThenSayGivesSpeechInAWavFileAndSigtermStopsEverything() throws Exception {
    int ws = GatewayFixture.freePort();
    int health = GatewayFixture.freePort();
    Path demoLog = dir.resolve("demo.log");
    Process demo = launcher(List.of("demo"), Map.of("GATEWAY_WS_PORT", "" + ws,
        "GATEWAY_HEALTH_PORT", "" + health, "GATEWAY_CLUSTER_PORT", "0",
        "GATEWAY_MANAGEMENT_PORT", "" + GatewayFixture.freePort()), demoLog.toFile());
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.readString(demoLog).contains("demo is running")) {
        assertTrue(demo.isAlive(), "the demo exited: " + Files.readString(demoLog));
        assertTrue(System.nanoTime() < deadline, "not ready in 120 s: " + Files.readString(demoLog));
        Thread.sleep(200);
      }
      String printed = Files.readString(demoLog);
      assertTrue(printed.contains("ws://127.0.0.1:" + ws + "/"), printed);
      Matcher redis = Pattern.compile("Redis at redis://127.0.0.1:(\\d+)").matcher(printed);
      assertTrue(redis.find(), printed);
      int redisPort = Integer.parseInt(redis.group(1));

      Path wav = dir.resolve("hello.wav");
      Process say = launcher(List.of("say", "Hello from the voice gateway.", "--url",
          "ws://127.0.0.1:" + ws + "/", "--out", wav.toString()), Map.of(), null);
      String out = new String(say.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(say.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(say.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, say.exitValue(), out + err);
      assertTrue(out.contains("first audio:"), out);

      WavFile speech = WavFile.read(wav);
      assertEquals(48_000, speech.sampleRate());
      assertEquals(1, speech.channels());
      assertTrue(speech.duration().toMillis() > 1_000, "a sentence: " + speech.duration());
      assertTrue(rms(speech.pcm()) > 500, "speech, not silence: rms " + rms(speech.pcm()));

      demo.destroy(); // SIGTERM, as Ctrl-C's SIGINT: CoordinatedShutdown stops all of it
      assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "the demo exits");
      assertFalse(listening(ws), "the gateway port is closed");
      assertFalse(listening(redisPort), "the demo's Redis is stopped");
      assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine()
          .orElse("").contains("--name=demo-worker")), "the demo's worker is stopped");
    } finally {
      demo.descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
    }
  }

  @Test
  void aBadGatewayConfigIsNamedAndExitsTwo() throws Exception {
    Path conf = dir.resolve("bad.conf");
    Files.writeString(conf, "voicegw.session.idle-timeout = soon\n");
    Process p = launcher(List.of("gateway", "--config", conf.toString()), Map.of(), null);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue(), err);
    assertTrue(err.contains("voicegw.session.idle-timeout"), err);
  }

  private static double rms(byte[] pcm) {
    double sum = 0;
    int n = pcm.length / 2;
    for (int i = 0; i < n; i++) {
      short s = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
      sum += (double) s * s;
    }
    return Math.sqrt(sum / n);
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Process launcher(List<String> args, Map<String, String> env, File log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(new File(ROOT, "voicegw").getAbsolutePath());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT);
    pb.environment().putAll(env);
    if (log != null) pb.redirectErrorStream(true).redirectOutput(log);
    return pb.start();
  }
}
