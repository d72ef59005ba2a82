package io.voicegateway.gateway.livekit;

import io.livekit.server.RoomServiceClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import livekit.LivekitModels;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Decides which rooms this node serves (one per node). A room becomes a candidate when a webhook
 * says a participant joined it, or when the periodic RoomService listing shows it with
 * participants (the safety net: webhooks are best effort, and the listing is how the rooms of a
 * dead node are found). A candidate whose name has a configured prefix is served when this node
 * takes its lease in Redis ({@link RoomLeases}); the lease is renewed every third of its TTL, and
 * a room whose lease is lost is given up at once. Each served room has one
 * {@link LiveKitConnector}, told when the node's bridge comes and goes.
 */
public final class RoomDispatcher extends AbstractBehavior<RoomDispatcher.Command> {

  public interface Command {}

  /** A room that may need serving ({@code sid} may be empty when unknown). */
  public record RoomSeen(String room, String sid, String source) implements Command {}

  /** The server ended the room. */
  public record RoomFinished(String room) implements Command {}

  /** The names of the rooms this node serves now. */
  public record GetServed(ActorRef<Set<String>> replyTo) implements Command {}

  /** Node shutdown: every room is given up (not finished), then the reply. */
  public record Shutdown(ActorRef<Boolean> replyTo) implements Command {}

  record BridgeUp(BridgeLink link) implements Command {}

  record BridgeDown() implements Command {}

  /** A connector is done with its room ({@code finishedSid}: the room instance is over). */
  record ConnectorEnded(String room, ActorRef<Object> connector, Optional<String> finishedSid,
      String sessionId) implements Command {}

  private record Listed(List<LivekitModels.Room> rooms, Throwable error) implements Command {}

  private record AcquireDone(String room, String sid, RoomLeases.Acquired result, Throwable error)
      implements Command {}

  private record RenewDone(String room, ActorRef<Object> connector, boolean held, Throwable error)
      implements Command {}

  private enum Tick implements Command { LIST, RENEW }

