package io.voicegateway.gateway.management;

import io.voicegateway.session.NodeLocalSharding;
import io.voicegateway.session.SessionEntity;
import io.voicegateway.session.SessionEntityId;
import io.voicegateway.session.SessionInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The sessions of the whole cluster as the management API shows them: every node's
 * {@link LocalSessions} lists its entity ids, the lists are merged (one incarnation per session:
 * the highest epoch), sorted by session id, paged, and only the sessions of the page are asked
 * {@link SessionEntity.GetInfo}. A node or a session that does not answer in time is reported,
 * never fatal to the request.
 */
public final class SessionsView {

  /** One session incarnation and the node (cluster address) that holds it. */
  public record Located(SessionEntityId id, String node) {}

  /**
   * Every node's list merged.
   *
   * @param unreachableNodes nodes that did not list their sessions in time
   * @param failedShards shards (as {@code node/shard}) that did not answer their region in time
   */
  public record Gathered(List<Located> sessions, List<String> unreachableNodes,
      List<String> failedShards) {
    public boolean partial() {
      return !unreachableNodes.isEmpty() || !failedShards.isEmpty();
    }
  }

  /** A located session and what it said of itself; empty when it did not answer in time. */
  public record Described(Located located, Optional<SessionInfo> info) {}

  /** One page of sessions, of {@code total}, ordered by session id. */
  public record Page(int total, int offset, int limit, List<Described> sessions, Gathered from) {}

  private final ActorSystem<?> system;
  private final ManagementSettings settings;
  private final ClusterSharding sharding;

  public SessionsView(ActorSystem<?> system, ManagementSettings settings) {
    this.system = system;
    this.settings = settings;
    this.sharding = ClusterSharding.get(system);
  }

  /** Lists the sessions of every node that answers within the list timeout. */
  public CompletionStage<Gathered> gather() {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            replyTo -> Receptionist.find(LocalSessions.KEY, replyTo), settings.listTimeout(),
            system.scheduler())
        .thenCompose(listing -> {
          List<CompletableFuture<Answer>> asks = new ArrayList<>();
          for (ActorRef<LocalSessions.Command> node : listing.getServiceInstances(LocalSessions.KEY)) {
            asks.add(AskPattern.<LocalSessions.Command, LocalSessions.Listing>ask(node,
                    LocalSessions.ListSessions::new, settings.listTimeout(), system.scheduler())
                .handle((answer, error) -> new Answer(nodeOf(node), answer))
                .toCompletableFuture());
          }
          return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
              .thenApply(done -> merge(asks.stream().map(CompletableFuture::join).toList()));
        });
  }

  /** Sessions {@code offset .. offset+limit-1} in session id order, each asked for its info. */
  public CompletionStage<Page> page(int offset, int limit) {
    return gather().thenCompose(g -> {
      int total = g.sessions().size();
      List<Located> slice = g.sessions().subList(Math.min(offset, total),
          (int) Math.min((long) offset + limit, total));
      List<CompletableFuture<Described>> infos =
          slice.stream().map(s -> describe(s).toCompletableFuture()).toList();
      return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).thenApply(done ->
          new Page(total, offset, limit, infos.stream().map(CompletableFuture::join).toList(), g));
    });
  }

  /**
   * The session whose id the client knows is {@code sessionId} (its newest incarnation), asked
   * for its info; empty when no node that answered holds it.
   */
  public CompletionStage<Optional<Described>> find(String sessionId, Gathered g) {
    Optional<Located> found = g.sessions().stream()
        .filter(s -> s.id().sessionId().equals(sessionId))
        .max(Comparator.comparingLong(s -> s.id().epoch()));
    if (found.isEmpty()) return CompletableFuture.completedFuture(Optional.empty());
    return describe(found.get()).thenApply(Optional::of);
  }

  private CompletionStage<Described> describe(Located s) {
    return sharding.entityRefFor(SessionEntity.TYPE_KEY, s.id().entityId())
        .<SessionInfo>ask(SessionEntity.GetInfo::new, settings.infoTimeout())
        .handle((info, error) -> new Described(s, Optional.ofNullable(error == null ? info : null)));
  }

  private record Answer(String node, LocalSessions.Listing listing) {}

  private static Gathered merge(List<Answer> answers) {
    Map<String, Located> newest = new HashMap<>();
    List<String> unreachable = new ArrayList<>();
    List<String> failedShards = new ArrayList<>();
    for (Answer a : answers) {
      if (a.listing() == null) {
        unreachable.add(a.node());
        continue;
      }
      for (String shard : a.listing().failedShards()) failedShards.add(a.listing().node() + "/" + shard);
      for (String entityId : a.listing().entityIds()) {
        SessionEntityId id;
        try {
          id = SessionEntityId.parse(entityId);
        } catch (IllegalArgumentException e) {
          continue; // not a session incarnation of the id@node#epoch scheme
        }
        if (NodeLocalSharding.isWarmUp(id)) continue; // allocates a shard, stops at once
        Located here = new Located(id, a.listing().node());
        newest.merge(id.sessionId(), here,
            (x, y) -> x.id().epoch() >= y.id().epoch() ? x : y);
      }
    }
    List<Located> sorted = new ArrayList<>(newest.values());
    sorted.sort(Comparator.comparing((Located l) -> l.id().sessionId()));
    return new Gathered(List.copyOf(sorted), List.copyOf(new TreeSet<>(unreachable)),
        List.copyOf(failedShards));
  }

  /** The cluster address of a node's actor; a local reference carries none, so: this node. */
  private String nodeOf(ActorRef<?> ref) {
    Address a = ref.path().address();
    return a.hasGlobalScope() ? a.toString()
        : Cluster.get(system).selfMember().address().toString();
  }
}
