package io.voicegateway.session.store;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.voicegateway.registry.RedisClients;
import io.voicegateway.registry.RegistrySettings;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.coordination.lease.LeaseSettings;
import org.apache.pekko.coordination.lease.javadsl.Lease;

/**
 * A Pekko coordination lease in Redis, for the split-brain resolver's {@code lease-majority}
 * strategy (docs/ARCHITECTURE.md, "Cluster timings"): when members become unreachable, the side
 * that takes this lease stays and the other downs itself. Unlike {@code keep-majority} it lets
 * the survivor of a two-node cluster stay whichever node died: a dead node takes no lease.
 *
 * <p>The lease is one key ({@code <key-prefix><lease name>}) holding its owner, written with a
 * TTL of {@code heartbeat-timeout}, so the lease of a node that died holding it frees itself.
 * Every change is a Lua script checked against the owner. Redis being unreachable means the
 * lease cannot be taken: the side that asks downs itself (Redis is a hard dependency of the
 * gateway anyway: sessions and workers live there).
 */
public final class RedisLease extends Lease {

  private static final String ACQUIRE = """
      local owner = redis.call('GET', KEYS[1])
      if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
      if owner then return 0 end
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      return 1""";

  private static final String RELEASE = """
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
      redis.call('DEL', KEYS[1])
      return 1""";

  private final LeaseSettings settings;
  private final RegistrySettings redisSettings;
  private final String key;
  private final long ttlMillis;
  private final long timeoutMillis;
  private volatile RedisClients.Owned redis; // connected on first use
  private volatile long heldUntilNanos;

  /** The constructor Pekko's LeaseProvider calls. */
  public RedisLease(LeaseSettings settings, ExtendedActorSystem system) {
    this.settings = settings;
    this.redisSettings = RegistrySettings.fromConfig(system.settings().config());
    this.key = settings.leaseConfig().getString("key-prefix") + settings.leaseName();
    this.ttlMillis = settings.timeoutSettings().heartbeatTimeout().toMillis();
    this.timeoutMillis = settings.timeoutSettings().operationTimeout().toMillis();
    system.registerOnTermination(() -> {
      if (redis != null) redis.shutdownAsync();
    });
  }

  @Override
  public LeaseSettings getSettings() {
    return settings;
  }

  @Override
  public CompletionStage<Boolean> acquire() {
    long asked = System.nanoTime();
    return eval(ACQUIRE, Long.toString(ttlMillis)).thenApply(taken -> {
      if (taken) heldUntilNanos = asked + TimeUnit.MILLISECONDS.toNanos(ttlMillis);
      return taken;
    });
  }

  /** The TTL frees the lease; nobody is told when it lapses (the SBR does not need to be). */
  @Override
  public CompletionStage<Boolean> acquire(Consumer<Optional<Throwable>> leaseLostCallback) {
    return acquire();
  }

  @Override
  public CompletionStage<Boolean> release() {
    heldUntilNanos = 0;
    return eval(RELEASE, "0");
  }

  @Override
  public boolean checkLease() {
    return heldUntilNanos != 0 && System.nanoTime() - heldUntilNanos < 0;
  }

  private CompletionStage<Boolean> eval(String script, String ttl) {
    CompletableFuture<Boolean> result = connection()
        .thenCompose(c -> c.async().<Long>eval(script, ScriptOutputType.INTEGER,
            new String[] {key}, settings.ownerName(), ttl).toCompletableFuture())
        .thenApply(r -> r == 1L);
    return result.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;

  private synchronized CompletableFuture<StatefulRedisConnection<String, String>> connection() {
    if (connection == null || connection.isCompletedExceptionally()) {
      if (redis == null) redis = RedisClients.open(redisSettings, () -> {});
      connection = redis.client().connectAsync(StringCodec.UTF8, redisSettings.redisUri())
          .toCompletableFuture();
    }
    return connection;
  }
}
