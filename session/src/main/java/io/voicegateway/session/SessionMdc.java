package io.voicegateway.session;

import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.MDC;

/**
 * Puts the session id in the MDC ({@value #KEY}) while an actor handles a message or a signal, so
 * that every log line of the session's actors carries it. This does what
 * {@code Behaviors.withMdc} does, at a fraction of its cost on the per-frame path: withMdc
 * converts its map to a Scala map and ends every message with {@code MDC.clear()}, after which
 * Logback's MDC adapter drops its per-thread map and the next message allocates a new one. This
 * interceptor puts one key and removes that key only (docs/BENCHMARKS.md, "Allocation per
 * frame").
 *
 * <p>Handlers under this (or any) interceptor return {@code Behaviors.same()} on the per-frame
 * path, not {@code this}: Pekko takes any other returned behavior as a new one and wraps it in a
 * new interceptor, for every message.
 */
public final class SessionMdc<T> extends BehaviorInterceptor<T, T> {

  /** The MDC key of the session id (the log pattern's {@code %X{sessionId}}). */
  public static final String KEY = "sessionId";

  private final Supplier<String> sessionId;

  private SessionMdc(Class<T> type, Supplier<String> sessionId) {
    super(type);
    this.sessionId = sessionId;
  }

  /** {@code behavior} with {@code sessionId} in the MDC of each message and signal. */
  public static <T> Behavior<T> around(Class<T> type, String sessionId, Behavior<T> behavior) {
    return around(type, () -> sessionId, behavior);
  }

  /** As above, with the id read for each message (a connection learns it when it resumes). */
  public static <T> Behavior<T> around(Class<T> type, Supplier<String> sessionId,
      Behavior<T> behavior) {
    return Behaviors.intercept(() -> new SessionMdc<>(type, sessionId), behavior);
  }

  @Override
  public Behavior<T> aroundReceive(TypedActorContext<T> ctx, T msg, ReceiveTarget<T> target) {
    MDC.put(KEY, sessionId.get());
    try {
      return target.apply(ctx, msg);
    } finally {
      MDC.remove(KEY);
    }
  }

  @Override
  public Behavior<T> aroundSignal(TypedActorContext<T> ctx, Signal signal,
      SignalTarget<T> target) {
    MDC.put(KEY, sessionId.get());
    try {
      return target.apply(ctx, signal);
    } finally {
      MDC.remove(KEY);
    }
  }
}
