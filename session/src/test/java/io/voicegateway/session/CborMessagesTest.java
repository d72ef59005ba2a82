package io.voicegateway.session;

import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every session message that may cross nodes survives Jackson CBOR (the production binding of
 * {@link CborSerializable}), with Java serialization off, as in a cluster.
 */
class CborMessagesTest {

  private static ActorTestKit testKit;
  private static SerializationTestKit serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("cbor-messages", ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.actor.allow-java-serialization = off
        """).withFallback(ConfigFactory.load()));
    serialization = new SerializationTestKit(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void sessionCommandsAndInfoRoundTrip() {
    TestProbe<SessionEntity.ClientEvent> client = testKit.createTestProbe();
    TestProbe<SessionInfo> info = testKit.createTestProbe();
    TestProbe<SessionEntity.Command> entity = testKit.createTestProbe();
    for (Object message : new Object[] {
        new SessionEntity.Attach(client.getRef(), "ab".repeat(32)),
        new SessionEntity.Attach(client.getRef()),
        new SessionEntity.Say(Optional.of("greeting"), "Hello."),
        new SessionEntity.Say(Optional.empty(), "Hello."),
        new SessionEntity.Control(SessionEntity.Act.STOP),
        new SessionEntity.ClientAck(),
        new SessionEntity.End("client_disconnect"),
        new SessionEntity.GetInfo(info.getRef()),
        new SessionEntity.Detach(),
        new SessionEntity.Superseded(),
        new SessionInfo("ws-0123456789ab", "ws-0123456789ab@1f#2", 2, "speaking", "tts-1",
            1_700_000_000_000L, 1_234, 3, "u2", -1, 3_598_000, 7, 120, 4, 1, 0, 0, 1),
        new SessionEntity.SessionStarted("ws-0123456789ab", entity.getRef()),
        new SessionEntity.SessionEnded("node_shutdown")}) {
      serialization.verifySerialization(message, true);
    }
  }
}
