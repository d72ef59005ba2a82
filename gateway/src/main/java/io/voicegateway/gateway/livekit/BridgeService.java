package io.voicegateway.gateway.livekit;

import io.grpc.Status;
import io.voicegateway.bridge.v1.BridgeMessage;
import io.voicegateway.bridge.v1.GatewayMessage;
import io.voicegateway.bridge.v1.LiveKitBridge;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The gateway's end of {@code LiveKitBridge/Connect} (proto/livekit_bridge.proto): checks the
 * bridge's Hello against the token the node gave its bridge process, then hands room messages to
 * the {@link BridgeRouter} straight from the stream (no extra actor hop per audio ack) and
 * everything else to the {@link BridgeSupervisor}.
 */
final class BridgeService implements LiveKitBridge {

  private final Materializer materializer;
  private final BridgeRouter router;
  private final ActorRef<BridgeSupervisor.Command> supervisor;
  private final Supplier<String> expectedToken; // the running bridge process's token
  private final AtomicLong links = new AtomicLong();

  BridgeService(Materializer materializer, BridgeRouter router,
      ActorRef<BridgeSupervisor.Command> supervisor, Supplier<String> expectedToken) {
    this.materializer = materializer;
    this.router = router;
    this.supervisor = supervisor;
    this.expectedToken = expectedToken;
  }

  @Override
  public Source<GatewayMessage, NotUsed> connect(Source<BridgeMessage, NotUsed> in) {
    Pair<BoundedSourceQueue<GatewayMessage>, Source<GatewayMessage, NotUsed>> out =
        Source.<GatewayMessage>queue(BridgeLink.CAPACITY).preMaterialize(materializer);
    BridgeLink link = new BridgeLink(out.first(), links.incrementAndGet());
    boolean[] accepted = {false};
    boolean[] refused = {false};
    in.runWith(Sink.foreach(message -> {
      if (refused[0]) return; // a refused stream is heard no further
      if (!accepted[0]) {
        if (!message.hasHello() || !tokenMatches(message.getHello().getAuthToken())) {
          refused[0] = true;
          out.first().fail(new GrpcServiceException(Status.UNAUTHENTICATED.withDescription(
              "the first message must be Hello with the token of this node's bridge process")));
          supervisor.tell(new BridgeSupervisor.Refused(link.id()));
          return;
        }
        accepted[0] = true;
        supervisor.tell(new BridgeSupervisor.Connected(link, message.getHello()));
      } else if (message.hasPong()) {
        supervisor.tell(new BridgeSupervisor.PongReceived(link.id(), message.getPong()));
      } else {
        router.route(message);
      }
    }), materializer).whenComplete((done, failure) ->
        supervisor.tell(new BridgeSupervisor.LinkClosed(link.id(), failure)));
    return out.second();
  }

  private boolean tokenMatches(String presented) {
    String expected = expectedToken.get();
    return expected != null && MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }
}
