package io.voicegateway.gateway.livekit;

import io.voicegateway.gateway.GatewayFixture;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real LiveKit server (v1.13.5, built by {@code go install}; {@code .ci/run} does it) in dev
 * mode on free loopback ports, with webhooks to the given URLs. Nothing leaves loopback: the
 * server's STUN list is a loopback address, so neither it nor its clients contact public STUN
 * servers. Close it to stop it.
 */
public final class LiveKitServer implements AutoCloseable {

  public static final String API_KEY = "devkey";
  /** At least 32 characters: what a production key would need (dev mode does not check). */
  public static final String API_SECRET = "voice-gateway-test-secret-0123456789abcdef";

  private final Process process;
  private final int port;

  private LiveKitServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** The binary: {@code $LIVEKIT_SERVER_BIN}, else {@code ~/go/bin/server}. */
  static String binary() {
    String configured = System.getenv("LIVEKIT_SERVER_BIN");
    if (configured != null && !configured.isBlank()) return configured;
    return System.getProperty("user.home") + "/go/bin/server";
  }

  /**
   * Starts the server and waits until it answers HTTP.
   *
   * @param webhookUrls where the server posts its webhooks (may be empty)
   * @param logDir where its log goes
   */
  public static LiveKitServer start(List<String> webhookUrls, Path logDir) throws Exception {
    if (!new File(binary()).canExecute()) {
      throw new IllegalStateException("no LiveKit server at " + binary() + ": run go install"
          + " github.com/livekit/livekit-server/cmd/server@v1.13.5 (as .ci/run does), or set"
          + " LIVEKIT_SERVER_BIN");
    }
    Deque<Integer> ports = GatewayFixture.freePorts(3);
    int port = ports.pop();
    int tcp = ports.pop();
    int udp = ports.pop();
    StringBuilder yaml = new StringBuilder()
        .append("port: ").append(port).append('\n')
        .append("keys:\n  ").append(API_KEY).append(": ").append(API_SECRET).append('\n')
        .append("rtc:\n")
        .append("  tcp_port: ").append(tcp).append('\n')
        .append("  udp_port: ").append(udp).append('\n')
        .append("  use_external_ip: false\n")
        .append("  enable_loopback_candidate: true\n")
        .append("  stun_servers: [\"127.0.0.1:3478\"]\n");
    if (!webhookUrls.isEmpty()) {
      yaml.append("webhook:\n  api_key: ").append(API_KEY).append("\n  urls:\n");
      for (String url : webhookUrls) yaml.append("    - ").append(url).append('\n');
    }
    Files.createDirectories(logDir);
    Path config = logDir.resolve("livekit.yaml");
    Files.writeString(config, yaml);
    Process process = new ProcessBuilder(binary(), "--dev", "--bind", "127.0.0.1",
        "--node-ip", "127.0.0.1", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(logDir.resolve("livekit.log").toFile())
        .start();
    LiveKitServer server = new LiveKitServer(process, port);
    try {
      server.awaitUp(Duration.ofSeconds(30));
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void awaitUp(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the LiveKit server exited with " + process.exitValue()
            + " (see its livekit.log)");
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(httpUrl() + "/"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) return;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the LiveKit server did not answer within " + timeout);
  }

  public String wsUrl() {
    return "ws://127.0.0.1:" + port;
  }

  public String httpUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The gateway's settings for this server (HOCON). */
  public String gatewayHocon() {
    return """
        voicegw.livekit {
          url = "%s"
          api-key = "%s"
          api-secret = "%s"
          bridge.command = ["node", "%s"]
        }
        """.formatted(wsUrl(), API_KEY, API_SECRET, bridgeScript());
  }

  /** The built bridge (livekit-bridge/dist, made by Maven before the gateway's tests). */
  static String bridgeScript() {
    return new File(new File(System.getProperty("voicegw.root", "..")),
        "livekit-bridge/dist/main.js").getAbsolutePath();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
  }
}
