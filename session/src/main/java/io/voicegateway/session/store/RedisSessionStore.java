package io.voicegateway.session.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.voicegateway.registry.RedisClients;
import io.voicegateway.registry.RegistrySettings;
import io.voicegateway.session.SessionEntityId;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@link SessionStore} in Redis: one hash per session at {@code <prefix><sessionId>} with the
 * fields {@code token_sha256}, {@code epoch}, {@code owner} (entity id), {@code started_ms} and
 * {@code state} (JSON of {@link ResumeState}). Every operation is one Lua script, so the epoch
 * check and the write are atomic. The record expires when the session's maximum duration plus
 * the resume window is over, whatever happens to the nodes.
 *
 * <p>One connection per node, shared by all its sessions (Lettuce pipelines their commands).
 * While Redis is unreachable commands fail at once; a session then goes on without being
 * resumable and saves again at its next change.
 */
public final class RedisSessionStore implements SessionStore, AutoCloseable {

  private static final String CREATE = """
      if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
      redis.call('HSET', KEYS[1], 'token_sha256', ARGV[1], 'epoch', '1', 'owner', ARGV[2],
                 'started_ms', ARGV[3], 'state', ARGV[4])
      redis.call('PEXPIREAT', KEYS[1], ARGV[5])
      return 1""";

  private static final String SAVE = """
      if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
      redis.call('HSET', KEYS[1], 'state', ARGV[2])
      redis.call('PEXPIREAT', KEYS[1], ARGV[3])
      return 1""";

  private static final String DELETE = """
      if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
      redis.call('DEL', KEYS[1])
      return 1""";

  /** Returns {previous owner, new owner, started_ms, state}, or an empty list when refused. */
  private static final String CLAIM = """
      local token = redis.call('HGET', KEYS[1], 'token_sha256')
      if not token or token ~= ARGV[1] then return {} end
      local previous = redis.call('HGET', KEYS[1], 'owner')
      local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
      local owner = ARGV[3] .. '@' .. ARGV[2] .. '#' .. epoch
      redis.call('HSET', KEYS[1], 'owner', owner)
      return {previous, owner, redis.call('HGET', KEYS[1], 'started_ms'),
              redis.call('HGET', KEYS[1], 'state')}""";

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final RedisClients.Owned redis;
  private final RedisURI uri;
  private final String keyPrefix;
  private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;

  /**
   * Connects in the background: a node starts while Redis is down, and its sessions are
   * resumable once Redis is back (a failed connect is retried at the next command; a broken
   * connection reconnects by itself).
   */
  public RedisSessionStore(RegistrySettings settings, String keyPrefix) {
    this.redis = RedisClients.open(settings, () -> {});
    this.uri = settings.redisUri();
    this.keyPrefix = keyPrefix;
    this.connection = connect();
  }

  private CompletableFuture<StatefulRedisConnection<String, String>> connect() {
    return redis.client().connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
  }

  private <T> CompletionStage<T> run(
      java.util.function.Function<RedisAsyncCommands<String, String>, CompletionStage<T>> call) {
    CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
    if (c.isCompletedExceptionally()) {
      c = connect();
      connection = c;
    }
    return c.thenCompose(conn -> call.apply(conn.async()));
  }

  /** The Redis key of a session's record. */
  public String key(String sessionId) {
    return keyPrefix + sessionId;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public CompletionStage<Boolean> create(SessionEntityId owner, String tokenSha256,
      long startedAtMillis, long expireAtMillis, ResumeState state) {
    return run(commands -> commands.<Long>eval(CREATE, ScriptOutputType.INTEGER,
            new String[] {key(owner.sessionId())}, tokenSha256, owner.entityId(),
            Long.toString(startedAtMillis), toJson(state), Long.toString(expireAtMillis))
        .thenApply(r -> r == 1L));
  }

  @Override
  public CompletionStage<Saved> save(SessionEntityId owner, long expireAtMillis,
      ResumeState state) {
    return run(commands -> commands.<Long>eval(SAVE, ScriptOutputType.INTEGER,
            new String[] {key(owner.sessionId())}, Long.toString(owner.epoch()), toJson(state),
            Long.toString(expireAtMillis))
        .thenApply(r -> r == 1L ? Saved.SAVED : Saved.FENCED));
  }

  @Override
  public CompletionStage<Saved> delete(SessionEntityId owner) {
    return run(commands -> commands.<Long>eval(DELETE, ScriptOutputType.INTEGER,
            new String[] {key(owner.sessionId())}, Long.toString(owner.epoch()))
        .thenApply(r -> r == 1L ? Saved.SAVED : Saved.FENCED));
  }

  @Override
  public CompletionStage<Claim> claim(String sessionId, String tokenSha256, String nodeTag) {
    return run(commands -> commands.<List<Object>>eval(CLAIM, ScriptOutputType.MULTI,
            new String[] {key(sessionId)}, tokenSha256, nodeTag, sessionId)
        .thenApply(r -> {
          if (r == null || r.size() < 4) return (Claim) new Refused();
          return new Claimed(SessionEntityId.parse((String) r.get(1)),
              SessionEntityId.parse((String) r.get(0)), Long.parseLong((String) r.get(2)),
              fromJson((String) r.get(3)));
        }));
  }

  static String toJson(ResumeState state) {
    try {
      return JSON.writeValueAsString(state);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ResumeState fromJson(String json) {
    try {
      return JSON.readValue(json, ResumeState.class);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    connection.thenCompose(StatefulRedisConnection::closeAsync)
        .orTimeout(2, TimeUnit.SECONDS).whenComplete((ok, err) -> redis.shutdownAsync());
  }
}
