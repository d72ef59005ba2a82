package io.voicegateway.gateway.livekit;

import io.voicegateway.bridge.v1.BridgeMessage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers what the bridge says about a room to that room's {@link LiveKitConnector}. Connectors
 * register while they serve their room, across bridge restarts.
 */
final class BridgeRouter {

  private static final Logger log = LoggerFactory.getLogger(BridgeRouter.class);

  private final Map<String, ActorRef<Object>> rooms = new ConcurrentHashMap<>();
  private final AtomicLong unrouted = new AtomicLong();

  void register(String room, ActorRef<Object> connector) {
    rooms.put(room, connector);
  }

  void unregister(String room, ActorRef<Object> connector) {
    rooms.remove(room, connector);
  }

  void route(BridgeMessage message) {
    String room = roomOf(message);
    ActorRef<Object> connector = room == null ? null : rooms.get(room);
    if (connector != null) {
      connector.tell(message);
    } else if (unrouted.incrementAndGet() % 1000 == 1) {
      // a room left a moment ago: its last acks and packets are expected; anything else is odd
      log.debug("bridge message {} for room {} that no connector serves ({} so far)",
          message.getMsgCase(), room, unrouted.get());
    }
  }

  private static String roomOf(BridgeMessage m) {
    return switch (m.getMsgCase()) {
      case JOINED -> m.getJoined().getRoom();
      case JOIN_FAILED -> m.getJoinFailed().getRoom();
      case LEFT -> m.getLeft().getRoom();
      case ACK -> m.getAck().getRoom();
      case CLEARED -> m.getCleared().getRoom();
      case DATA -> m.getData().getRoom();
      case PARTICIPANT -> m.getParticipant().getRoom();
      case PARTICIPANT_AUDIO -> m.getParticipantAudio().getRoom();
      default -> null;
    };
  }
}
