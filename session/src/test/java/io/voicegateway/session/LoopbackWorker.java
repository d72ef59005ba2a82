package io.voicegateway.session;

import com.typesafe.config.ConfigFactory;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.worker.TtsWorker;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** A real reference tts-worker in this JVM on a free loopback port, not registered in Redis. */
final class LoopbackWorker implements AutoCloseable {

  /** A real voice (pure Java): long texts give utterances far longer than any transport buffer. */
  static final String SPEECH = "freetts-kevin16";

  /** About four minutes of speech (~4 600 characters, under the worker's 5 000 limit): some
   * 12 000 frames, 20+ MB of PCM, far beyond every buffer between the engine and the session. */
  static final String LONG_TEXT = ("The quick brown fox jumps over the lazy dog while the gateway "
      + "keeps pulling frames only as fast as its client consumes them. ").repeat(38);

  final TtsWorker worker;

  private LoopbackWorker(TtsWorker worker) {
    this.worker = worker;
  }

  static LoopbackWorker start() {
    var config = ConfigFactory.parseString("voicegw.worker { host = 127.0.0.1, port = "
            + freePort() + ", register = off, warm-up-utterances = 0, models = [\"mock-440hz\", \"freetts-kevin16\"] }")
        .withFallback(ConfigFactory.load())
        .resolve();
    TtsWorker worker = await(TtsWorker.start(config));
    // Loaded up front so that StartSession stays well inside the stream's start-timeout.
    var loaded = await(worker.service().loadModel(io.voicegateway.tts.v1.LoadModelRequest
        .newBuilder().setModelId(SPEECH).build()));
    if (!loaded.getSuccess()) throw new IllegalStateException(loaded.getMessage());
    return new LoopbackWorker(worker);
  }

  WorkerRecord record() {
    return new WorkerRecord("test-" + worker.port(), "grpc://127.0.0.1:" + worker.port(), null,
        null, null, 0);
  }

  /** Syntheses running on the worker right now (its {@code queue_depth} metric). */
  double queueDepth() {
    return worker.service().metrics().get("queue_depth");
  }

  double activeSessions() {
    return worker.service().metrics().get("active_sessions");
  }

  /** Kills the worker's actor system without a graceful shutdown (connections just drop). */
  void kill() {
    worker.system().terminate();
    await(worker.system().getWhenTerminated());
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (!worker.system().whenTerminated().isCompleted()) await(worker.shutdown());
  }
}
