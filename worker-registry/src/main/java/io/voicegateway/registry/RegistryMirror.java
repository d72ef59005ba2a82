package io.voicegateway.registry;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Keeps a live in-memory copy of every {@code <prefix>*} worker record (WIRE.md §3) and publishes it
 * to a {@link WorkerDirectory}, so that selection needs no Redis round trip. Keyspace notifications
 * give sub-second updates; a periodic SCAN + MGET resync repairs anything they missed (lost
 * messages, notifications disabled, a Redis restart). While Redis is unreachable the last snapshot
 * stays published: records then age out through their heartbeat time in {@link WorkerSelector}.
 */
public final class RegistryMirror extends AbstractBehavior<RegistryMirror.Command> {

  public interface Command {}

  /** Replies with the current snapshot. */
  public record GetSnapshot(ActorRef<WorkerSnapshot> replyTo) implements Command {}

  /** The subscriber gets the current snapshot at once and again whenever it changes. */
  public record Subscribe(ActorRef<WorkerSnapshot> subscriber) implements Command {}

  public record Unsubscribe(ActorRef<WorkerSnapshot> subscriber) implements Command {}

  private enum ResyncTick implements Command {
    INSTANCE
  }

  private enum ConnectionActivated implements Command {
    INSTANCE
  }

  private record Connected(
      StatefulRedisConnection<String, String> commands,
      StatefulRedisPubSubConnection<String, String> notifications,
      Throwable failure)
      implements Command {}

  private record NotificationsConfigured(String flags, Throwable failure) implements Command {}

  private record KeyEvent(String key, String event) implements Command {}

  private record Fetched(String key, long version, String value, Throwable failure)
      implements Command {}

  private record ResyncResult(long startVersion, Map<String, String> values, Throwable failure)
      implements Command {}

  private record SubscriberTerminated(ActorRef<WorkerSnapshot> subscriber) implements Command {}

  /** The flags keyspace tracking needs: keyspace channel, generic, string, expired, evicted. */
  static final String NEEDED_FLAGS = "Kg$xe";

  private static final int MGET_BATCH = 500;

  private final RegistrySettings settings;
  private final WorkerDirectory directory;
  private final RedisClients.Owned redis;
  private final String channelPrefix;
  private final String pattern;

  private StatefulRedisConnection<String, String> commands;
  private StatefulRedisPubSubConnection<String, String> notifications;
  private boolean connecting;

  private final Map<String, WorkerRecord> records = new HashMap<>();
  /** Per key, the latest notification seen; replies to older fetches are ignored. */
  private final Map<String, Long> versions = new HashMap<>();

  private long version;
  private boolean resyncInFlight;
  private final Map<String, String> rejectedContent = new HashMap<>();
  private final Map<String, Set<String>> unknownKeysLogged = new HashMap<>();
  private final Set<ActorRef<WorkerSnapshot>> subscribers = new HashSet<>();
  private boolean outageLogged;
  private boolean configRefusalLogged;
  private boolean everSynced;

