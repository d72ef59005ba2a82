package io.voicegateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, checked without a Docker engine (there is none on these machines): the
 * services and their healthchecks, the documented ports, and that everything it mounts or builds
 * from exists in the repository and agrees with the local cluster's files.
 */
class DockerComposeTest {

  private static final File ROOT = new File(System.getProperty("voicegw.root", ".."));

  /** Host port = container port for each service, as README.md "Running a cluster" lists. */
  private static final Map<String, List<String>> PORTS = new LinkedHashMap<>();

  static {
    PORTS.put("redis", List.of("6379:6379"));
    PORTS.put("livekit", List.of("7880:7880", "7881:7881", "7882:7882/udp"));
    PORTS.put("tts-worker", List.of("7090:7090"));
    for (int i = 1; i <= 3; i++) {
      PORTS.put("gateway-" + i, List.of((8090 + i) + ":" + (8090 + i),
          (8190 + i) + ":" + (8190 + i), (8590 + i) + ":" + (8590 + i)));
    }
    PORTS.put("nginx", List.of("8080:8080"));
  }

  private static JsonNode services;

  @BeforeAll
  static void read() throws Exception {
    JsonNode compose = new ObjectMapper(new YAMLFactory())
        .readTree(new File(ROOT, "docker-compose.yml"));
    services = compose.get("services");
  }

  @Test
  void theClusterServicesAreThere() {
    Set<String> names = new TreeSet<>();
    services.fieldNames().forEachRemaining(names::add);
    assertEquals(new TreeSet<>(PORTS.keySet()), names);
  }

  @Test
  void everyServiceHasAHealthcheck() {
    for (String name : PORTS.keySet()) {
      JsonNode test = services.get(name).path("healthcheck").path("test");
      assertTrue(test.isArray() && test.size() >= 2, name + " has no healthcheck test");
      assertEquals("CMD", test.get(0).asText(), name);
    }
  }

  @Test
  void thePortsAreTheDocumentedOnes() {
    for (Map.Entry<String, List<String>> e : PORTS.entrySet()) {
      List<String> ports = new ArrayList<>();
      services.get(e.getKey()).path("ports").forEach(p -> ports.add(p.asText()));
      assertEquals(e.getValue(), ports, e.getKey());
    }
    JsonNode nginx = services.get("nginx");
    String command = String.join(" ", texts(nginx.get("command")));
    assertTrue(command.contains("8080 gateway-1:8091 gateway-2:8092 gateway-3:8093"), command);
  }

  @Test
  void everythingMountedOrBuiltFromExists() {
    for (String name : PORTS.keySet()) {
      JsonNode service = services.get(name);
      for (JsonNode volume : service.path("volumes")) {
        String source = volume.asText().split(":")[0];
        assertTrue(source.startsWith("./"), name + " mounts a repository path: " + source);
        assertTrue(new File(ROOT, source).exists(), name + " mounts " + source + ", missing");
      }
      JsonNode build = service.get("build");
      if (build != null) {
        File context = new File(ROOT, build.get("context").asText());
        assertTrue(context.isDirectory(), name + " build context");
        File dockerfile = new File(context, build.get("dockerfile").asText());
        assertTrue(dockerfile.isFile(), name + " builds from " + dockerfile + ", missing");
      }
    }
    File render = new File(ROOT, "deploy/nginx/render.sh");
    assertTrue(render.canExecute(), "nginx's command runs " + render);
    assertTrue(new File(ROOT, "deploy/nginx/nginx.conf.template").isFile());
  }

  @Test
  void theDockerfileCopiesWhatMavenPackageBuilds() throws Exception {
    String dockerfile = Files.readString(new File(ROOT, "deploy/Dockerfile").toPath());
    assertTrue(dockerfile.contains("FROM eclipse-temurin:17-jre"), dockerfile);
    Matcher copy = Pattern.compile("(?m)^COPY (\\S+) ").matcher(dockerfile);
    int copies = 0;
    while (copy.find()) {
      copies++;
      String source = copy.group(1);
      assertTrue(source.equals("voicegw") || source.matches("(gateway|tts-worker)/target/.+")
              || source.matches("livekit-bridge/(package\\.json|dist/|node_modules/)"),
          "copies only the launcher and what mvn package built: " + source);
    }
    assertEquals(8, copies, "voicegw, the jar and lib/ of the gateway and the worker, and the"
        + " LiveKit bridge (package.json, dist/, node_modules/)");
  }

  @Test
  void eachNodeMountsItsLocalFileAndNamesItselfAndTheSeeds() throws Exception {
    for (int i = 1; i <= 3; i++) {
      JsonNode node = services.get("gateway-" + i);
      assertEquals("./cluster-config/local/node-" + i + ".conf:/etc/voicegw/node.conf:ro",
          node.path("volumes").get(0).asText());
      assertEquals(List.of("gateway", "--config", "/etc/voicegw/node.conf"),
          texts(node.get("command")));
      JsonNode env = node.get("environment");
      assertEquals("gateway-" + i, env.get("GATEWAY_CLUSTER_HOST").asText());
      Config seeds = GatewayNode.seedNodesFromEnvironment(env.get("GATEWAY_SEED_NODES").asText());
      assertEquals(List.of("pekko://voicegw@gateway-1:7391", "pekko://voicegw@gateway-2:7392",
          "pekko://voicegw@gateway-3:7393"), seeds.getStringList("pekko.cluster.seed-nodes"));
      // the published ports are the ones the node's file makes it listen on
      Config c = GatewayMain.configFrom(new String[] {"--config",
          new File(ROOT, "cluster-config/local/node-" + i + ".conf").getPath()});
      GatewayNode.Settings s = GatewayNode.Settings.fromConfig(c);
      assertEquals(List.of(s.gateway().wsPort() + ":" + s.gateway().wsPort(),
          s.gateway().healthPort() + ":" + s.gateway().healthPort(),
          c.getInt("pekko.management.http.port") + ":" + c.getInt("pekko.management.http.port")),
          PORTS.get("gateway-" + i));
      String health = String.join(" ", texts(node.path("healthcheck").path("test")));
      assertTrue(health.contains(":" + s.gateway().healthPort() + "/readiness"), health);
      assertFalse(env.has("GATEWAY_WS_PORT"), "ports come from the node's file");
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) out.add(it.next().asText());
    return out;
  }
}
