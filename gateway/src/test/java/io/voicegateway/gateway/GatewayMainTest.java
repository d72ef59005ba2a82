package io.voicegateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up validation: every wrong setting is named before anything starts. */
class GatewayMainTest {

  @TempDir
  Path dir;

  private String configError(String hocon) throws Exception {
    Path file = dir.resolve("gateway.conf");
    Files.writeString(file, hocon);
    return assertThrows(GatewayMain.UsageException.class,
        () -> GatewayMain.configFrom(new String[] {"--config", file.toString()})).getMessage();
  }

  @Test
  void aFileOverridesTheDefaultsAndTheNodeSettingsApply() throws Exception {
    Path file = dir.resolve("gateway.conf");
    Files.writeString(file, "voicegw.gateway.ws-port = 9090\nvoicegw.session.idle-timeout = 60s\n");
    Config c = GatewayMain.configFrom(new String[] {"--config", file.toString()});
    GatewayNode.Settings s = GatewayNode.Settings.fromConfig(c);
    assertEquals(9090, s.gateway().wsPort());
    assertEquals(8081, s.gateway().healthPort());
    assertEquals(60, s.session().idleTimeout().toSeconds());
    assertEquals("cluster", c.getString("pekko.actor.provider"), "voicegw-node.conf is layered");
  }

  @Test
  void aWrongValueIsNamedWithItsKey() throws Exception {
    assertTrue(configError("voicegw.gateway.ws-port = 70000").startsWith("voicegw.gateway.ws-port"));
    assertTrue(configError("voicegw.session.max-messages = lots").contains("voicegw.session.max-messages"));
    assertTrue(configError("voicegw.gateway.websocket.slow-consumer-timeout = 1ms")
        .contains("voicegw.gateway.websocket.slow-consumer-timeout"));
    assertTrue(configError("voicegw.gateway.protocol.max-text-length = 0")
        .contains("voicegw.gateway.protocol.max-text-length"));
  }

  @Test
  void anUnknownKeyIsNamedInsteadOfIgnored() throws Exception {
    String error = configError("voicegw.gateway.ws-prot = 9000");
    assertTrue(error.startsWith("voicegw.gateway.ws-prot: unknown setting"), error);
  }

  @Test
  void aMissingOrUnparsableFileAndAnUnknownOptionAreUsageErrors() throws Exception {
    assertTrue(assertThrows(GatewayMain.UsageException.class,
        () -> GatewayMain.configFrom(new String[] {"--config", dir.resolve("none.conf").toString()}))
        .getMessage().contains("no such file"));
    assertTrue(configError("voicegw.gateway { ws-port = ").contains("gateway.conf"));
    assertTrue(assertThrows(GatewayMain.UsageException.class,
        () -> GatewayMain.configFrom(new String[] {"--port", "1"})).getMessage()
        .contains("unknown option --port"));
    assertNull(assertThrows(GatewayMain.UsageException.class,
        () -> GatewayMain.configFrom(new String[] {"--help"})).getMessage(), "--help: usage");
  }
}
