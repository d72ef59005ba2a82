package io.voicegateway.gateway.livekit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.bridge.v1.GatewayMessage;
import io.voicegateway.bridge.v1.Ping;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The link toward the bridge ends exactly once, whichever side ends it first: a bridge killed
 * mid-stream cancels the response stream before its supervisor closes the link, and that close
 * once threw and stopped the supervisor (the LiveKit transport stayed dead until the node restarted).
 */
class BridgeLinkTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Materializer materializer = Materializer.matFromSystem(testKit.system());

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  private static final GatewayMessage PING =
      GatewayMessage.newBuilder().setPing(Ping.newBuilder().setNonce(1)).build();

  @Test
  void closingALinkWhoseBridgeCancelledTheStreamDoesNotThrow() throws Exception {
    Pair<BoundedSourceQueue<GatewayMessage>, Source<GatewayMessage, NotUsed>> out =
        Source.<GatewayMessage>queue(BridgeLink.CAPACITY).preMaterialize(materializer);
    BridgeLink link = new BridgeLink(out.first(), 1);
    // the bridge reads one message and goes away: the response stream is cancelled
    CompletionStage<GatewayMessage> first = out.second().runWith(Sink.head(), materializer);
    assertTrue(link.send(PING));
    first.toCompletableFuture().get(10, TimeUnit.SECONDS);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !link.send(PING));

    assertDoesNotThrow(link::close);
    assertDoesNotThrow(link::close);
    assertFalse(link.send(PING));
  }

  @Test
  void closingALinkTwiceCompletesTheStreamOnce() throws Exception {
    Pair<BoundedSourceQueue<GatewayMessage>, Source<GatewayMessage, NotUsed>> out =
        Source.<GatewayMessage>queue(BridgeLink.CAPACITY).preMaterialize(materializer);
    BridgeLink link = new BridgeLink(out.first(), 2);
    CompletionStage<Done> done = out.second().runWith(Sink.ignore(), materializer);

    link.close();
    assertDoesNotThrow(link::close);
    done.toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertFalse(link.send(PING), "a closed link takes no more messages");
  }

  @Test
  void aLinkFailedForOverflowCanStillBeClosed() {
    Pair<BoundedSourceQueue<GatewayMessage>, Source<GatewayMessage, NotUsed>> out =
        Source.<GatewayMessage>queue(1).preMaterialize(materializer);
    BridgeLink link = new BridgeLink(out.first(), 3);
    // nobody reads: once the queue and the stream's small internal buffers are full, a message
    // overflows and fails the link
    boolean sent = true;
    for (int i = 0; i < 1000 && sent; i++) sent = link.send(PING);
    assertFalse(sent, "a full link refuses messages");
    assertDoesNotThrow(link::close);
  }
}
