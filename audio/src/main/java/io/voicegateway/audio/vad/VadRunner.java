package io.voicegateway.audio.vad;

import static io.voicegateway.audio.vad.SileroModel.STATE_WIDTH;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Evaluates the VAD windows of every stream on a node, in batches, on a few threads of its own.
 *
 * <p>Silero takes a batch dimension ({@code input} [N][576], {@code state} [2][N][128]), and one
 * run over N streams' windows costs about half as much per window as N runs of one
 * (docs/BENCHMARKS.md, "Voice activity detection"). A run that comes every 32 ms per stream also
 * starts with cold caches; one thread that runs every stream's windows keeps the model's code and
 * weights warm. So each stream is assigned to one of the runner's lanes (a thread each); a stream
 * cuts its audio into rows ({@link WindowFramer}) on the caller's thread and queues them on its
 * lane; the lane takes every row queued since its last run, at most one per stream and at most
 * {@code maxBatch}, into one ONNX run (group commit: a busy lane batches more the more it has to
 * do). Live, the windows of a few dozen streams rarely queue up on their own, so a lane that gets
 * a row while idle waits up to {@code linger} for other streams' rows before it runs: a window's
 * verdict may come that much later, and the run's cost is shared (docs/BENCHMARKS.md, "Voice
 * activity detection": at 16 streams 10 ms of linger halved the CPU per window). A lane with a
 * single stream never lingers.
 *
 * <p>Each stream's recurrent state is carried from run to run by its lane, so a stream's windows
 * are evaluated in order, one run apart. Results go to the stream's {@link Listener} on the lane's
 * thread: it must only hand them on (tell an actor), never block.
 */
public final class VadRunner implements AutoCloseable {

  /** Receives one stream's results, on a lane's thread. */
  public interface Listener {
    /** The speech probability of the stream's next 32 ms window. */
    void evaluated(float probability);

    /** A run that held one of this stream's windows failed; the window has no probability. */
    void failed(String reason);
  }

  /** What the runner costs; called on a lane's thread after each run. */
  public interface Observer {
    Observer NONE = (windows, cpuNanos) -> {};

    /** One run evaluated {@code windows} windows (streams) in {@code cpuNanos} of thread CPU. */
    void ran(int windows, long cpuNanos);
  }

  /** Lanes of {@link #shared()}. */
  public static final int DEFAULT_THREADS = 1;
  /** Largest batch of {@link #shared()}; beyond 32 a batch gains little (BENCHMARKS). */
  public static final int DEFAULT_MAX_BATCH = 32;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final Object SHARED_LOCK = new Object();
  private static volatile VadRunner shared;

  private final SileroModel model;
  private final Lane[] lanes;
  private final AtomicInteger nextLane = new AtomicInteger();
  private final AtomicLong windows = new AtomicLong();
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong cpuNanos = new AtomicLong();
  private final Observer observer;
  private final long lingerNanos;

  /**
   * @param threads lanes, each a daemon thread with its own tensors (at least 1)
   * @param maxBatch most windows in one run (at least 1)
   * @param linger how long a lane that gets a window while idle waits for more before it runs,
   *     when it has other streams to wait for (zero: it runs at once); a window may wait this
   *     long, so speech may be detected this much later
   * @param observer told the cost of each run ({@link Observer#NONE}: nobody)
   */
  public VadRunner(SileroModel model, int threads, int maxBatch, Duration linger, Observer observer) {
    this(model, threads, maxBatch, linger, observer, true);
  }

  /** {@code start} false: the lanes wait for {@link #start()} (tests queue rows ahead of them). */
  VadRunner(SileroModel model, int threads, int maxBatch, Duration linger, Observer observer,
      boolean start) {
    if (threads < 1) throw new IllegalArgumentException("VAD threads must be at least 1, got " + threads);
    if (maxBatch < 1) throw new IllegalArgumentException("VAD max batch must be at least 1, got " + maxBatch);
    if (linger.isNegative()) throw new IllegalArgumentException("VAD linger must not be negative, got " + linger);
    this.model = model;
    this.lingerNanos = linger.toNanos();
    this.observer = observer == null ? Observer.NONE : observer;
    this.lanes = new Lane[threads];
    for (int i = 0; i < threads; i++) {
      lanes[i] = new Lane(maxBatch);
      Thread thread = new Thread(lanes[i], "voicegw-vad-" + i);
      thread.setDaemon(true);
      lanes[i].thread = thread;
    }
    if (start) start();
  }

