package io.voicegateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness against a real gateway, worker and Redis on loopback. */
class LoadTestEndToEndTest {

  static GatewayStack stack;

  @BeforeAll
  static void start() {
    stack = GatewayStack.start();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static JsonNode run(Path out, String... extra) throws Exception {
    String[] base = {"--url", stack.wsUri().toString(), "--sessions", "5", "--duration", "6s",
        "--ramp", "1s", "--out", out.toString(), "--metrics", stack.metricsUri().toString()};
    String[] args = Stream.concat(Arrays.stream(base), Arrays.stream(extra))
        .toArray(String[]::new);
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code = LoadTestMain.run(args, new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8), false);
    String err = stderr.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, err);
    assertTrue(err.contains("sessions 5/5"), err); // the progress line
    assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("wrote "));
    return Summary.JSON.readTree(out.resolve("summary.json").toFile());
  }

  private static void assertSane(JsonNode s, String transport) {
    assertEquals(5, s.get("sessions").asInt());
    assertEquals(6.0, s.get("duration_s").asDouble());
    assertEquals(transport, s.get("transport").asText());
    assertTrue(s.get("frames_received").asLong() > 0, s.toString());
    assertEquals(0, s.get("frames_lost").asLong(), s.toString());
    assertEquals(0, s.get("frames_duplicated").asLong(), s.toString());
    assertEquals(0, s.get("frames_out_of_order").asLong(), s.toString());
    assertEquals(0, s.get("errors").asLong(), s.toString());
    assertTrue(s.get("utterances").asLong() >= 5, s.toString());
    JsonNode fa = s.get("first_audio_ms");
    assertTrue(fa.get("p50").asDouble() > 0, s.toString());
    assertTrue(fa.get("p50").asDouble() <= fa.get("p99").asDouble());
    assertTrue(fa.get("p99").asDouble() < 5_000, s.toString());
    assertTrue(s.get("jitter_ms").get("count").asLong() > 0, s.toString());
    JsonNode gw = s.get("gateway");
    assertTrue(gw.get("samples").asInt() >= 3, gw.toString());
    assertTrue(gw.get("heap_max_mb").asDouble() > 0, gw.toString());
    assertTrue(gw.get("cpu_max").isNumber(), gw.toString());
    assertTrue(gw.get("sessions_active_max").asInt() >= 1, gw.toString());
  }

  private static void assertReport(Path out, List<String> charts) throws Exception {
    assertTrue(Files.readString(out.resolve("report.html")).contains("data:image/png;base64,"));
    for (String name : charts) {
      byte[] bytes = Files.readAllBytes(out.resolve(name));
      assertArrayEquals(SummaryTest.PNG_MAGIC, Arrays.copyOf(bytes, 8), name);
      assertTrue(javax.imageio.ImageIO.read(out.resolve(name).toFile()).getWidth() > 0, name);
    }
  }

  @Test
  void jsonAudioWithBargeInAndConnectionRotation(@TempDir Path out) throws Exception {
    JsonNode s = run(out, "--barge-in", "0.5", "--messages-per-session", "6");
    assertSane(s, "json");
    JsonNode barge = s.get("barge_in_ms");
    assertTrue(barge.get("pauses").asLong() + barge.get("stops").asLong() > 0, s.toString());
    assertTrue(barge.get("count").asLong() > 0, s.toString());
    assertTrue(s.get("connection_rotations").asLong() > 0, s.toString());
    assertReport(out, List.of("first_audio.png", "jitter.png", "gateway_cpu.png",
        "gateway_heap.png"));
  }

  @Test
  void continuousSpeechAfterAWarmUpOverTwoClients(@TempDir Path out) throws Exception {
    JsonNode s = run(out, "--binary", "--continuous", "--warmup", "2s", "--clients", "2");
    assertSane(s, "binary");
    assertEquals(2.0, s.get("warmup_s").asDouble());
    assertTrue(s.get("recorded_from_s").asDouble() >= 2.0, s.toString());
    assertEquals(2, s.get("harness").get("clients").asInt());
    assertTrue(s.get("harness").get("cpu_us_per_frame").asDouble() > 0, s.toString());
    JsonNode playout = s.get("playout");
    assertTrue(playout.get("frames").asLong() > 0, playout.toString());
    assertTrue(playout.get("frames").asLong() <= s.get("frames_received").asLong(), s.toString());
    assertEquals(playout.get("frames").asLong(), s.get("lateness_ms").get("count").asLong());
    // the gateway's own histogram was read over the recorded part
    assertTrue(s.get("gateway").get("send_interval_ms").get("count").asLong() > 0, s.toString());
  }

  @Test
  void binaryAudioAtAFixedRateInSoakMode(@TempDir Path out) throws Exception {
    JsonNode s = run(out, "--binary", "--rate", "40", "--soak");
    assertSane(s, "binary");
    assertEquals(10, s.get("timeline_step_s").asInt());
    assertReport(out, List.of("first_audio.png", "jitter.png", "gateway_cpu.png",
        "gateway_heap.png", "soak_heap.png", "soak_threads.png", "soak_sessions.png"));
  }
}
