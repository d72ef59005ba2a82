package io.voicegateway.session;

import io.voicegateway.registry.WorkerRecord;
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
 */
public final class WorkerClients implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkerClients.class);

  private final ActorSystem<?> system;
  private final TtsStreamSettings settings;
  private final ConcurrentMap<String, TTSServiceClient> clients = new ConcurrentHashMap<>();
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
    if (closed) throw new IllegalStateException("worker clients are closed");
    String target = new WorkerRecord.DialTarget(host, port).authority();
    return clients.computeIfAbsent(target, t -> open(host, port, t));
  }

  /** Dial targets with an open client (for inspection and tests). */
  public java.util.Set<String> targets() {
    return java.util.Set.copyOf(clients.keySet());
  }

  private TTSServiceClient open(String host, int port, String target) {
    int window = settings.flowControlWindow();
    GrpcClientSettings grpc = GrpcClientSettings.connectToServiceAt(host, port, system)
        .withTls(settings.useTls())
        .withConnectionAttempts(settings.connectionAttempts())
        // A small receive window lets back-pressure from the session reach the worker after a
        // few frames instead of after the 1 MiB grpc-java default (~10 s of audio).
        .withChannelBuilderOverrides(b -> {
          b.flowControlWindow(window);
          // direct: a frame's callback runs on the Netty event loop that read it; the callbacks
          // only hand the frame to a stream stage or an actor, so nothing blocks that thread.
          return settings.directCallbacks() ? b.directExecutor() : b;
        });
    TTSServiceClient client = TTSServiceClient.create(grpc, system);
    log.debug("opened worker client to {}", target);
    client.closed().whenComplete((done, e) -> {
      if (clients.remove(target, client) && e != null) {
        log.warn("worker client to {} gave up: {}", target, e.getMessage());
      }
    });
    return client;
  }

  /** Closes every client; later {@link #clientFor} calls fail. */
  @Override
  public void close() {
    closeAll();
  }

  public CompletionStage<Done> closeAll() {
    closed = true;
    CompletableFuture<?>[] all = clients.values().stream()
        .map(c -> c.close().toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    clients.clear();
    return CompletableFuture.allOf(all).handle((v, e) -> Done.getInstance());
  }
}
