package io.voicegateway.session;

import java.util.Objects;

/**
 * The sharding entity id of one incarnation of a session: {@code <sessionId>@<nodeTag>#<epoch>}.
 *
 * <ul>
 *   <li>{@code sessionId}: what the client knows ({@code ws-} + 12 hex digits).
 *   <li>{@code nodeTag}: the node that holds the client connection, as {@link #nodeTag(long)} of
 *       its cluster member's unique address. The shard of the entity is the node's own
 *       ({@link NodeLocalSharding}), so the entity lives beside its connection: audio never
 *       crosses the cluster.
 *   <li>{@code epoch}: 1 for a new session; every resume claims the next one in the session's
 *       Redis record. A new incarnation never shares an id with an old one still stopping, and a
 *       stale incarnation's writes are fenced off by the epoch ({@link SessionStore}).
 * </ul>
 */
public record SessionEntityId(String sessionId, String nodeTag, long epoch) {

  public SessionEntityId {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(nodeTag, "nodeTag");
    if (sessionId.isEmpty() || sessionId.indexOf('@') >= 0 || sessionId.indexOf('#') >= 0) {
      throw new IllegalArgumentException("sessionId must be non-empty without '@' or '#': "
          + sessionId);
    }
    if (nodeTag.isEmpty() || nodeTag.indexOf('#') >= 0) {
      throw new IllegalArgumentException("nodeTag must be non-empty without '#': " + nodeTag);
    }
    if (epoch < 1) throw new IllegalArgumentException("epoch must be at least 1: " + epoch);
  }

  /** A node's tag: its member's unique address uid in hex (a restarted node gets a new one). */
  public static String nodeTag(long memberLongUid) {
    return Long.toHexString(memberLongUid);
  }

  /** The entity id string. */
  public String entityId() {
    return sessionId + "@" + nodeTag + "#" + epoch;
  }

  /**
   * Parses an entity id.
   *
   * @throws IllegalArgumentException when it does not have the form {@code id@tag#epoch}
   */
  public static SessionEntityId parse(String entityId) {
    int at = entityId.lastIndexOf('@');
    int hash = entityId.lastIndexOf('#');
    if (at <= 0 || hash < at + 2 || hash == entityId.length() - 1) {
      throw new IllegalArgumentException("not a session entity id (id@tag#epoch): " + entityId);
    }
    try {
      return new SessionEntityId(entityId.substring(0, at), entityId.substring(at + 1, hash),
          Long.parseLong(entityId.substring(hash + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a session entity id (epoch not a number): "
          + entityId, e);
    }
  }

  @Override
  public String toString() {
    return entityId();
  }
}
