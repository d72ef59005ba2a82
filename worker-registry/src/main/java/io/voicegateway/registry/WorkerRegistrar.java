package io.voicegateway.registry;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Keeps one TTS worker registered in Redis (WIRE.md §3): {@code SET <prefix><name> <json> EX <ttl>}
 * at start and at every heartbeat, with the record the worker supplies and {@code
 * last_heartbeat_ts} = now. Survives Redis outages: it logs once per outage and registers again as
 * soon as the connection comes back. {@link Deregister} deletes the key and stops the actor.
 */
public final class WorkerRegistrar extends AbstractBehavior<WorkerRegistrar.Command> {

  public interface Command {}

  /** Delete the registration, reply, and stop; sent from CoordinatedShutdown by the worker. */
  public record Deregister(ActorRef<Done> replyTo) implements Command {}

  private enum Heartbeat implements Command {
    INSTANCE
  }

  /** Lettuce reports a (re)activated connection: Redis is back, register at once. */
  private enum ConnectionActivated implements Command {
    INSTANCE
  }

  private record ConnectResult(StatefulRedisConnection<String, String> connection, Throwable failure)
      implements Command {}

  private record WriteResult(Throwable failure) implements Command {}

  private record DeleteResult(ActorRef<Done> replyTo, Throwable failure) implements Command {}

  private final RegistrySettings settings;
  private final Supplier<WorkerRecord> current;
  private final RedisClients.Owned redis;

  private StatefulRedisConnection<String, String> connection;
  private boolean connecting;
  private boolean writeInFlight;
  private boolean registered;
  private boolean outageLogged;
  private String lastKey;

  /**
   * @param current the worker's record as of now (metrics, resident models); called on the actor's
   *     thread at each heartbeat, so it must be quick and thread-safe
   */
  public static Behavior<Command> create(RegistrySettings settings, Supplier<WorkerRecord> current) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new WorkerRegistrar(ctx, timers, settings, current)));
  }

  /**
   * Adds a CoordinatedShutdown task (phase before-service-unbind, so routers stop picking this
   * worker before its server goes away) that deregisters; a failure or timeout does not hold up
   * shutdown, the key then simply expires after its TTL.
   */
  public static void deregisterOnShutdown(
      ActorSystem<?> system, ActorRef<Command> registrar, Duration timeout) {
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeServiceUnbind(),
            "worker-registry-deregister",
            () ->
                AskPattern.<Command, Done>ask(
                        registrar, Deregister::new, timeout, system.scheduler())
                    .exceptionally(e -> Done.getInstance()));
  }

  private WorkerRegistrar(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      RegistrySettings settings,
      Supplier<WorkerRecord> current) {
    super(ctx);
    this.settings = settings;
    this.current = current;
    ActorRef<Command> self = ctx.getSelf();
    this.redis = RedisClients.open(settings, () -> self.tell(ConnectionActivated.INSTANCE));
    timers.startTimerWithFixedDelay(Heartbeat.INSTANCE, settings.heartbeatInterval());
    connect();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Heartbeat.INSTANCE, this::onHeartbeat)
        .onMessageEquals(ConnectionActivated.INSTANCE, this::onConnectionActivated)
        .onMessage(ConnectResult.class, this::onConnectResult)
        .onMessage(WriteResult.class, this::onWriteResult)
        .onMessage(Deregister.class, this::onDeregister)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onHeartbeat() {
    if (connection == null) {
      connect(); // the first connection failed: Lettuce only auto-reconnects established ones
    } else {
      register();
    }
    return this;
  }

  private Behavior<Command> onConnectionActivated() {
    if (connection != null) {
      register();
    }
    return this;
  }

  private Behavior<Command> onConnectResult(ConnectResult r) {
    connecting = false;
    if (r.failure() != null) {
      outage(r.failure());
      return this;
    }
    connection = r.connection();
    register();
    return this;
  }

  private Behavior<Command> onWriteResult(WriteResult r) {
    writeInFlight = false;
    if (r.failure() != null) {
      outage(r.failure());
    } else {
      if (outageLogged || !registered) {
        getContext().getLog().info("worker registered in Redis under {}", lastKey);
      }
      registered = true;
      outageLogged = false;
    }
    return this;
  }

  private Behavior<Command> onDeregister(Deregister d) {
    String key = lastKey != null ? lastKey : keyOfCurrent();
    if (connection == null || key == null) {
      d.replyTo().tell(Done.getInstance());
      return Behaviors.stopped();
    }
    // same connection as any SET still in flight, so Redis runs the DEL after it
    CompletionStage<Long> del = connection.async().del(key);
    getContext().pipeToSelf(del, (ok, err) -> new DeleteResult(d.replyTo(), err));
    return Behaviors.receive(Command.class)
        .onMessage(DeleteResult.class, this::onDeleteResult)
        .onMessage(
            Deregister.class,
            again -> {
              again.replyTo().tell(Done.getInstance());
              return Behaviors.same();
            })
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onDeleteResult(DeleteResult r) {
    if (r.failure() != null) {
      getContext()
          .getLog()
          .warn(
              "could not delete {} from Redis ({}); it expires within {}",
              lastKey,
              r.failure().toString(),
              settings.ttl());
    } else {
      getContext().getLog().info("worker deregistered: {} deleted from Redis", lastKey);
    }
    r.replyTo().tell(Done.getInstance());
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    if (connection != null) {
      connection.closeAsync();
    }
    redis.shutdownAsync();
    return this;
  }

  private void connect() {
    if (connecting) {
      return;
    }
    connecting = true;
    CompletionStage<StatefulRedisConnection<String, String>> c;
    try {
      c = redis.client().connectAsync(StringCodec.UTF8, settings.redisUri());
    } catch (RuntimeException e) {
      c = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(c, ConnectResult::new);
  }

  private void register() {
    if (writeInFlight) {
      return; // the previous write is still pending; one at a time keeps Redis order simple
    }
    WorkerRecord record;
    try {
      record = current.get().withLastHeartbeatTs(System.currentTimeMillis() / 1000.0);
    } catch (RuntimeException e) {
      getContext().getLog().error("worker record supplier failed; not registering this time", e);
      return;
    }
    String key = settings.keyFor(record.name());
    if (lastKey != null && !lastKey.equals(key)) {
      // a renamed worker must not linger under its old name until the TTL runs out
      connection.async().del(lastKey);
    }
    lastKey = key;
    writeInFlight = true;
    CompletionStage<String> set;
    try {
      set =
          connection
              .async()
              .set(key, WorkerRecordCodec.toJson(record), SetArgs.Builder.ex(settings.ttl()));
    } catch (RuntimeException e) {
      set = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(set, (ok, err) -> new WriteResult(err));
  }

  private String keyOfCurrent() {
    try {
      return settings.keyFor(current.get().name());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void outage(Throwable cause) {
    registered = false;
    if (!outageLogged) {
      outageLogged = true;
      getContext()
          .getLog()
          .warn(
              "cannot register worker in Redis at {} ({}); retrying every {} and on reconnect,"
                  + " logging again once it succeeds",
              settings.redisUri().getHost() + ":" + settings.redisUri().getPort(),
              cause.toString(),
              settings.heartbeatInterval());
    }
  }
}
