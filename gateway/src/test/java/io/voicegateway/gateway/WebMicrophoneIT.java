package io.voicegateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The browser client's microphone (web/) in Debian's Chromium, headless, driven by
 * playwright-core ({@code web/test/mic-test.mjs}), with Chromium's fake capture device playing
 * speech that espeak-ng makes at test time, against a real gateway serving the page from its jar,
 * a real Redis and a {@code mock-440hz} worker: the user talking over the agent interrupts it and
 * the page goes silent; the session is resumed and the microphone goes on; a short "yes" pauses
 * the agent, which then goes on with nothing lost (the capture resampled from 44.1 to 16 kHz).
 * The capture's resampler has a unit test of its own ({@code web/test/resampler-test.mjs}).
 * {@code npm ci} in web/ runs before (Maven, pre-integration-test); CI installs {@code chromium}
 * and {@code espeak-ng}. What the page measured is printed, not asserted.
 */
class WebMicrophoneIT {

  private static final File ROOT = new File(System.getProperty("voicegw.root", ".."));
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theResamplerKeepsSpeechAndRemovesWhatWouldFoldBack() throws Exception {
    JsonNode result = runNode(List.of("web/test/resampler-test.mjs"), 60);
    System.out.println("resampler: " + result);
  }

  @Test
  void theUserInterruptsTheAgentAndAShortSoundIsAFalseInterruption() throws Exception {
    try (GatewayFixture f = GatewayFixture.start("mock-440hz", "")) {
      f.awaitWorkers(1);
      Path work = Files.createTempDirectory("web-mic");
      try {
        JsonNode result = runNode(List.of("web/test/mic-test.mjs",
            "http://127.0.0.1:" + f.gateway.wsPort() + "/", work.toString()), 300);
        System.out.println("measured by the page: " + result);
        JsonNode a = result.get("a");
        JsonNode b = result.get("b");
        assertTrue(a.get("interrupted").asInt() >= 1, result.toString());
        assertTrue(a.get("heardAfterResume").asBoolean(), result.toString());
        assertEquals(0, a.get("consoleErrors").size(), "no errors in the page: " + result);
        assertTrue(b.has("interruption"), result.toString());
        assertEquals(0, b.get("consoleErrors").size(), "no errors in the page: " + result);
      } finally {
        try (var files = Files.list(work)) {
          for (Path p : files.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(work);
      }
    }
  }

  /** Runs {@code node args…} in the project root; its "RESULT" line, or fails with its output. */
  private static JsonNode runNode(List<String> args, int timeoutSeconds) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("node");
    command.addAll(args);
    Process node = new ProcessBuilder(command).directory(ROOT).redirectErrorStream(true).start();
    // the script's own waits are all bounded; this is for a browser that hangs all the same
    CompletableFuture<Void> watchdog = CompletableFuture.runAsync(node::destroyForcibly,
        CompletableFuture.delayedExecutor(timeoutSeconds, TimeUnit.SECONDS));
    List<String> output = new ArrayList<>();
    JsonNode result = null;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        output.add(line);
        if (line.startsWith("RESULT ")) {
          result = JSON.readTree(line.substring("RESULT ".length()));
        }
      }
    } finally {
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly().waitFor();
      }
      watchdog.cancel(false);
    }
    assertEquals(0, node.exitValue(), String.join("\n", output));
    assertTrue(result != null, String.join("\n", output));
    return result;
  }
}
