package io.voicegateway.session;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Cluster Sharding of sessions with node-local placement (DESIGN.md, cluster rules: audio stays
 * on one node).
 *
 * <ul>
 *   <li>An entity id ({@link SessionEntityId}) names the node that holds the client connection;
 *       its shard is one of that node's {@code shardsPerNode} shards ({@code <nodeTag>-<n>}).
 *   <li>{@link HomeNodeAllocation} allocates a shard to the node its tag names (or, if that node
 *       is not a member, to the region that asked) and never rebalances. So a session's entity
 *       runs beside its connection and is never moved while it lives; passivation is off.
 *   <li>{@link #warmUp} makes each node allocate all of its shards as soon as it is Up. A node
 *       then never needs the shard coordinator for a new session or a resume, so a resume on a
 *       surviving node does not wait for a dead coordinator node to be downed.
 * </ul>
 */
public final class NodeLocalSharding {

  private NodeLocalSharding() {}

  private static final String WARM_UP_PREFIX = "warm-up-";

  /** Whether {@code id} is one of {@link #warmUp}'s short-lived entities, not a session. */
  public static boolean isWarmUp(SessionEntityId id) {
    return id.sessionId().startsWith(WARM_UP_PREFIX);
  }

  /** This node's tag: its cluster member's unique address uid (new for every restart). */
  public static String nodeTag(ActorSystem<?> system) {
    return SessionEntityId.nodeTag(
        Cluster.get(Adapter.toClassic(system)).selfUniqueAddress().longUid());
  }

  /** Starts session sharding on this node. */
  public static org.apache.pekko.actor.typed.ActorRef<ShardingEnvelope<SessionEntity.Command>>
      init(ActorSystem<?> system, SessionServices services, int shardsPerNode) {
    return ClusterSharding.get(system).init(
        Entity.of(SessionEntity.TYPE_KEY,
                ctx -> SessionEntity.create(SessionEntityId.parse(ctx.getEntityId()), services))
            .withMessageExtractor(new Extractor(shardsPerNode))
            .withAllocationStrategy(new HomeNodeAllocation(system))
            .withStopMessage(new SessionEntity.End("node_shutdown"))
            .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  /**
   * Tells the incarnation that owned a session until a resume took it ({@code previous}) to end,
   * when its node is a reachable member; an incarnation on a dead node is gone already, and a
   * frozen one is fenced by the session store when it wakes.
   */
  public static void supersede(ActorSystem<?> system, SessionEntityId previous) {
    Cluster cluster = Cluster.get(Adapter.toClassic(system));
    for (Member m : cluster.state().getMembers()) {
      if (SessionEntityId.nodeTag(m.uniqueAddress().longUid()).equals(previous.nodeTag())
          && !cluster.state().getUnreachable().contains(m)) {
        ClusterSharding.get(system).entityRefFor(SessionEntity.TYPE_KEY, previous.entityId())
            .tell(new SessionEntity.Superseded());
        return;
      }
    }
  }

  /**
   * Allocates every shard of this node: one short-lived entity per shard, which stops at its
   * first message (no client attached). Call once the node is Up.
   */
  public static void warmUp(ActorSystem<?> system, int shardsPerNode) {
    String tag = nodeTag(system);
    Extractor extractor = new Extractor(shardsPerNode);
    Set<String> shards = new HashSet<>();
    ClusterSharding sharding = ClusterSharding.get(system);
    for (int i = 0; shards.size() < shardsPerNode; i++) {
      String entityId = new SessionEntityId(WARM_UP_PREFIX + i, tag, 1).entityId();
      if (shards.add(extractor.shardId(entityId))) {
        sharding.entityRefFor(SessionEntity.TYPE_KEY, entityId)
            .tell(new SessionEntity.End("warm-up"));
      }
    }
  }

  /** Shard {@code <nodeTag>-<hash of the session id mod shardsPerNode>}. */
  static final class Extractor
      extends ShardingMessageExtractor<ShardingEnvelope<SessionEntity.Command>,
          SessionEntity.Command> {

    private final int shardsPerNode;

    Extractor(int shardsPerNode) {
      if (shardsPerNode < 1) throw new IllegalArgumentException("shardsPerNode must be >= 1");
      this.shardsPerNode = shardsPerNode;
    }

    @Override
    public String entityId(ShardingEnvelope<SessionEntity.Command> envelope) {
      return envelope.entityId();
    }

    @Override
    public String shardId(String entityId) {
      SessionEntityId id = SessionEntityId.parse(entityId);
      return id.nodeTag() + "-" + Math.floorMod(id.sessionId().hashCode(), shardsPerNode);
    }

    @Override
    public SessionEntity.Command unwrapMessage(ShardingEnvelope<SessionEntity.Command> envelope) {
      return envelope.message();
    }
  }

  /**
   * A shard goes to the region of the node its tag names; when that node is not a member (it
   * left or died), to the region that asked. Never rebalances: live sessions are not moved.
   */
  static final class HomeNodeAllocation extends ShardCoordinator.AbstractShardAllocationStrategy {

    private final Cluster cluster;

    HomeNodeAllocation(ActorSystem<?> system) {
      this.cluster = Cluster.get(Adapter.toClassic(system));
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
        Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
      String tag = shardId.substring(0, Math.max(0, shardId.lastIndexOf('-')));
      Address home = null;
      for (Member m : cluster.state().getMembers()) {
        if (SessionEntityId.nodeTag(m.uniqueAddress().longUid()).equals(tag)) home = m.address();
      }
      if (home != null) {
        for (ActorRef region : currentShardAllocations.keySet()) {
          Address a = region.path().address();
          boolean local = a.hasLocalScope();
          if ((local && home.equals(cluster.selfAddress())) || home.equals(a)) {
            return Futures.successful(region);
          }
        }
      }
      return Futures.successful(requester);
    }

    @Override
    public Future<java.util.Set<String>> rebalance(
        Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
        java.util.Set<String> rebalanceInProgress) {
      return Futures.successful(java.util.Set.of());
    }
  }
}
