package io.voicegateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cluster configuration a node runs with: voicegw-cluster.conf (cluster-config module) is
 * layered through voicegw-node.conf above Pekko's reference.conf, seed nodes come from
 * GATEWAY_SEED_NODES, and the local cluster's per-node files give the documented ports.
 */
class ClusterConfigTest {

  private static final File ROOT = new File(System.getProperty("voicegw.root", ".."));

  private static Config node() {
    return GatewayNode.loadConfig(ConfigFactory.empty());
  }

  @Test
  void theClusterFileWinsOverPekkosReferenceConf() {
    Config c = node();
    assertEquals("cluster", c.getString("pekko.actor.provider"));
    assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
        c.getString("pekko.cluster.downing-provider-class"));
    assertEquals("lease-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals("io.voicegateway.session.store.RedisLease", c.getString(c.getString(
        "pekko.cluster.split-brain-resolver.lease-majority.lease-implementation") + ".lease-class"));
    assertEquals(3, c.getDuration("pekko.cluster.split-brain-resolver.stable-after").toSeconds());
    assertEquals(500,
        c.getDuration("pekko.cluster.failure-detector.heartbeat-interval").toMillis());
    assertEquals(1500,
        c.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause").toMillis());
    assertTrue(c.getBoolean("pekko.cluster.run-coordinated-shutdown-when-down"));
    assertEquals("tcp", c.getString("pekko.remote.artery.transport"));
    assertEquals("none", c.getString("pekko.cluster.sharding.passivation.strategy"));
    assertFalse(c.getBoolean("pekko.cluster.sharding.remember-entities"));
  }

  @Test
  void crossNodeMessagesAreCborAndJavaSerializationIsOff() {
    Config c = node();
    assertFalse(c.getBoolean("pekko.actor.allow-java-serialization"));
    assertEquals("jackson-cbor", c.getConfig("pekko.actor.serialization-bindings")
        .getString("\"io.voicegateway.session.CborSerializable\""));
  }

  @Test
  void aNodeWithoutSeedsHasNoneAndKeepsItsDefaultPorts() {
    Config c = node();
    assertEquals(List.of(), c.getStringList("pekko.cluster.seed-nodes"));
    assertEquals(1, c.getInt("pekko.cluster.min-nr-of-members"));
    assertEquals(7355, c.getInt("pekko.remote.artery.canonical.port"));
    assertEquals("127.0.0.1", c.getString("pekko.management.http.hostname"));
    assertEquals(8558, c.getInt("pekko.management.http.port"));
  }

  @Test
  void theClusterFilesSettingsMayBeOverriddenAndAreNotUnknown() {
    Config c = GatewayNode.loadConfig(ConfigFactory.parseString(
        "voicegw.cluster.sbr-lease.heartbeat-timeout = 20s"));
    assertEquals(20, c.getDuration("voicegw.cluster.sbr-lease.heartbeat-timeout").toSeconds());
    var e = assertThrows(IllegalArgumentException.class, () -> GatewayNode.loadConfig(
        ConfigFactory.parseString("voicegw.cluster.sbr-lease.heartbeat-timeuot = 20s")));
    assertTrue(e.getMessage().startsWith("voicegw.cluster.sbr-lease.heartbeat-timeuot: unknown"),
        e.getMessage());
  }

  @Test
  void aWrongManagementSettingIsFoundWithTheOthersBeforeAnythingStarts() {
    var e = assertThrows(IllegalArgumentException.class, () -> GatewayNode.Settings.fromConfig(
        GatewayNode.loadConfig(ConfigFactory.parseString("voicegw.management.max-page-size = 0"))));
    assertTrue(e.getMessage().contains("voicegw.management.max-page-size"), e.getMessage());
  }

  @Test
  void seedNodesComeFromACommaSeparatedList() {
    Config seeds = GatewayNode.seedNodesFromEnvironment(
        " pekko://voicegw@gateway-1:7391,pekko://voicegw@10.0.0.2:7392 ,, ");
    assertEquals(List.of("pekko://voicegw@gateway-1:7391", "pekko://voicegw@10.0.0.2:7392"),
        seeds.getStringList("pekko.cluster.seed-nodes"));
    assertTrue(GatewayNode.seedNodesFromEnvironment(null).isEmpty());
    assertTrue(GatewayNode.seedNodesFromEnvironment("  ").isEmpty());
  }

  @Test
  void aSeedThatIsNoAddressIsNamed() {
    String error = assertThrows(IllegalArgumentException.class,
        () -> GatewayNode.seedNodesFromEnvironment("pekko://voicegw@a:1,gateway-2:7392"))
        .getMessage();
    assertTrue(error.startsWith("GATEWAY_SEED_NODES: 'gateway-2:7392'"), error);
    assertThrows(IllegalArgumentException.class,
        () -> GatewayNode.seedNodesFromEnvironment("pekko://other@a:1"), "wrong system name");
  }

  @Test
  void theLocalNodeFilesFollowThePortScheme() throws Exception {
    for (int i = 1; i <= 3; i++) {
      File file = new File(ROOT, "cluster-config/local/node-" + i + ".conf");
      Config c = GatewayMain.configFrom(new String[] {"--config", file.getPath()});
      GatewayNode.Settings s = GatewayNode.Settings.fromConfig(c);
      assertEquals("127.0.0.1", s.gateway().host(), file.getName());
      assertEquals(8090 + i, s.gateway().wsPort(), file.getName());
      assertEquals(8190 + i, s.gateway().healthPort(), file.getName());
      assertEquals(7390 + i, c.getInt("pekko.remote.artery.canonical.port"), file.getName());
      assertEquals(8590 + i, c.getInt("pekko.management.http.port"), file.getName());
      assertEquals(List.of("pekko://voicegw@127.0.0.1:7391", "pekko://voicegw@127.0.0.1:7392",
          "pekko://voicegw@127.0.0.1:7393"), c.getStringList("pekko.cluster.seed-nodes"));
    }
  }
}
