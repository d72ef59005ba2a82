package io.voicegateway.audio.vad;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The VAD's CPU per listening stream when audio comes in real time, as in a gateway: each stream
 * gets a 20 ms frame (320 samples at 16 kHz) every 20 ms, the streams' frames spread over the
 * period. JMH ({@link VadBench}) runs windows back to back, with warm caches; here a stream's
 * window comes every 32 ms, as it does live. Two ways side by side, alternating in one run:
 *
 * <ul>
 *   <li>{@code alone}: each stream its own {@link SileroVad}, evaluated where its frame is handled,
 *       on a pool of one thread per core (how sessions ran the VAD before the runner: on the
 *       listener dispatcher);
 *   <li>{@code runner}: every stream on one {@link VadRunner} (one lane, batches of up to 32).
 * </ul>
 *
 * <p>CPU is the evaluating threads' CPU time (around {@code accept} for {@code alone}, the lanes'
 * run CPU for {@code runner}) over the measured period, as % of one core per stream; the process
 * CPU (feeding and framing included) is printed beside it. Arguments: streams to try
 * (comma-separated, default 1,4,16,64), {@code --warmup S} (5), {@code --seconds S} (20),
 * {@code --reps R} (2). The command is in docs/BENCHMARKS.md, "Voice activity detection".
 */
public final class VadLiveBench {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final int FRAME = 320;

  public static void main(String[] args) throws Exception {
    int[] counts = {1, 4, 16, 64};
    int warmup = 5;
    int seconds = 20;
    int reps = 2;
    int[] lingers = {0};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--linger" -> lingers = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default -> counts = java.util.Arrays.stream(args[i].split(",")).mapToInt(Integer::parseInt).toArray();
      }
    }
    short[] noise = VadBench.signal("noise", 16_000 * 10);
    System.out.println("mode\tstreams\trep\twindows\tmean batch\tVAD CPU µs/window\tVAD % core/stream\tprocess % core/stream");
    for (int rep = 1; rep <= reps; rep++) {
      for (int n : counts) {
        run("alone", n, rep, noise, warmup, seconds, 0);
        for (int linger : lingers) {
          run("runner", n, rep, noise, warmup, seconds, linger);
        }
      }
    }
  }

  private static void run(String mode, int n, int rep, short[] audio, int warmup, int seconds,
      int lingerMs) throws Exception {
    AtomicLong vadCpu = new AtomicLong();
    AtomicLong windows = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    VadRunner runner = mode.equals("runner") ? new VadRunner(SileroModel.shared(), 1, 32,
        java.time.Duration.ofMillis(lingerMs), null) : null;
    List<Runnable> feeds = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      int[] at = {new Random(s).nextInt(audio.length / FRAME) * FRAME};
      if (runner != null) {
        VadRunner.Stream stream = runner.open(new VadRunner.Listener() {
          @Override
          public void evaluated(float probability) {}

          @Override
          public void failed(String reason) {
            throw new IllegalStateException(reason);
          }
        });
        feeds.add(() -> {
          stream.accept(audio, at[0], FRAME);
          at[0] = (at[0] + FRAME) % audio.length;
        });
      } else {
        SileroVad vad = new SileroVad(SileroModel.shared());
        CompletableFuture<?>[] last = {CompletableFuture.completedFuture(null)};
        feeds.add(() -> {
          int from = at[0];
          at[0] = (at[0] + FRAME) % audio.length;
          // one stream's frames in order, one at a time, on whichever pool thread is free
          last[0] = last[0].thenRunAsync(() -> {
            long t0 = THREADS.getCurrentThreadCpuTime();
            int done = vad.accept(audio, from, FRAME).length;
            if (done > 0) {
              vadCpu.addAndGet(THREADS.getCurrentThreadCpuTime() - t0);
              windows.addAndGet(done);
            }
          }, pool);
        });
      }
    }
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    for (int s = 0; s < n; s++) {
      Runnable feed = feeds.get(s);
      clock.scheduleAtFixedRate(feed, 20_000L * s / n, 20_000, TimeUnit.MICROSECONDS);
    }
    Thread.sleep(warmup * 1000L);
    long cpu0 = runner != null ? runner.cpuNanos() : vadCpu.get();
    long windows0 = runner != null ? runner.windows() : windows.get();
    long runs0 = runner != null ? runner.runs() : 0;
    long process0 = OS.getProcessCpuTime();
    long wall0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long wall = System.nanoTime() - wall0;
    long process = OS.getProcessCpuTime() - process0;
    long cpu = (runner != null ? runner.cpuNanos() : vadCpu.get()) - cpu0;
    long w = (runner != null ? runner.windows() : windows.get()) - windows0;
    long runs = runner != null ? runner.runs() - runs0 : w;
    clock.shutdownNow();
    clock.awaitTermination(5, TimeUnit.SECONDS);
    pool.shutdown();
    pool.awaitTermination(5, TimeUnit.SECONDS);
    if (runner != null) runner.close();
    System.out.printf(Locale.ROOT, "%s\t%d\t%d\t%d\t%.2f\t%.1f\t%.3f\t%.3f%n",
        runner != null ? mode + " " + lingerMs + "ms" : mode, n, rep, w,
        (double) w / Math.max(1, runs), cpu / 1000.0 / Math.max(1, w),
        100.0 * cpu / wall / n, 100.0 * process / wall / n);
  }
}
