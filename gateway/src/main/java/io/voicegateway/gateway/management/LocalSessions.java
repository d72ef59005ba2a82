package io.voicegateway.gateway.management;

import io.voicegateway.session.CborSerializable;
import io.voicegateway.session.SessionEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.ShardRegion.ShardState;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One per node, registered with the Receptionist under {@link #KEY}: lists the session entity ids
 * the node's own shard region holds, so the management API can list every session of the cluster
 * by asking each node (the ids only; the entities are asked for details one page at a time).
 */
public final class LocalSessions extends AbstractBehavior<LocalSessions.Command> {

  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "voicegw-local-sessions");

  public interface Command {}

  /** Lists this node's session entity ids; may come from another node (CBOR). */
  public record ListSessions(ActorRef<Listing> replyTo) implements Command, CborSerializable {}

  /**
   * @param node the cluster address of the node that answers
   * @param entityIds every entity id of {@link SessionEntity#TYPE_KEY} in the node's shards
   * @param failedShards shards that did not answer the region in time (their entities are
   *     missing); {@code *} when the region itself did not answer
   */
  public record Listing(String node, List<String> entityIds,
      List<String> failedShards) implements CborSerializable {}

  private record RegionState(CurrentShardRegionState state, Throwable error,
      ActorRef<Listing> replyTo) implements Command {}

  private final String node;
  private final ActorRef<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery> shardState;
  private final Duration timeout;

  /** @param timeout how long the local region may take to report its shards */
  public static Behavior<Command> create(Duration timeout) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      return new LocalSessions(ctx, timeout);
    });
  }

  private LocalSessions(ActorContext<Command> ctx, Duration timeout) {
    super(ctx);
    this.node = Cluster.get(ctx.getSystem()).selfMember().address().toString();
    this.shardState = ClusterSharding.get(ctx.getSystem()).shardState();
    this.timeout = timeout;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ListSessions.class, this::onList)
        .onMessage(RegionState.class, this::onRegionState)
        .build();
  }

  private Behavior<Command> onList(ListSessions list) {
    getContext().ask(CurrentShardRegionState.class, shardState, timeout,
        ref -> new GetShardRegionState(SessionEntity.TYPE_KEY, ref),
        (state, error) -> new RegionState(state, error, list.replyTo()));
    return this;
  }

  private Behavior<Command> onRegionState(RegionState r) {
    if (r.error() != null) {
      // the region did not answer: say so through failedShards rather than staying silent
      r.replyTo().tell(new Listing(node, List.of(), List.of("*")));
      return this;
    }
    List<String> ids = new ArrayList<>();
    for (ShardState shard : r.state().getShards()) ids.addAll(shard.getEntityIds());
    r.replyTo().tell(new Listing(node, ids, new ArrayList<>(r.state().getFailed())));
    return this;
  }
}
