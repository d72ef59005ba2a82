package io.voicegateway.worker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.voicegateway.tts.v1.AudioFrame;
import io.voicegateway.tts.v1.StartSessionRequest;
import io.voicegateway.tts.v1.StartSessionResponse;
import io.voicegateway.tts.v1.TTSServiceClient;
import io.voicegateway.tts.v1.TextChunk;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * A real worker on a loopback port and a real gRPC client to it (its own actor system, as a
 * gateway would have).
 */
final class WorkerFixture implements AutoCloseable {

  final TtsWorker worker;
  final ActorSystem<Void> clientSystem;
  final TTSServiceClient client;

  private WorkerFixture(TtsWorker worker) {
    this.worker = worker;
    this.clientSystem = ActorSystem.create(Behaviors.empty(), "tts-client");
    this.client = TTSServiceClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", worker.port(), clientSystem).withTls(false),
        clientSystem);
  }

  /** A worker with the given HOCON over the defaults; not registered in Redis unless asked. */
  static WorkerFixture start(String hocon) {
    Config config = ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.parseString(
            "voicegw.worker { host = 127.0.0.1, port = " + freePort() + ", register = off,"
                + " warm-up-utterances = 0 }"))
        .withFallback(ConfigFactory.load())
        .resolve();
    return new WorkerFixture(TtsWorker.start(config).toCompletableFuture().join());
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  StartSessionResponse startSession(String id, String model) {
    return await(client.startSession(
        StartSessionRequest.newBuilder().setSessionId(id).setModelId(model).build()));
  }

  /** One Synthesize call with one final chunk, collected whole. */
  List<AudioFrame> synthesize(String sessionId, String text) {
    return await(client.synthesize(Source.single(chunk(sessionId, text, true)))
        .runWith(Sink.seq(), clientSystem));
  }

  /**
   * A Synthesize call whose request stream stays open: the test offers chunks when it wants and
   * reads frames one by one.
   */
  OpenSynthesis open() {
    Pair<SourceQueueWithComplete<TextChunk>, Source<TextChunk, org.apache.pekko.NotUsed>> requests =
        Source.<TextChunk>queue(16, OverflowStrategy.backpressure()).preMaterialize(clientSystem);
    var frames = client.synthesize(requests.second()).runWith(Sink.queue(), clientSystem);
    return new OpenSynthesis(requests.first(), frames);
  }

  static TextChunk chunk(String sessionId, String text, boolean isFinal) {
    return TextChunk.newBuilder().setSessionId(sessionId).setText(text).setIsFinal(isFinal).build();
  }

  static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Override
  public void close() {
    await(client.close());
    clientSystem.terminate();
    await(worker.shutdown());
    await(clientSystem.getWhenTerminated());
  }

  /** The two ends of an open Synthesize call. */
  static final class OpenSynthesis {
    private final SourceQueueWithComplete<TextChunk> requests;
    private final SinkQueueWithCancel<AudioFrame> frames;
    private CompletableFuture<Optional<AudioFrame>> pending;

    OpenSynthesis(SourceQueueWithComplete<TextChunk> requests, SinkQueueWithCancel<AudioFrame> frames) {
      this.requests = requests;
      this.frames = frames;
    }

    void send(TextChunk chunk) {
      await(requests.offer(chunk));
    }

    void endRequests() {
      requests.complete();
    }

    /** The next frame, or empty when the response stream has ended. */
    Optional<AudioFrame> poll() {
      CompletableFuture<Optional<AudioFrame>> f = pullOnce();
      pending = null;
      return f.orTimeout(30, TimeUnit.SECONDS).join();
    }

    /** The next frame; fails the test if the stream ends or none comes in 30 s. */
    AudioFrame next() {
      return poll().orElseThrow(() -> new AssertionError("the frame stream ended"));
    }

    /** True when no frame arrives within {@code window} (the pending pull is kept for later). */
    boolean silentFor(Duration window) {
      try {
        pullOnce().get(window.toMillis(), TimeUnit.MILLISECONDS);
        return false;
      } catch (TimeoutException e) {
        return true;
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }

    private CompletableFuture<Optional<AudioFrame>> pullOnce() {
      if (pending == null) pending = frames.pull().toCompletableFuture();
      return pending;
    }
  }
}
