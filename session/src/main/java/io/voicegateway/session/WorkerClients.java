package io.voicegateway.session;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.tts.v1.GetCapabilitiesRequest;
import io.voicegateway.tts.v1.TTSServiceClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link TTSServiceClient} per worker dial target ({@code host:port}) on this node, shared by
 * every session that speaks through that worker: a client owns an HTTP/2 connection and its
 * threads, too expensive to open per session. Clients close when the actor system terminates; a
 * client that closes by itself (connection attempts exhausted) is dropped so the next use dials
 * again.
 *
 * <p>Beside each client, a grpc-java {@link ManagedChannel} to the same target carries the
 * Synthesize calls ({@link SynthesizeCall}): the per-frame path, which grpc-java runs with manual
 * flow control and its own protobuf marshaller, without a Pekko stream per utterance (see
 * docs/ARCHITECTURE.md, "The synthesis call"). It has the same settings and lifetime as the client.
 */
public final class WorkerClients implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkerClients.class);

  private final ActorSystem<?> system;
  private final TtsStreamSettings settings;
  private final ConcurrentMap<String, Target> clients = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public WorkerClients(ActorSystem<?> system, TtsStreamSettings settings) {
    this.system = system;
    this.settings = settings;
    system.getWhenTerminated().thenRun(this::close);
  }

  /** The shared client for this worker's dial target, created on first use. */
  public TTSServiceClient clientFor(WorkerRecord worker) {
    return clientFor(worker.dialHost(), worker.dialPort());
  }

  /** The shared client for {@code host:port}, created on first use. */
  public TTSServiceClient clientFor(String host, int port) {
    return targetFor(host, port).client();
  }

  /** The channel for this worker's Synthesize calls, opened with its client. */
  public ManagedChannel synthesisChannelFor(WorkerRecord worker) {
    return targetFor(worker.dialHost(), worker.dialPort()).synthesis();
  }

  /**
   * Opens this worker's connections now if this node has none, so that the first session that
   * speaks through a newly registered worker does not wait for them: the Synthesize channel is
   * asked to connect, and a {@code GetCapabilities} call goes over the client's connection (its
   * answer is not needed). The node calls it for every worker its registry mirror shows.
   */
  public void preconnect(WorkerRecord worker) {
    if (closed) return;
    String target = new WorkerRecord.DialTarget(worker.dialHost(), worker.dialPort()).authority();
    if (clients.containsKey(target)) return;
    Target opened = targetFor(worker.dialHost(), worker.dialPort());
    opened.synthesis().getState(true);
    opened.client().getCapabilities(GetCapabilitiesRequest.getDefaultInstance())
        .whenComplete((answer, e) -> {
          if (e != null) log.debug("pre-connecting to worker {} failed: {}", target, e.toString());
        });
  }

  private Target targetFor(String host, int port) {
    if (closed) throw new IllegalStateException("worker clients are closed");
    String target = new WorkerRecord.DialTarget(host, port).authority();
    return clients.computeIfAbsent(target, t -> open(host, port, t));
  }

  /** What this node holds per worker dial target. */
  private record Target(TTSServiceClient client, ManagedChannel synthesis) {}

  /** Dial targets with an open client (for inspection and tests). */
  public java.util.Set<String> targets() {
    return java.util.Set.copyOf(clients.keySet());
  }

  private Target open(String host, int port, String target) {
    GrpcClientSettings grpc = GrpcClientSettings.connectToServiceAt(host, port, system)
        .withTls(settings.useTls())
        .withConnectionAttempts(settings.connectionAttempts())
        .withChannelBuilderOverrides(this::configure);
    TTSServiceClient client = TTSServiceClient.create(grpc, system);
    NettyChannelBuilder synthesis = configure(NettyChannelBuilder.forAddress(host, port));
    ManagedChannel channel = (settings.useTls()
        ? synthesis.useTransportSecurity() : synthesis.usePlaintext()).build();
    Target opened = new Target(client, channel);
    log.debug("opened worker client to {}", target);
    client.closed().whenComplete((done, e) -> {
      channel.shutdown();
      if (clients.remove(target, opened) && e != null) {
        log.warn("worker client to {} gave up: {}", target, e.getMessage());
      }
    });
    return opened;
  }

  /** What both connections to a worker share. */
  private NettyChannelBuilder configure(NettyChannelBuilder b) {
    // A small receive window lets back-pressure from the session reach the worker after a few
    // frames instead of after the 1 MiB grpc-java default (~10 s of audio).
    b.flowControlWindow(settings.flowControlWindow());
    // direct: a frame's callback runs on the Netty event loop that read it; the callbacks only
    // hand the frame to a stream stage or an actor, so nothing blocks that thread.
    return settings.directCallbacks() ? b.directExecutor() : b;
  }

  /** Closes every client; later {@link #clientFor} calls fail. */
  @Override
  public void close() {
    closeAll();
  }

  public CompletionStage<Done> closeAll() {
    closed = true;
    java.util.List<CompletableFuture<Done>> all = new java.util.ArrayList<>();
    for (Target t : clients.values()) {
      t.synthesis().shutdown();
      all.add(t.client().close().toCompletableFuture());
    }
    clients.clear();
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .handle((v, e) -> Done.getInstance());
  }
}
