package io.voicegateway.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's cluster commands as a user runs them, on what {@code mvn package} built:
 * {@code ./voicegw cluster up 3} starts Redis, a worker, three nodes and nginx and prints the
 * load balancer's URL and each node's management URL; a session through the load balancer
 * speaks; {@code ./voicegw cluster down} stops every process it started.
 */
class ClusterCommandIT {

  private static final File ROOT = new File(System.getProperty("voicegw.root", ".."));
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path state;

  @Test
  void clusterUpServesSessionsThroughNginxAndClusterDownStopsEverything() throws Exception {
    int lbPort = GatewayFixture.freePort();
    try {
      Result up = run(List.of("cluster", "up", "3"), lbPort, 240);
      assertEquals(0, up.exit(), up.output());
      assertTrue(up.output().contains("Load balancer  ws://127.0.0.1:" + lbPort + "/"), up.output());
      for (int i = 1; i <= 3; i++) {
        assertTrue(up.output().contains("management http://127.0.0.1:" + (8590 + i)
            + "/cluster/members"), up.output());
      }

      try (GatewayClient c = GatewayClient.connect(URI.create("ws://127.0.0.1:" + lbPort + "/"))
          .get(30, TimeUnit.SECONDS)) {
        assertTrue(c.expect(ServerEvent.SessionStart.class, WAIT).resumeToken().isPresent());
        c.sendText("Hello, cluster.");
        int frames = 0;
        for (ServerEvent e : c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT)) {
          if (e instanceof ServerEvent.Audio) frames++;
        }
        assertTrue(frames > 10, "speech through the load balancer: " + frames + " frames");
      }

      Result status = run(List.of("cluster", "status"), lbPort, 30);
      assertEquals(0, status.exit(), status.output());
      assertTrue(status.output().contains("gateway-3"), status.output());
    } finally {
      List<Long> pids = pids();
      Result down = run(List.of("cluster", "down"), lbPort, 120);
      assertEquals(0, down.exit(), down.output());
      assertFalse(pids.isEmpty(), "cluster up wrote pid files");
      for (long pid : pids) {
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
            "process " + pid + " stopped:\n" + down.output());
      }
    }
  }

  private List<Long> pids() throws Exception {
    List<Long> pids = new ArrayList<>();
    if (!Files.isDirectory(state)) return pids;
    try (var files = Files.list(state)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
        pids.add(Long.parseLong(Files.readString(p).trim()));
      }
    }
    return pids;
  }

  private record Result(int exit, String output) {}

  private Result run(List<String> args, int lbPort, int timeoutSeconds) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(new File(ROOT, "voicegw").getAbsolutePath());
    command.addAll(args);
    Path out = Files.createTempFile(state.getParent(), "cluster-command", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT).redirectErrorStream(true)
        .redirectOutput(out.toFile());
    pb.environment().put("VOICEGW_CLUSTER_DIR", state.toString());
    pb.environment().put("VOICEGW_LB_PORT", "" + lbPort);
    pb.environment().put("JAVA_OPTS", "-Xmx256m");
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out after " + timeoutSeconds + " s:\n"
          + Files.readString(out, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
