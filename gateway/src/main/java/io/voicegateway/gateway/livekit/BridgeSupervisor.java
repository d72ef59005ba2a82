package io.voicegateway.gateway.livekit;

import io.voicegateway.bridge.v1.GatewayMessage;
import io.voicegateway.bridge.v1.Hello;
import io.voicegateway.bridge.v1.Ping;
import io.voicegateway.bridge.v1.Pong;
import io.voicegateway.bridge.v1.Shutdown;
import io.voicegateway.bridge.v1.Welcome;
import io.voicegateway.gateway.protocol.SessionIds;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the node's bridge process (livekit-bridge/) and keeps it healthy: starts it with the
 * address of the node's bridge gRPC server and a fresh secret token, waits for its Hello, pings it,
 * and restarts it with exponential backoff when it exits, stops answering, or never connects.
 * The bridge holds the read end of a pipe from this JVM on its stdin and exits when it closes, so
 * even a {@code kill -9} of the node takes its bridge down. The {@link RoomDispatcher} is told
 * when a bridge link is up ({@link RoomDispatcher.BridgeUp}) and gone
 * ({@link RoomDispatcher.BridgeDown}).
 */
final class BridgeSupervisor extends AbstractBehavior<BridgeSupervisor.Command> {

  interface Command {}

  /** The bridge's Hello carried the right token. */
  record Connected(BridgeLink link, Hello hello) implements Command {}

  /** A stream's Hello was wrong: that stream was refused. */
  record Refused(long linkId) implements Command {}

  record PongReceived(long linkId, Pong pong) implements Command {}

  record LinkClosed(long linkId, Throwable failure) implements Command {}

  /** The node's bridge gRPC server is bound on 127.0.0.1 at this port: start the bridge. */
  record Bound(int grpcPort) implements Command {}

  /** Node shutdown: tell the bridge to go, wait a little for it, then kill it; then reply. */
  record Stop(ActorRef<Boolean> replyTo) implements Command {}

  private record ProcessExited(long generation, int exitCode) implements Command {}

  private record StartTimedOut(long generation) implements Command {}

  private enum Tick implements Command { START, PING }

  private static final Logger bridgeLog = LoggerFactory.getLogger("io.voicegateway.bridge");
  private static final Duration STOP_GRACE = Duration.ofSeconds(3);