  void start() {
    for (Lane lane : lanes) lane.thread.start();
  }

  /**
   * A runner on the class path's model with one lane, started on first use and kept for the life
   * of the JVM (as {@link SileroModel#shared()}); for code that is not given a node's runner.
   *
   * @throws IllegalStateException if the model cannot load; a later call tries again
   */
  public static VadRunner shared() {
    VadRunner runner = shared;
    if (runner == null) {
      synchronized (SHARED_LOCK) {
        runner = shared;
        if (runner == null) {
          runner = new VadRunner(SileroModel.shared(), DEFAULT_THREADS, DEFAULT_MAX_BATCH, Duration.ZERO, null);
          shared = runner;
        }
      }
    }
    return runner;
  }

  /** A new stream (a session's user), on the next lane in turn. Close it when done. */
  public Stream open(Listener listener) {
    Lane lane = lanes[Math.floorMod(nextLane.getAndIncrement(), lanes.length)];
    lane.streams.incrementAndGet();
    return new Stream(lane, listener);
  }

  /** Windows evaluated so far. */
  public long windows() {
    return windows.get();
  }

  /** ONNX runs so far; {@link #windows()} / runs is the mean batch. */
  public long runs() {
    return runs.get();
  }

  /** Thread CPU time of all runs so far, in nanoseconds (wall time where the JVM cannot tell). */
  public long cpuNanos() {
    return cpuNanos.get();
  }

