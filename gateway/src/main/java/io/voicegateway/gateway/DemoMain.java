package io.voicegateway.gateway;

import com.typesafe.config.ConfigFactory;
import io.voicegateway.registry.LocalRedisServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;

/**
 * {@code ./voicegw demo}: the embedded default. Starts a Redis (the system {@code redis-server},
 * else the embedded-redis binary), one TTS worker process with a real voice (espeak-ng when it is
 * installed, else FreeTTS), and a gateway node on its default ports; prints how to use it. Ctrl-C
 * stops the gateway (sessions end with {@code session_end}), then the worker (it deregisters), then
 * Redis.
 */
public final class DemoMain {

  private static final Duration WORKER_START = Duration.ofSeconds(60);

  private DemoMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0) {
      boolean help = args[0].equals("--help") || args[0].equals("-h");
      if (!help) System.err.println("voicegw demo: unknown option " + args[0]);
      (help ? System.out : System.err).print("""
          Usage: voicegw demo

          Starts Redis, a TTS worker with a real voice and a gateway (WebSocket on port 8080,
          health on 8081; GATEWAY_WS_PORT and GATEWAY_HEALTH_PORT change them). Ctrl-C stops all.
          """);
      System.exit(help ? 0 : 2);
    }
    String root = System.getProperty("voicegw.root", ".");
    File workerJar = new File(root, "tts-worker/target/tts-worker.jar");
    if (!workerJar.isFile()) {
      System.err.println("voicegw demo: " + workerJar + " is missing; build first with"
          + "  mvn -B package -DskipTests");
      System.exit(1);
    }

    LocalRedisServer redis =
        LocalRedisServer.start(LocalRedisServer.Options.DEFAULT.withKeyspaceNotifications());
    System.out.println("demo: Redis at " + redis.uri()
        + (redis.isSystemBinary() ? " (system redis-server)" : " (embedded-redis binary)"));

    String model = espeakInstalled() ? "espeak-ng-en" : "freetts-kevin16";
    Process worker;
    try {
      worker = startWorker(root, redis.uri(), model);
    } catch (IOException e) {
      redis.close();
      throw e;
    }

    GatewayNode node;
    try {
      node = GatewayNode.start(GatewayNode.loadConfig(ConfigFactory.parseString(
          "voicegw.redis.url = \"" + redis.uri() + "\"\nvoicegw.gateway.host = 127.0.0.1")));
    } catch (RuntimeException e) {
      System.err.println("voicegw demo: the gateway cannot start: " + e.getMessage());
      stopWorker(worker);
      redis.close();
      System.exit(1);
      return;
    }
    CoordinatedShutdown.get(node.system()).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-demo-worker-and-redis",
        () -> CompletableFuture.supplyAsync(() -> {
          stopWorker(worker);
          redis.close();
          return Done.getInstance();
        }));

    long deadline = System.nanoTime() + WORKER_START.toNanos();
    while (node.selector().freshWorkers() == 0 && worker.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    if (node.selector().freshWorkers() == 0) {
      System.err.println("voicegw demo: the worker did not register within "
          + WORKER_START.toSeconds() + " s" + (worker.isAlive() ? "" : " (it exited)"));
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.exit(1);
    }

    String ws = "ws://127.0.0.1:" + node.wsPort() + "/";
    System.out.println("""

        Voice Gateway demo is running (voice: %s).
          Browser    http://127.0.0.1:%d/
          WebSocket  %s
          Health     http://127.0.0.1:%d/health   Metrics http://127.0.0.1:%d/metrics
          Sessions   http://127.0.0.1:%d/sessions  (management: /cluster/members, /workers)

        Try it from another terminal:
          ./voicegw say "Hello from the voice gateway." --url %s --out hello.wav
        or speak the protocol yourself (docs/PROTOCOL.md), e.g. with websocat:
          websocat %s   then type   {"type":"text","text":"Hello there."}

        Ctrl-C stops the gateway, the worker and Redis.
        """.formatted(model, node.wsPort(), ws, node.healthPort(), node.healthPort(),
            node.managementPort(), ws, ws));
    node.system().getWhenTerminated().toCompletableFuture().join();
  }

  private static boolean espeakInstalled() {
    try {
      Process p = new ProcessBuilder("espeak-ng", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The worker as its own process, as in production; its output is prefixed with [worker]. */
  private static Process startWorker(String root, String redisUri, String model)
      throws IOException {
    String java = new File(System.getProperty("java.home"), "bin/java").getPath();
    String classPath = new File(root, "tts-worker/target/tts-worker.jar") + File.pathSeparator
        + new File(root, "tts-worker/target/lib") + File.separator + "*";
    List<String> command = new ArrayList<>(List.of(java, "-cp", classPath,
        "io.voicegateway.worker.TtsWorkerMain",
        "--host=127.0.0.1", "--advertise-host=127.0.0.1", "--port=" + freePort(),
        "--redis=" + redisUri, "--model=" + model, "--name=demo-worker"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) System.out.println("[worker] " + line);
      } catch (IOException e) {
        // the worker's output ended with it
      }
    }, "demo-worker-output");
    pump.setDaemon(true);
    pump.start();
    return p;
  }

  /** SIGTERM (the worker deregisters from Redis), then SIGKILL after 10 s. */
  private static void stopWorker(Process worker) {
    worker.destroy();
    try {
      if (!worker.waitFor(10, TimeUnit.SECONDS)) worker.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      worker.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
