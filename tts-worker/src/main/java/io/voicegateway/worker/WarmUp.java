package io.voicegateway.worker;

import io.voicegateway.tts.v1.EndSessionRequest;
import io.voicegateway.tts.v1.StartSessionRequest;
import io.voicegateway.tts.v1.TTSServiceClient;
import io.voicegateway.tts.v1.TextChunk;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synthesizes a few short texts through the worker's own gRPC server, over loopback, before the
 * worker registers: the server, the engine and the frame path are compiled by the JIT and their
 * classes loaded before any gateway can choose this worker, so a real session's first utterance
 * is as fast as a later one (docs/BENCHMARKS.md, "No cold first utterance"). Each text is a
 * session of its own (StartSession, one Synthesize, EndSession), as a gateway's would be.
 * A warm-up that fails is logged and the worker registers anyway: it is slower, not broken.
 */
final class WarmUp {

  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
  /** Longest the whole warm-up may take before the worker registers regardless. */
  static final Duration LIMIT = Duration.ofSeconds(60);

  private WarmUp() {}

  /** What a warm-up did: texts synthesized to their end, and their frames. */
  record Result(int utterances, long frames) {
    static final Result NONE = new Result(0, 0);
  }

  /**
   * Completes (never exceptionally) when {@code utterances} texts have been synthesized, or the
   * warm-up failed or ran past {@link #LIMIT} ({@link Result#NONE}).
   */
  static CompletionStage<Result> run(ActorSystem<?> system, InetSocketAddress bound, String model,
      int utterances) {
    if (utterances == 0) return CompletableFuture.completedFuture(Result.NONE);
    long started = System.nanoTime();
    String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1"
        : bound.getAddress().getHostAddress();
    TTSServiceClient client = TTSServiceClient.create(
        GrpcClientSettings.connectToServiceAt(host, bound.getPort(), system).withTls(false), system);
    CompletionStage<Long> frames = CompletableFuture.completedFuture(0L);
    for (int k = 0; k < utterances; k++) {
      int n = k;
      frames = frames.thenCompose(sum -> utterance(system, client, model, n).thenApply(f -> sum + f));
    }
    return frames
        .toCompletableFuture()
        .orTimeout(LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
        .handle((sum, e) -> {
          if (e != null) {
            log.warn("warm-up did not complete ({}); registering anyway", e.toString());
            return Result.NONE;
          }
          log.info("warm-up: {} utterances, {} frames synthesized in {} ms", utterances, sum,
              (System.nanoTime() - started) / 1_000_000);
          return new Result(utterances, sum);
        })
        .thenCompose(result -> client.close().thenApply(done -> result));
  }

  /** One warm-up session: its frames. */
  private static CompletionStage<Long> utterance(ActorSystem<?> system, TTSServiceClient client,
      String model, int k) {
    String id = "warm-up-" + k;
    TextChunk text = TextChunk.newBuilder().setSessionId(id).setIsFinal(true)
        .setText("Warming up the voice, sentence number " + k + ". Hello, how can I help?")
        .build();
    return client
        .startSession(StartSessionRequest.newBuilder().setSessionId(id).setModelId(model).build())
        .thenCompose(started -> {
          if (!started.getSuccess()) {
            throw new IllegalStateException("StartSession refused: " + started.getMessage());
          }
          return client.synthesize(Source.single(text))
              .runWith(Sink.fold(0L, (n, f) -> n + 1), system);
        })
        .thenCompose(n -> client.endSession(EndSessionRequest.newBuilder().setSessionId(id).build())
            .thenApply(ended -> n));
  }
}
