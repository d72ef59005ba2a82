package io.voicegateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The browser client (web/) in Debian's Chromium, headless, driven by playwright-core
 * ({@code web/test/browser-test.mjs}), against a real gateway serving it from its jar, a real
 * Redis and a {@code mock-440hz} worker: the page loads and connects; Speak from the keyboard
 * sounds through an AnalyserNode; Stop silences it within 100 ms; after the gateway restarts the
 * page reconnects by itself and speaks again. {@code npm ci} in web/ runs before (Maven,
 * pre-integration-test); CI installs {@code chromium}.
 */
class WebClientIT {

  private static final File ROOT = new File(System.getProperty("voicegw.root", ".."));
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void thePageSpeaksStopsWithin100MsAndReconnectsAfterARestart() throws Exception {
    try (GatewayFixture f = GatewayFixture.start("mock-440hz", "")) {
      f.awaitWorkers(1);
      Path screenshot = new File(ROOT, "gateway/target/web-client.png").toPath();
      Process test = new ProcessBuilder("node", "web/test/browser-test.mjs",
          "http://127.0.0.1:" + f.gateway.wsPort() + "/", screenshot.toString())
          .directory(ROOT).redirectErrorStream(true).start();
      List<String> output = new ArrayList<>();
      JsonNode result = null;
      try (BufferedReader out = new BufferedReader(
              new InputStreamReader(test.getInputStream(), StandardCharsets.UTF_8));
          Writer in = new OutputStreamWriter(test.getOutputStream(), StandardCharsets.UTF_8)) {
        String line;
        while ((line = out.readLine()) != null) {
          output.add(line);
          if (line.equals("READY_FOR_RESTART")) {
            f.restartGateway();
            in.write("RESTARTED\n");
            in.flush();
          } else if (line.startsWith("RESULT ")) {
            result = JSON.readTree(line.substring("RESULT ".length()));
          }
        }
      } finally {
        assertTrue(test.waitFor(60, TimeUnit.SECONDS), "the browser test ends");
      }
      assertEquals(0, test.exitValue(), String.join("\n", output));
      assertTrue(result != null, String.join("\n", output));
      double stopMs = result.get("stopMs").asDouble();
      assertTrue(stopMs >= 0 && stopMs < 100, "silent within 100 ms of Stop: " + stopMs);
      assertTrue(result.get("speakLevel").asDouble() > 0.01, result.toString());
      assertTrue(result.get("reconnected").asBoolean(), result.toString());
      assertEquals(0, result.get("consoleErrors").size(), "no errors in the page: " + result);
      assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the page was taken");
    }
  }
}