  public static Behavior<Command> create(LiveKitConnector.Context context,
      RoomServiceClient rooms, Executor blocking) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new RoomDispatcher(ctx, timers, context, rooms, blocking)));
  }

  private final LiveKitConnector.Context context;
  private final RoomServiceClient roomService;
  private final Executor blocking;
  private final Map<String, ActorRef<Object>> served = new HashMap<>();
  private final Set<String> acquiring = new HashSet<>();
  private BridgeLink link;
  private boolean listing;
  private int connectorNumber;
  private boolean shuttingDown; // no new rooms, no more listing or renewing
  private ActorRef<Boolean> shutdownReply;
  private long listFailures;

  private RoomDispatcher(ActorContext<Command> ctx, TimerScheduler<Command> timers,
      LiveKitConnector.Context context, RoomServiceClient roomService, Executor blocking) {
    super(ctx);
    this.context = context;
    this.roomService = roomService;
    this.blocking = blocking;
    LiveKitSettings s = context.settings();
    timers.startTimerWithFixedDelay(Tick.LIST, Duration.ZERO, s.roomListInterval());
    timers.startTimerAtFixedRate(Tick.RENEW, s.leaseTtl().dividedBy(3));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RoomSeen.class, this::onRoomSeen)
        .onMessage(RoomFinished.class, this::onRoomFinished)
        .onMessage(AcquireDone.class, this::onAcquireDone)
        .onMessageEquals(Tick.LIST, this::list)
        .onMessage(Listed.class, this::onListed)
        .onMessageEquals(Tick.RENEW, this::renew)
        .onMessage(RenewDone.class, this::onRenewDone)
        .onMessage(BridgeUp.class, this::onBridgeUp)
        .onMessage(BridgeDown.class, down -> onBridgeDown())
        .onMessage(ConnectorEnded.class, this::onConnectorEnded)
        .onMessage(GetServed.class, get -> {
          get.replyTo().tell(Set.copyOf(served.keySet()));
          return this;
        })
        .onMessage(Shutdown.class, this::onShutdown)
        .build();
  }

  private Behavior<Command> onRoomSeen(RoomSeen seen) {
    String room = seen.room();
    if (shuttingDown || !context.settings().serves(room) || served.containsKey(room)
        || !acquiring.add(room)) {
      return this;
    }
    getContext().getLog().debug("room {} seen ({}): taking its lease", room, seen.source());
    getContext().pipeToSelf(context.leases().acquire(room, seen.sid(), context.nodeTag()),
        (result, error) -> new AcquireDone(room, seen.sid(), result, error));
    return this;
  }

  private Behavior<Command> onAcquireDone(AcquireDone done) {
    acquiring.remove(done.room());
    if (done.error() != null) {
      getContext().getLog().warn("cannot take the lease of room {}: {}", done.room(),
          done.error().toString());
      return this;
    }
    if (done.result() != RoomLeases.Acquired.ACQUIRED) return this;
    if (shuttingDown || served.containsKey(done.room())) return this;
    ActorRef<Object> connector = getContext().spawn(
        LiveKitConnector.create(context, done.room(), done.sid(), getContext().getSelf()),
        "room-" + (++connectorNumber));
    served.put(done.room(), connector);
    getContext().getLog().info("serving LiveKit room {} ({} rooms on this node)", done.room(),
        served.size());
    if (link != null) connector.tell(new LiveKitConnector.BridgeReady(link));
    return this;
  }

  private Behavior<Command> onRoomFinished(RoomFinished finished) {
    ActorRef<Object> connector = served.get(finished.room());
    if (connector != null) connector.tell(new LiveKitConnector.RoomClosed("room_finished"));
    return this;
  }

  private Behavior<Command> list() {
    if (listing || shuttingDown) return this;
    listing = true;
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
      try {
        retrofit2.Response<List<LivekitModels.Room>> response = roomService.listRooms().execute();
        if (!response.isSuccessful()) {
          throw new IllegalStateException("RoomService ListRooms answered HTTP " + response.code());
        }
        return response.body() == null ? List.<LivekitModels.Room>of() : response.body();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, blocking), (rooms, error) -> new Listed(rooms, error));
    return this;
  }

  private Behavior<Command> onListed(Listed listed) {
    listing = false;
    if (listed.error() != null) {
      if (listFailures++ % 30 == 0) { // once a minute at the default interval, not every 2 s
        getContext().getLog().warn("cannot list the LiveKit server's rooms at {}: {}",
            context.settings().apiUrl(), listed.error().toString());
      }
      return this;
    }
    listFailures = 0;
    for (LivekitModels.Room room : listed.rooms()) {
      if (room.getNumParticipants() > 0) {
        onRoomSeen(new RoomSeen(room.getName(), room.getSid(), "listing"));
      }
    }
    return this;
  }

  private Behavior<Command> renew() {
    if (shuttingDown) return this; // the leases are released as the rooms are left
    for (Map.Entry<String, ActorRef<Object>> e : served.entrySet()) {
      String room = e.getKey();
      ActorRef<Object> connector = e.getValue();
      getContext().pipeToSelf(context.leases().renew(room, context.nodeTag()),
          (held, error) -> new RenewDone(room, connector, held != null && held, error));
    }
    return this;
  }

  private Behavior<Command> onRenewDone(RenewDone done) {
    if (!done.connector().equals(served.get(done.room()))) return this;
    if (done.error() != null) {
      // Redis unreachable: keep serving; if it stays away the lease expires and another node
      // may take the room, whose agent then replaces ours in the room (DUPLICATE_IDENTITY)
      getContext().getLog().warn("cannot renew the lease of room {}: {}", done.room(),
          done.error().toString());
    } else if (!done.held()) {
      getContext().getLog().warn("lease of room {} lost: another node serves it now",
          done.room());
      done.connector().tell(new LiveKitConnector.RoomClosed("lease_lost"));
    }
    return this;
  }

  private Behavior<Command> onBridgeUp(BridgeUp up) {
    link = up.link();
    served.values().forEach(c -> c.tell(new LiveKitConnector.BridgeReady(link)));
    return this;
  }

  private Behavior<Command> onBridgeDown() {
    link = null;
    served.values().forEach(c -> c.tell(new LiveKitConnector.BridgeGone()));
    return this;
  }

  private Behavior<Command> onConnectorEnded(ConnectorEnded ended) {
    if (ended.connector().equals(served.get(ended.room()))) served.remove(ended.room());
    org.slf4j.Logger log = getContext().getLog();
    context.leases().release(ended.room(), context.nodeTag(), ended.finishedSid(),
            ended.sessionId())
        .whenComplete((ok, error) -> {
          if (error != null) {
            log.warn("cannot release the lease of room {}: {}",
                ended.room(), error.toString());
          }
        });
    getContext().getLog().info("LiveKit room {} no longer served here{}", ended.room(),
        ended.finishedSid().isPresent() ? " (its session is over)" : "");
    if (shutdownReply != null && served.isEmpty()) {
      shutdownReply.tell(true);
      shutdownReply = null;
    }
    return this;
  }

  private Behavior<Command> onShutdown(Shutdown shutdown) {
    shuttingDown = true;
    if (served.isEmpty()) {
      shutdown.replyTo().tell(true);
      return this;
    }
    shutdownReply = shutdown.replyTo();
    served.values().forEach(c -> c.tell(new LiveKitConnector.RoomClosed("node_shutdown")));
    return this;
  }
}