  /** Stops the lanes (queued windows are dropped) and releases their tensors. Not for {@link #shared()}. */
  @Override
  public void close() {
    if (this == shared) return;
    for (Lane lane : lanes) {
      lane.thread.interrupt();
    }
    for (Lane lane : lanes) {
      try {
        lane.thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * One audio stream: cuts the caller's samples into rows and queues them on its lane. {@link
   * #accept} is for one thread at a time (the session's listener); results come on the lane's.
   */
  public final class Stream implements AutoCloseable {
    private final Lane lane;
    private final Listener listener;
    private final WindowFramer framer = new WindowFramer();
    /** The model's recurrent state, layer 0 then layer 1; touched by the lane only. */
    final float[] state = new float[2 * STATE_WIDTH];
    /** Set by the lane while one of this stream's rows is in the batch it is building. */
    boolean batched;
    private volatile boolean closed;

    private Stream(Lane lane, Listener listener) {
      this.lane = lane;
      this.listener = listener;
    }

    /** Feeds 16 kHz mono samples (any count); each completed 32 ms window is queued for a run. */
    public void accept(short[] samples, int offset, int length) {
      if (closed) return;
      framer.feed(samples, offset, length, row -> lane.queue.add(new Row(this, row.clone())));
    }

    /** Stops evaluating this stream; rows still queued are dropped, and nothing more is heard. */
    @Override
    public void close() {
      if (closed) return;
      closed = true;
      lane.streams.decrementAndGet();
    }
  }

  private record Row(Stream stream, float[] samples) {}

  /** One thread's queue and tensors. */
  private final class Lane implements Runnable {
    final LinkedBlockingQueue<Row> queue = new LinkedBlockingQueue<>();
    /** Open streams on this lane: with one, there is nothing to linger for. */
    final AtomicInteger streams = new AtomicInteger();
    final int maxBatch;
    /** Rows taken but left for the next run (their stream was already in the batch), in order. */
    ArrayDeque<Row> deferred = new ArrayDeque<>();
    final List<Row> batch = new ArrayList<>();
    /** Tensors by batch size, made on first use. */
    final Tensors[] tensors;
    Thread thread;

    Lane(int maxBatch) {
      this.maxBatch = maxBatch;
      this.tensors = new Tensors[maxBatch + 1];
    }

    @Override
    public void run() {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          if (deferred.isEmpty()) {
            batch.add(queue.take()); // idle: wait for a row
            batch.get(0).stream.batched = true;
          }
          gather();
          if (lingerNanos > 0 && streams.get() > 1) linger();
          evaluate();
        }
      } catch (InterruptedException e) {
        // close()
      } finally {
        for (Tensors t : tensors) {
          if (t != null) t.close();
        }
      }
    }

    /** Adds the deferred rows, then everything queued, at most one per stream and maxBatch. */
    private void gather() {
      ArrayDeque<Row> later = new ArrayDeque<>();
      Row row;
      while ((row = deferred.poll()) != null) offer(row, later);
      while ((row = queue.poll()) != null) offer(row, later);
      deferred = later;
    }

    /** Takes rows as they come until the batch is full or the linger time has passed. */
    private void linger() throws InterruptedException {
      long deadline = System.nanoTime() + lingerNanos;
      long left;
      while (batch.size() < maxBatch && (left = deadline - System.nanoTime()) > 0) {
        Row row = queue.poll(left, TimeUnit.NANOSECONDS);
        if (row == null) return;
        offer(row, deferred);
      }
    }

    private void offer(Row row, ArrayDeque<Row> later) {
      if (row.stream.closed) return;
      if (row.stream.batched || batch.size() == maxBatch) {
        later.add(row);
      } else {
        row.stream.batched = true;
        batch.add(row);
      }
    }

    private void evaluate() {
      batch.removeIf(row -> {
        if (!row.stream.closed) return false;
        row.stream.batched = false;
        return true;
      });
      int n = batch.size();
      if (n == 0) return;
      long started = cpuTime();
      Tensors t = null;
      String failure = null;
      try {
        t = tensors[n] != null ? tensors[n] : (tensors[n] = new Tensors(n));
        for (int i = 0; i < n; i++) {
          Row row = batch.get(i);
          t.input.put(i * WindowFramer.ROW, row.samples);
          for (int layer = 0; layer < 2; layer++) {
            t.stateIn.put((layer * n + i) * STATE_WIDTH, row.stream.state, layer * STATE_WIDTH,
                STATE_WIDTH);
          }
        }
        t.run();
      } catch (OrtException | RuntimeException e) {
        failure = "Silero VAD inference failed: " + e.getMessage();
      }
      long spent = cpuTime() - started;
      // counted before anyone hears a result, so a listener that saw it sees it counted
      windows.addAndGet(n);
      runs.incrementAndGet();
      cpuNanos.addAndGet(spent);
      observer.ran(n, spent);
      for (int i = 0; i < n; i++) {
        Row row = batch.get(i);
        row.stream.batched = false;
        if (row.stream.closed) continue;
        if (failure != null) {
          row.stream.listener.failed(failure);
          continue;
        }
        for (int layer = 0; layer < 2; layer++) {
          t.stateOut.get((layer * n + i) * STATE_WIDTH, row.stream.state, layer * STATE_WIDTH,
              STATE_WIDTH);
        }
        row.stream.listener.evaluated(t.probabilities.get(i));
      }
      batch.clear();
    }

    private static long cpuTime() {
      return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }
  }

  /** The tensors of one batch size, backed by direct buffers that are written and read in place. */
  private final class Tensors implements AutoCloseable {
    final FloatBuffer input;
    final FloatBuffer stateIn;
    final FloatBuffer stateOut;
    final FloatBuffer probabilities;
    private final List<OnnxTensor> all;
    private final Map<String, OnnxTensor> inputs;
    private final Map<String, OnnxTensor> outputs;

    Tensors(int n) {
      input = direct(n * WindowFramer.ROW);
      stateIn = direct(2 * n * STATE_WIDTH);
      stateOut = direct(2 * n * STATE_WIDTH);
      probabilities = direct(n);
      try {
        var env = model.environment();
        OnnxTensor in = OnnxTensor.createTensor(env, input, new long[] {n, WindowFramer.ROW});
        OnnxTensor sIn = OnnxTensor.createTensor(env, stateIn, new long[] {2, n, STATE_WIDTH});
        OnnxTensor sOut = OnnxTensor.createTensor(env, stateOut, new long[] {2, n, STATE_WIDTH});
        OnnxTensor p = OnnxTensor.createTensor(env, probabilities, new long[] {n, 1});
        all = List.of(in, sIn, sOut, p);
        inputs = Map.of("input", in, "state", sIn, "sr", model.sampleRate());
        outputs = Map.of("output", p, "stateN", sOut);
      } catch (OrtException e) {
        throw new IllegalStateException("cannot allocate Silero VAD tensors: " + e.getMessage(), e);
      }
    }

    /** Both outputs are pinned: results land in our buffers, and closing the result leaves them. */
    void run() throws OrtException {
      OrtSession session = model.session();
      session.run(inputs, outputs).close();
    }

    @Override
    public void close() {
      all.forEach(OnnxTensor::close);
    }

    private static FloatBuffer direct(int floats) {
      return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
  }
}