  static Behavior<Command> create(LiveKitSettings.Bridge settings,
      AtomicReference<String> token, ActorRef<RoomDispatcher.Command> dispatcher) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new BridgeSupervisor(ctx, timers, settings, token, dispatcher)));
  }

  private final TimerScheduler<Command> timers;
  private final LiveKitSettings.Bridge settings;
  private int grpcPort; // 0 until Bound
  private final AtomicReference<String> token;
  private final ActorRef<RoomDispatcher.Command> dispatcher;

  private long generation; // one per process started
  private Process process;
  private BridgeLink link;
  private long linkUpSince; // nanoTime
  private long lastPong; // nanoTime
  private long pingNonce;
  private int failures; // in a row, for the backoff
  private boolean stopping;

  private BridgeSupervisor(ActorContext<Command> ctx, TimerScheduler<Command> timers,
      LiveKitSettings.Bridge settings, AtomicReference<String> token,
      ActorRef<RoomDispatcher.Command> dispatcher) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.token = token;
    this.dispatcher = dispatcher;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Bound.class, bound -> {
          grpcPort = bound.grpcPort();
          return startProcess();
        })
        .onMessageEquals(Tick.START, this::startProcess)
        .onMessageEquals(Tick.PING, this::onPingTick)
        .onMessage(Connected.class, this::onConnected)
        .onMessage(Refused.class, r -> {
          getContext().getLog().warn("a bridge stream was refused: wrong or missing Hello");
          return this;
        })
        .onMessage(PongReceived.class, this::onPong)
        .onMessage(LinkClosed.class, this::onLinkClosed)
        .onMessage(ProcessExited.class, this::onProcessExited)
        .onMessage(StartTimedOut.class, this::onStartTimedOut)
        .onMessage(Stop.class, this::onStop)
        .onSignal(PostStop.class, s -> {
          if (process != null) process.destroyForcibly();
          return this;
        })
        .build();
  }

  private Behavior<Command> startProcess() {
    if (stopping) return this;
    generation++;
    String secret = SessionIds.newResumeToken(); // 32 random bytes, the same strength
    token.set(secret);
    ProcessBuilder builder = new ProcessBuilder(settings.command())
        .directory(settings.workingDirectory().toFile())
        .redirectErrorStream(true);
    builder.environment().put("BRIDGE_GATEWAY_ADDR", "127.0.0.1:" + grpcPort);
    builder.environment().put("BRIDGE_TOKEN", secret);
    try {
      process = builder.start();
    } catch (IOException e) {
      getContext().getLog().error("cannot start the LiveKit bridge {} in {}: {}",
          settings.command(), settings.workingDirectory().toAbsolutePath(), e.getMessage());
      return scheduleRestart();
    }
    long started = generation;
    getContext().getLog().info("LiveKit bridge started (pid {}, generation {})", process.pid(),
        started);
    forwardOutput(process);
    ActorRef<Command> self = getContext().getSelf();
    process.onExit().thenAccept(p -> self.tell(new ProcessExited(started, p.exitValue())));
    timers.startSingleTimer("start-timeout", new StartTimedOut(started), settings.startTimeout());
    return this;
  }

  /** The bridge logs JSON lines; they go to this node's log under {@code io.voicegateway.bridge}. */
  private static void forwardOutput(Process p) {
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.contains("\"level\":\"error\"")) {
            bridgeLog.warn("{}", line);
          } else {
            bridgeLog.info("{}", line);
          }
        }
      } catch (IOException e) {
        // the process is gone: its exit is reported by onExit
      }
    }, "livekit-bridge-output-" + p.pid());
    reader.setDaemon(true);
    reader.start();
  }

  private Behavior<Command> onConnected(Connected connected) {
    if (link != null) {
      getContext().getLog().warn("a second bridge stream connected: the first is closed");
      link.close();
    }
    timers.cancel("start-timeout");
    link = connected.link();
    linkUpSince = System.nanoTime();
    lastPong = linkUpSince;
    Hello hello = connected.hello();
    getContext().getLog().info("LiveKit bridge connected: bridge {}, rtc-node {}, node {}, pid {}",
        hello.getBridgeVersion(), hello.getRtcNodeVersion(), hello.getNodeVersion(),
        hello.getPid());
    link.send(GatewayMessage.newBuilder().setWelcome(Welcome.newBuilder()
        .setGatewayNode(getContext().getSystem().address().toString())
        .setPingIntervalMs((int) settings.pingInterval().toMillis())).build());
    timers.startTimerAtFixedRate(Tick.PING, settings.pingInterval());
    dispatcher.tell(new RoomDispatcher.BridgeUp(link));
    return this;
  }

  private Behavior<Command> onPingTick() {
    if (link == null) return this;
    long silentNanos = System.nanoTime() - lastPong;
    if (silentNanos > settings.pingTimeout().toNanos()) {
      getContext().getLog().warn("LiveKit bridge did not answer pings for {} ms: restarting it",
          TimeUnit.NANOSECONDS.toMillis(silentNanos));
      return bridgeFailed();
    }
    link.send(GatewayMessage.newBuilder()
        .setPing(Ping.newBuilder().setNonce(++pingNonce)).build());
    return this;
  }

  private Behavior<Command> onPong(PongReceived pong) {
    if (link == null || pong.linkId() != link.id()) return this;
    lastPong = System.nanoTime();
    if (System.nanoTime() - linkUpSince > settings.healthyAfter().toNanos()) failures = 0;
    Pong p = pong.pong();
    if (p.getCaptureErrors() > 0 || p.getEventLoopLagMs() > 100) {
      getContext().getLog().debug("bridge: {} rooms, {} frames captured, {} capture errors,"
              + " event loop lag {} ms, rss {} MB", p.getRooms(), p.getFramesCaptured(),
          p.getCaptureErrors(), p.getEventLoopLagMs(), p.getRssBytes() >> 20);
    }
    return this;
  }

  private Behavior<Command> onLinkClosed(LinkClosed closed) {
    if (link == null || closed.linkId() != link.id()) return this;
    getContext().getLog().warn("LiveKit bridge stream ended{}",
        closed.failure() == null ? "" : ": " + closed.failure());
    return bridgeFailed();
  }

  private Behavior<Command> onProcessExited(ProcessExited exited) {
    if (exited.generation() != generation) return this;
    if (stopping) return this;
    getContext().getLog().warn("LiveKit bridge exited with code {}", exited.exitCode());
    return bridgeFailed();
  }

  private Behavior<Command> onStartTimedOut(StartTimedOut timedOut) {
    if (timedOut.generation() != generation || link != null) return this;
    getContext().getLog().warn("LiveKit bridge did not connect within {} s: restarting it",
        settings.startTimeout().toSeconds());
    return bridgeFailed();
  }

  /** The current bridge is of no use any more: drop it and start another after the backoff. */
  private Behavior<Command> bridgeFailed() {
    timers.cancel(Tick.PING);
    timers.cancel("start-timeout");
    if (link != null) {
      link.close();
      link = null;
      dispatcher.tell(new RoomDispatcher.BridgeDown());
    }
    if (process != null) {
      process.destroyForcibly();
      process = null;
    }
    generation++; // a late exit of the old process is not this one's
    token.set(null);
    return scheduleRestart();
  }

  private Behavior<Command> scheduleRestart() {
    if (stopping) return this;
    long min = settings.restartBackoffMin().toMillis();
    long delay = Math.min(settings.restartBackoffMax().toMillis(),
        min << Math.min(failures, 20));
    failures++;
    getContext().getLog().info("LiveKit bridge restarts in {} ms", delay);
    timers.startSingleTimer(Tick.START, Duration.ofMillis(delay));
    return this;
  }

  private Behavior<Command> onStop(Stop stop) {
    stopping = true;
    timers.cancelAll();
    Process p = process;
    process = null; // PostStop must not kill it: it gets STOP_GRACE to leave its rooms
    if (link != null) {
      link.send(GatewayMessage.newBuilder()
          .setShutdown(Shutdown.newBuilder().setReason("node shutdown")).build());
    }
    if (p == null) {
      stop.replyTo().tell(true);
      return Behaviors.stopped();
    }
    p.onExit().orTimeout(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((exited, timeout) -> {
          if (timeout != null) p.destroyForcibly();
          stop.replyTo().tell(timeout == null);
        });
    return Behaviors.stopped();
  }
}
