package io.voicegateway.gateway.livekit;

import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.voicegateway.registry.RedisClients;
import io.voicegateway.registry.RegistrySettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Which node serves which LiveKit room, in Redis, so that exactly one node serves a room across
 * the cluster (DESIGN.md, cluster rules). Keys, under {@code voicegw.livekit.key-prefix}:
 * <ul>
 *   <li>{@code room:<name>}: the lease, the serving node's tag, with a TTL of {@code lease-ttl}
 *       renewed by its owner; when a node dies its leases expire and another node takes the
 *       rooms over;
 *   <li>{@code session:<name>}: the id of the room's session, so that the node taking a room over
 *       resumes that session instead of starting a new one;
 *   <li>{@code done:<room sid>}: a room instance whose session ended for good (the agent left
 *       it), so that no node joins it again while the server still lists it.
 * </ul>
 * Every change is one Lua script, checked against the owner: a node that lost a lease cannot
 * renew or release what another node holds now.
 */
public final class RoomLeases implements AutoCloseable {

  /** The outcome of {@link #acquire}. */
  public enum Acquired { ACQUIRED, HELD_ELSEWHERE, DONE }

  private static final String ACQUIRE = """
      if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then return 'done' end
      local owner = redis.call('GET', KEYS[1])
      if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 'acquired' end
      if owner then return 'held' end
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      return 'acquired'""";

  private static final String RENEW = """
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return 1""";

  private static final String RELEASE = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
      if ARGV[2] ~= '' then
        redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
        if redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
      end
      return 1""";

  /** How long a finished room instance is remembered (the server deletes empty rooms sooner). */
  static final Duration DONE_TTL = Duration.ofHours(1);
  /** How long a room's session id is kept; longer than any session may last. */
  static final Duration SESSION_TTL = Duration.ofHours(25);

  private final RedisClients.Owned redis;
  private final RedisURI uri;
  private final String prefix;
  private final long leaseMillis;
  private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;

  public RoomLeases(RegistrySettings redisSettings, String keyPrefix, Duration leaseTtl) {
    this.redis = RedisClients.open(redisSettings, () -> {});
    this.uri = redisSettings.redisUri();
    this.prefix = keyPrefix;
    this.leaseMillis = leaseTtl.toMillis();
    this.connection = connect();
  }

  private CompletableFuture<StatefulRedisConnection<String, String>> connect() {
    return redis.client().connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
  }

  private <T> CompletionStage<T> run(
      Function<RedisAsyncCommands<String, String>, CompletionStage<T>> call) {
    CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
    if (c.isCompletedExceptionally()) {
      c = connect(); // Redis was down when we connected: try again now
      connection = c;
    }
    return c.thenCompose(conn -> call.apply(conn.async()));
  }

  String leaseKey(String room) {
    return prefix + "room:" + room;
  }

  String sessionKey(String room) {
    return prefix + "session:" + room;
  }

  String doneKey(String roomSid) {
    return prefix + "done:" + roomSid;
  }

  /**
   * Takes the room's lease for {@code owner} unless another node holds it or this room instance
   * ({@code roomSid}, may be empty when unknown) is done.
   */
  public CompletionStage<Acquired> acquire(String room, String roomSid, String owner) {
    return run(c -> c.<String>eval(ACQUIRE, ScriptOutputType.VALUE,
            new String[] {leaseKey(room), doneKey(roomSid)}, owner, Long.toString(leaseMillis),
            roomSid)
        .thenApply(r -> switch (r) {
          case "acquired" -> Acquired.ACQUIRED;
          case "done" -> Acquired.DONE;
          default -> Acquired.HELD_ELSEWHERE;
        }));
  }

  /** Extends the lease; false when {@code owner} no longer holds it. */
  public CompletionStage<Boolean> renew(String room, String owner) {
    return run(c -> c.<Long>eval(RENEW, ScriptOutputType.INTEGER,
            new String[] {leaseKey(room)}, owner, Long.toString(leaseMillis))
        .thenApply(r -> r == 1L));
  }

  /**
   * Gives the lease up. With {@code finishedRoomSid} the room instance is marked done and the
   * room's session id ({@code sessionId}) forgotten: nobody serves it again.
   */
  public CompletionStage<Boolean> release(String room, String owner,
      Optional<String> finishedRoomSid, String sessionId) {
    return run(c -> c.<Long>eval(RELEASE, ScriptOutputType.INTEGER,
            new String[] {leaseKey(room), doneKey(finishedRoomSid.orElse("")), sessionKey(room)},
            owner, finishedRoomSid.orElse(""), Long.toString(DONE_TTL.toMillis()),
            sessionId == null ? "" : sessionId)
        .thenApply(r -> true));
  }

  /** The id of the session that serves (or served) the room, when there is one. */
  public CompletionStage<Optional<String>> sessionOf(String room) {
    return run(c -> c.get(sessionKey(room)).thenApply(Optional::ofNullable));
  }

  /** Records the room's session id. */
  public CompletionStage<String> recordSession(String room, String sessionId) {
    return run(c -> c.set(sessionKey(room), sessionId,
        SetArgs.Builder.px(SESSION_TTL.toMillis())));
  }

  @Override
  public void close() {
    connection.thenCompose(StatefulRedisConnection::closeAsync)
        .orTimeout(2, TimeUnit.SECONDS).whenComplete((ok, err) -> redis.shutdownAsync());
  }
}
