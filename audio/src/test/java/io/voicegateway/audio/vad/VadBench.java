package io.voicegateway.audio.vad;

import static io.voicegateway.audio.vad.SileroModel.CONTEXT_SAMPLES;
import static io.voicegateway.audio.vad.SileroModel.STATE_WIDTH;
import static io.voicegateway.audio.vad.SileroModel.WINDOW_SAMPLES;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.voicegateway.audio.Resampler;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What listening costs per speaking session, single-threaded (JMH SampleTime, so p50/p99):
 *
 * <ul>
 *   <li>{@code window}: {@link SileroVad#accept} of one 512-sample (32 ms) window, on silence or
 *       on white noise at -21 dBFS (the model's cost does not depend on the signal, unless
 *       denormals slow the silent case);
 *   <li>{@code resample48to16}: {@link Resampler} 48 kHz → 16 kHz of one 20 ms frame (960 in,
 *       320 out); 1.6 frames make a 32 ms window;
 *   <li>{@code batched} against {@code singles}: N streams' windows in one ONNX run (input
 *       [N][576], state [2][N][128]) against N {@link SileroVad#accept} calls; both per
 *       invocation, so divide by N for a window.
 * </ul>
 *
 * <p>It sits in the VAD's package to run the batch on the same session {@link SileroVad} uses.
 * Run (forked JVMs, the command line of JMH): see docs/BENCHMARKS.md, "Voice activity detection".
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VadBench {

  static short[] signal(String kind, int samples) {
    short[] x = new short[samples];
    if (kind.equals("noise")) {
      Random random = new Random(1);
      for (int i = 0; i < samples; i++) {
        x[i] = (short) Math.max(-32768, Math.min(32767, Math.round(random.nextGaussian() * 3000)));
      }
    }
    return x;
  }

  @State(Scope.Thread)
  public static class OneStream {
    @Param({"noise", "silence"})
    public String signal;

    SileroVad vad;
    short[] audio;
    int at;

    @Setup
    public void setUp() {
      vad = new SileroVad(SileroModel.shared());
      audio = signal(signal, 16_000 * 10);
    }
  }

  @Benchmark
  public float[] window(OneStream s) {
    float[] p = s.vad.accept(s.audio, s.at, WINDOW_SAMPLES);
    s.at = (s.at + WINDOW_SAMPLES) % (s.audio.length - WINDOW_SAMPLES);
    return p;
  }

  @State(Scope.Thread)
  public static class Downsampling {
    /** TRANSPARENT: the worker's filter; ANALYSIS: the one the VAD's input goes through. */
    @Param({"TRANSPARENT", "ANALYSIS"})
    Resampler.Quality quality;
    Resampler resampler;
    short[] frame = signal("noise", 960);

    @Setup
    public void setUp() {
      resampler = new Resampler(48_000, 16_000, quality);
    }
  }

  @Benchmark
  public short[] resample48to16(Downsampling s) {
    return s.resampler.process(s.frame);
  }

  /** N streams: N single-window VADs, and one batch of N with its own ping-pong state tensors. */
  @State(Scope.Thread)
  public static class Streams {
    @Param({"8", "32"})
    public int n;

    SileroVad[] vads;
    short[][] windows;
    OrtSession session;
    FloatBuffer input;
    float[] context;
    OnnxTensor inputTensor;
    OnnxTensor probabilities;
    FloatBuffer probabilityBuffer;
    OnnxTensor[] states = new OnnxTensor[2];
    List<Map<String, OnnxTensor>> inputs;
    List<Map<String, OnnxTensor>> outputs;
    int current;
    float[] row = new float[CONTEXT_SAMPLES + WINDOW_SAMPLES];

    @Setup
    public void setUp() throws OrtException {
      SileroModel model = SileroModel.shared();
      session = model.session();
      vads = new SileroVad[n];
      windows = new short[n][];
      short[] noise = signal("noise", n * WINDOW_SAMPLES);
      for (int i = 0; i < n; i++) {
        vads[i] = new SileroVad(model);
        windows[i] = Arrays.copyOfRange(noise, i * WINDOW_SAMPLES, (i + 1) * WINDOW_SAMPLES);
      }
      int width = CONTEXT_SAMPLES + WINDOW_SAMPLES;
      input = direct(n * width);
      context = new float[n * CONTEXT_SAMPLES];
      inputTensor = OnnxTensor.createTensor(model.environment(), input, new long[] {n, width});
      probabilityBuffer = direct(n);
      probabilities = OnnxTensor.createTensor(model.environment(), probabilityBuffer, new long[] {n, 1});
      for (int i = 0; i < 2; i++) {
        states[i] = OnnxTensor.createTensor(model.environment(), direct(2 * n * STATE_WIDTH), new long[] {2, n, STATE_WIDTH});
      }
      inputs =
          List.of(
              Map.of("input", inputTensor, "state", states[0], "sr", model.sampleRate()),
              Map.of("input", inputTensor, "state", states[1], "sr", model.sampleRate()));
      outputs =
          List.of(
              Map.of("output", probabilities, "stateN", states[1]),
              Map.of("output", probabilities, "stateN", states[0]));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      inputTensor.close();
      probabilities.close();
      states[0].close();
      states[1].close();
    }

    private static FloatBuffer direct(int floats) {
      return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
  }

  @Benchmark
  public float singles(Streams s) {
    float sum = 0;
    for (int i = 0; i < s.n; i++) {
      sum += s.vads[i].accept(s.windows[i], 0, WINDOW_SAMPLES)[0];
    }
    return sum;
  }

  /** The same work as {@link #singles} in one run: scaling, context carry, state ping-pong included. */
  @Benchmark
  public float batched(Streams s) throws OrtException {
    int width = CONTEXT_SAMPLES + WINDOW_SAMPLES;
    for (int i = 0; i < s.n; i++) {
      System.arraycopy(s.context, i * CONTEXT_SAMPLES, s.row, 0, CONTEXT_SAMPLES);
      short[] w = s.windows[i];
      for (int k = 0; k < WINDOW_SAMPLES; k++) {
        s.row[CONTEXT_SAMPLES + k] = w[k] / 32768f;
      }
      s.input.put(i * width, s.row);
      System.arraycopy(s.row, WINDOW_SAMPLES, s.context, i * CONTEXT_SAMPLES, CONTEXT_SAMPLES);
    }
    s.session.run(s.inputs.get(s.current), s.outputs.get(s.current)).close();
    s.current ^= 1;
    return s.probabilityBuffer.get(0);
  }

  /** Runs every benchmark here with JMH's command line; no arguments: the documented settings. */
  public static void main(String[] args) throws Exception {
    String[] defaults = {VadBench.class.getName(), "-f", "2", "-wi", "2", "-w", "1s", "-i", "4", "-r", "2s"};
    org.openjdk.jmh.Main.main(args.length == 0 ? defaults : args);
  }
}