  public static Behavior<Command> create(RegistrySettings settings, WorkerDirectory directory) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new RegistryMirror(ctx, timers, settings, directory)));
  }

  private RegistryMirror(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      RegistrySettings settings,
      WorkerDirectory directory) {
    super(ctx);
    this.settings = settings;
    this.directory = directory;
    this.channelPrefix = "__keyspace@" + settings.redisUri().getDatabase() + "__:";
    this.pattern = channelPrefix + globEscape(settings.keyPrefix()) + "*";
    ActorRef<Command> self = ctx.getSelf();
    this.redis = RedisClients.open(settings, () -> self.tell(ConnectionActivated.INSTANCE));
    timers.startTimerWithFixedDelay(ResyncTick.INSTANCE, settings.resyncInterval());
    connect();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetSnapshot.class, this::onGetSnapshot)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, u -> onSubscriberGone(u.subscriber()))
        .onMessage(SubscriberTerminated.class, t -> onSubscriberGone(t.subscriber()))
        .onMessageEquals(ResyncTick.INSTANCE, this::onResyncTick)
        .onMessageEquals(ConnectionActivated.INSTANCE, this::onConnectionActivated)
        .onMessage(Connected.class, this::onConnected)
        .onMessage(NotificationsConfigured.class, this::onNotificationsConfigured)
        .onMessage(KeyEvent.class, this::onKeyEvent)
        .onMessage(Fetched.class, this::onFetched)
        .onMessage(ResyncResult.class, this::onResyncResult)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  // ---- subscribers

  private Behavior<Command> onGetSnapshot(GetSnapshot g) {
    g.replyTo().tell(directory.snapshot());
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe s) {
    if (subscribers.add(s.subscriber())) {
      getContext().watchWith(s.subscriber(), new SubscriberTerminated(s.subscriber()));
    }
    s.subscriber().tell(directory.snapshot());
    return this;
  }

  private Behavior<Command> onSubscriberGone(ActorRef<WorkerSnapshot> subscriber) {
    if (subscribers.remove(subscriber)) {
      getContext().unwatch(subscriber);
    }
    return this;
  }

  // ---- connection lifecycle

  private void connect() {
    if (connecting) {
      return;
    }
    connecting = true;
    CompletableFuture<StatefulRedisConnection<String, String>> c;
    CompletableFuture<StatefulRedisPubSubConnection<String, String>> p;
    try {
      c = redis.client().connectAsync(StringCodec.UTF8, settings.redisUri()).toCompletableFuture();
      p = redis.client().connectPubSubAsync(StringCodec.UTF8, settings.redisUri()).toCompletableFuture();
    } catch (RuntimeException e) {
      c = CompletableFuture.failedFuture(e);
      p = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<StatefulRedisConnection<String, String>> fc = c;
    CompletableFuture<StatefulRedisPubSubConnection<String, String>> fp = p;
    CompletableFuture<Connected> both =
        CompletableFuture.allOf(fc, fp)
            .handle(
                (ok, err) -> {
                  if (err == null) {
                    return new Connected(fc.join(), fp.join(), null);
                  }
                  // one of the two may have succeeded: do not leak it
                  fc.thenAccept(StatefulRedisConnection::closeAsync);
                  fp.thenAccept(StatefulRedisPubSubConnection::closeAsync);
                  return new Connected(null, null, err);
                });
    getContext().pipeToSelf(both, (r, err) -> r != null ? r : new Connected(null, null, err));
  }

  private Behavior<Command> onConnected(Connected c) {
    connecting = false;
    if (c.failure() != null) {
      outage(c.failure());
      return this;
    }
    commands = c.commands();
    notifications = c.notifications();
    ActorRef<Command> self = getContext().getSelf();
    notifications.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String pattern, String channel, String message) {
            if (channel.startsWith(channelPrefix)) {
              self.tell(new KeyEvent(channel.substring(channelPrefix.length()), message));
            }
          }
        });
    // Lettuce re-issues this PSUBSCRIBE by itself after every reconnect
    notifications.async().psubscribe(pattern);
    configureNotificationsAndResync();
    return this;
  }

  /** After a reconnect Redis may be a fresh process: settings and keys may be gone. */
  private Behavior<Command> onConnectionActivated() {
    if (commands != null) {
      configureNotificationsAndResync();
    }
    return this;
  }

  private void configureNotificationsAndResync() {
    if (settings.keyspaceNotifications()) {
      RedisAsyncCommands<String, String> redis = commands.async();
      CompletionStage<String> configured =
          redis
              .configGet("notify-keyspace-events")
              .thenCompose(
                  current -> {
                    String flags = current.getOrDefault("notify-keyspace-events", "");
                    String wanted = withNeededFlags(flags);
                    if (wanted.equals(flags)) {
                      return CompletableFuture.completedFuture(flags);
                    }
                    return redis
                        .configSet("notify-keyspace-events", wanted)
                        .thenApply(ok -> wanted);
                  });
      getContext().pipeToSelf(configured, NotificationsConfigured::new);
    }
    resync();
  }

  private Behavior<Command> onNotificationsConfigured(NotificationsConfigured n) {
    if (n.failure() == null) {
      getContext().getLog().debug("notify-keyspace-events is now '{}'", n.flags());
    } else if (!configRefusalLogged && isCommandRefusal(n.failure())) {
      configRefusalLogged = true;
      getContext()
          .getLog()
          .warn(
              "Redis refused CONFIG for notify-keyspace-events ({}); the worker mirror updates"
                  + " only by its resync every {}",
              n.failure().getMessage(),
              settings.resyncInterval());
    }
    // a failure from a lost connection is reported by the resync; retried on reactivation
    return this;
  }

  private Behavior<Command> onPostStop() {
    if (commands != null) {
      commands.closeAsync();
    }
    if (notifications != null) {
      notifications.closeAsync();
    }
    redis.shutdownAsync();
    return this;
  }

  // ---- notifications

  private Behavior<Command> onKeyEvent(KeyEvent e) {
    String key = e.key();
    if (!key.startsWith(settings.keyPrefix())) {
      return this;
    }
    switch (e.event()) {
      case "expire", "persist" -> {
        return this; // TTL changed, value did not
      }
      case "del", "expired", "evicted", "rename_from" -> {
        versions.put(key, ++version);
        if (records.remove(key) != null) {
          publish();
        }
        forgetLogs(key);
      }
      default -> fetch(key, ++version);
    }
    return this;
  }

  private void fetch(String key, long v) {
    versions.put(key, v);
    if (commands == null) {
      return;
    }
    CompletionStage<String> get;
    try {
      get = commands.async().get(key);
    } catch (RuntimeException ex) {
      get = CompletableFuture.failedFuture(ex);
    }
    getContext().pipeToSelf(get, (value, err) -> new Fetched(key, v, value, err));
  }

  private Behavior<Command> onFetched(Fetched f) {
    if (!Objects.equals(versions.get(f.key()), f.version())) {
      return this; // a later notification superseded this read
    }
    if (f.failure() != null) {
      return this; // the next resync repairs it
    }
    if (f.value() == null) {
      if (records.remove(f.key()) != null) {
        publish();
      }
      forgetLogs(f.key());
      return this;
    }
    WorkerRecord r = parse(f.key(), f.value());
    boolean changed = r == null ? records.remove(f.key()) != null : !r.equals(records.put(f.key(), r));
    if (changed) {
      publish();
    }
    return this;
  }

  // ---- resync

  private Behavior<Command> onResyncTick() {
    if (commands == null) {
      connect();
    } else {
      resync();
    }
    return this;
  }

  private void resync() {
    if (resyncInFlight || commands == null) {
      return;
    }
    resyncInFlight = true;
    long startVersion = version;
    CompletionStage<Map<String, String>> values;
    try {
      RedisAsyncCommands<String, String> redis = commands.async();
      ScanArgs args = ScanArgs.Builder.matches(globEscape(settings.keyPrefix()) + "*").limit(500);
      values =
          scan(redis, ScanCursor.INITIAL, args, new LinkedHashSet<>())
              .thenCompose(keys -> mget(redis, new ArrayList<>(keys)));
    } catch (RuntimeException e) {
      values = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(values, (v, err) -> new ResyncResult(startVersion, v, err));
  }

  /** SCAN, never KEYS: KEYS blocks Redis for the whole keyspace. */
  private static CompletionStage<Set<String>> scan(
      RedisAsyncCommands<String, String> redis, ScanCursor cursor, ScanArgs args, Set<String> acc) {
    return redis
        .scan(cursor, args)
        .thenCompose(
            c -> {
              acc.addAll(c.getKeys());
              return c.isFinished()
                  ? CompletableFuture.completedFuture(acc)
                  : scan(redis, c, args, acc);
            });
  }

  private static CompletionStage<Map<String, String>> mget(
      RedisAsyncCommands<String, String> redis, List<String> keys) {
    Map<String, String> out = new HashMap<>();
    CompletionStage<Map<String, String>> chain = CompletableFuture.completedFuture(out);
    for (int i = 0; i < keys.size(); i += MGET_BATCH) {
      String[] batch = keys.subList(i, Math.min(keys.size(), i + MGET_BATCH)).toArray(new String[0]);
      chain =
          chain.thenCompose(
              m ->
                  redis
                      .mget(batch)
                      .thenApply(
                          kvs -> {
                            for (KeyValue<String, String> kv : kvs) {
                              if (kv.hasValue()) {
                                m.put(kv.getKey(), kv.getValue());
                              }
                            }
                            return m;
                          }));
    }
    return chain;
  }

  private Behavior<Command> onResyncResult(ResyncResult r) {
    resyncInFlight = false;
    if (r.failure() != null) {
      outage(r.failure());
      return this;
    }
    if (outageLogged) {
      outageLogged = false;
      getContext().getLog().info("Redis reachable again; worker mirror resynced");
    }
    Map<String, WorkerRecord> fresh = new HashMap<>();
    for (Map.Entry<String, String> e : r.values().entrySet()) {
      WorkerRecord rec = parse(e.getKey(), e.getValue());
      if (rec != null) {
        fresh.put(e.getKey(), rec);
      }
    }
    // keys notified after the resync started: the notification is newer than what SCAN/MGET read
    List<String> notifiedMeanwhile = new ArrayList<>();
    for (Map.Entry<String, Long> v : versions.entrySet()) {
      if (v.getValue() > r.startVersion()) {
        notifiedMeanwhile.add(v.getKey());
      }
    }
    for (String key : notifiedMeanwhile) {
      WorkerRecord cur = records.get(key);
      if (cur != null) {
        fresh.put(key, cur);
      } else {
        fresh.remove(key);
      }
    }
    versions.values().removeIf(v -> v <= r.startVersion()); // no read of theirs is pending
    for (String key : Set.copyOf(rejectedContent.keySet())) {
      if (!r.values().containsKey(key)) {
        forgetLogs(key);
      }
    }
    boolean changed = !fresh.equals(records) || !everSynced;
    everSynced = true;
    records.clear();
    records.putAll(fresh);
    if (changed) {
      publish();
    }
    for (String key : notifiedMeanwhile) {
      fetch(key, ++version);
    }
    return this;
  }

  // ---- helpers

  /** Parses, logging a rejection or unknown fields once per key (again only if the value changes). */
  private WorkerRecord parse(String key, String json) {
    WorkerRecordCodec.ParseResult result = WorkerRecordCodec.parse(key, json);
    if (result instanceof WorkerRecordCodec.Rejected rejected) {
      if (!json.equals(rejectedContent.put(key, json))) {
        getContext()
            .getLog()
            .warn("skipping worker record under {}: {}", key, rejected.reason());
      }
      return null;
    }
    rejectedContent.remove(key);
    WorkerRecordCodec.Parsed parsed = (WorkerRecordCodec.Parsed) result;
    if (!parsed.unknownKeys().isEmpty()) {
      Set<String> unknown = Set.copyOf(parsed.unknownKeys());
      if (!unknown.equals(unknownKeysLogged.put(key, unknown))) {
        getContext()
            .getLog()
            .info("worker record under {} has fields outside WIRE §3, ignored: {}", key, unknown);
      }
    }
    return parsed.record();
  }

  private void forgetLogs(String key) {
    rejectedContent.remove(key);
    unknownKeysLogged.remove(key);
  }

  private void publish() {
    WorkerSnapshot snapshot = WorkerSnapshot.of(Instant.now(), new ArrayList<>(records.values()));
    directory.publish(snapshot);
    for (ActorRef<WorkerSnapshot> s : subscribers) {
      s.tell(snapshot);
    }
  }

  private void outage(Throwable cause) {
    if (!outageLogged) {
      outageLogged = true;
      getContext()
          .getLog()
          .warn(
              "worker mirror cannot read Redis at {} ({}); keeping the last snapshot, retrying"
                  + " every {} and on reconnect",
              settings.redisUri().getHost() + ":" + settings.redisUri().getPort(),
              cause.toString(),
              settings.resyncInterval());
    }
  }

  /** Adds the flags we need to the server's, keeping whatever else it had. */
  static String withNeededFlags(String current) {
    StringBuilder out = new StringBuilder(current);
    boolean all = current.indexOf('A') >= 0; // A stands for g$lshzxe(t,d,m)
    for (char f : NEEDED_FLAGS.toCharArray()) {
      boolean covered = current.indexOf(f) >= 0 || (all && f != 'K' && f != 'E');
      if (!covered) {
        out.append(f);
      }
    }
    return out.toString();
  }

  private static boolean isCommandRefusal(Throwable t) {
    String m = String.valueOf(t.getMessage());
    return m.contains("ERR") || m.contains("NOPERM") || m.contains("unknown command");
  }

  /** Escapes glob metacharacters so that a prefix is matched literally by PSUBSCRIBE and SCAN. */
  static String globEscape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 4);
    for (char c : s.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }
}
