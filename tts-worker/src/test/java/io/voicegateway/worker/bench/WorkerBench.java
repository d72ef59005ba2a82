package io.voicegateway.worker.bench;

import io.voicegateway.tts.v1.AudioFrame;
import io.voicegateway.tts.v1.StartSessionRequest;
import io.voicegateway.tts.v1.TTSServiceClient;
import io.voicegateway.tts.v1.TextChunk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Load harness for a running worker (see docs/BENCHMARKS.md for the commands).
 *
 * <ul>
 *   <li>{@code throughput --port P [--model M] [--calls C] [--seconds S] [--warmup W]}: C sessions each run
 *       Synthesize back to back; prints frames/s for every second and their median.
 *   <li>{@code first-frame --port P --model M [--runs N] [--warmup W]}: one session speaks a
 *       10-word sentence N times; prints the time from the call to its first frame, p50/p99/max.
 * </ul>
 */
public final class WorkerBench {

  private static final String SENTENCE = "The quick brown fox jumps over the lazy sleeping dog.";

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "worker-bench");
    TTSServiceClient client = TTSServiceClient.create(
        GrpcClientSettings.connectToServiceAt(opt.getOrDefault("--host", "127.0.0.1"),
            Integer.parseInt(opt.getOrDefault("--port", "7001")), system).withTls(false),
        system);
    try {
      switch (args.length == 0 ? "" : args[0]) {
        case "throughput" -> throughput(client, system, opt);
        case "first-frame" -> firstFrame(client, system, opt);
        default -> System.err.println("usage: WorkerBench throughput|first-frame --port P ...");
      }
    } finally {
      client.close();
      system.terminate();
    }
  }

  private static void throughput(TTSServiceClient client, ActorSystem<Void> system,
      Map<String, String> opt) throws Exception {
    String model = opt.getOrDefault("--model", "mock-440hz");
    int calls = Integer.parseInt(opt.getOrDefault("--calls", "8"));
    int seconds = Integer.parseInt(opt.getOrDefault("--seconds", "20"));
    AtomicLong frames = new AtomicLong();
    int warmup = Integer.parseInt(opt.getOrDefault("--warmup", "8"));
    java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    var threads = java.util.concurrent.Executors.newFixedThreadPool(calls);
    for (int c = 0; c < calls; c++) {
      String id = "bench-" + c;
      start(client, id, model);
      loops.add(CompletableFuture.runAsync(() -> {
        while (running.get()) {
          client.synthesize(Source.single(chunk(id, SENTENCE)))
              .runWith(Sink.foreach(f -> frames.incrementAndGet()), system)
              .toCompletableFuture().join();
        }
      }, threads));
    }
    Thread.sleep(warmup * 1000L); // warm-up: let both JITs settle before sampling
    long[] perSecond = new long[seconds];
    long previous = frames.get();
    for (int s = 0; s < seconds; s++) {
      Thread.sleep(1000);
      long now = frames.get();
      perSecond[s] = now - previous;
      previous = now;
      System.out.printf("second %2d: %d frames/s%n", s + 1, perSecond[s]);
    }
    running.set(false);
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
    threads.shutdown();
    long[] sorted = perSecond.clone();
    Arrays.sort(sorted);
    System.out.printf("throughput %s calls=%d: median %d frames/s, min %d, max %d (%d s sampled)%n",
        model, calls, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], seconds);
  }

  private static void firstFrame(TTSServiceClient client, ActorSystem<Void> system,
      Map<String, String> opt) {
    String model = opt.getOrDefault("--model", "mock-440hz");
    int runs = Integer.parseInt(opt.getOrDefault("--runs", "100"));
    int warmup = Integer.parseInt(opt.getOrDefault("--warmup", "10"));
    String id = "ttff-" + model;
    start(client, id, model);
    double[] ms = new double[runs];
    for (int r = -warmup; r < runs; r++) {
      long t0 = System.nanoTime();
      AudioFrame first = client.synthesize(Source.single(chunk(id, SENTENCE)))
          .runWith(Sink.head(), system).toCompletableFuture().join();
      long t1 = System.nanoTime();
      if (first.getAudioData().isEmpty()) throw new IllegalStateException("first frame empty");
      if (r >= 0) ms[r] = (t1 - t0) / 1e6;
    }
    Arrays.sort(ms);
    System.out.printf("first-frame %s runs=%d: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        model, runs, ms[(int) (runs * 0.5)], ms[Math.min(runs - 1, (int) Math.ceil(runs * 0.99) - 1)],
        ms[runs - 1]);
  }

  private static void start(TTSServiceClient client, String id, String model) {
    var r = client.startSession(StartSessionRequest.newBuilder().setSessionId(id).setModelId(model)
        .build()).toCompletableFuture().join();
    if (!r.getSuccess()) throw new IllegalStateException(r.getMessage());
  }

  private static TextChunk chunk(String id, String text) {
    return TextChunk.newBuilder().setSessionId(id).setText(text).setIsFinal(true).build();
  }
}
