package io.voicegateway.audio.vad;

import static io.voicegateway.audio.vad.SileroModel.CONTEXT_SAMPLES;
import static io.voicegateway.audio.vad.SileroModel.STATE_WIDTH;
import static io.voicegateway.audio.vad.SileroModel.WINDOW_SAMPLES;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * One audio stream's VAD state (context + RNN state), evaluated synchronously on the caller's
 * thread; not thread-safe; cheap to create. A node hearing many streams uses {@link VadRunner},
 * which evaluates them in batches on its own threads; this class is for one stream at a time
 * (tools, tests, the benchmarks that compare the two).
 *
 * <p>Samples are collected into 512-sample (32 ms) windows ({@link WindowFramer}); each full
 * window is evaluated with the 64 samples before it as context.
 *
 * <p>Each instance owns its ONNX tensors, backed by direct buffers and reused for every window:
 * the input window, the output probability, and two recurrent-state tensors used in turn as the
 * {@code state} input and the pinned {@code stateN} output, so no state is copied. A window costs
 * no tensor allocation, only ONNX Runtime's own per-run bookkeeping. The tensors' small native
 * handles are released when the instance becomes unreachable (a {@link Cleaner}).
 */
public final class SileroVad {

  private static final float[] NONE = new float[0];
  private static final Cleaner CLEANER = Cleaner.create();

  private final OrtSession session;
  private final Tensors tensors;
  private final WindowFramer framer = new WindowFramer();

  /** Which of the two state tensors is the input of the next run. */
  private int current;
  private long windows;

  public SileroVad(SileroModel model) {
    this.session = model.session();
    try {
      this.tensors = new Tensors(model.environment(), model.sampleRate());
    } catch (OrtException e) {
      throw new IllegalStateException("cannot allocate Silero VAD tensors: " + e.getMessage(), e);
    }
    CLEANER.register(this, tensors);
  }

  /**
   * Feeds 16 kHz mono samples (any count). Returns the speech probability of each 512-sample window
   * completed by this call, in order (often empty, sometimes 1 or 2).
   */
  public float[] accept(short[] samples, int offset, int length) {
    int completed = framer.completes(length);
    float[] probabilities = completed == 0 ? NONE : new float[completed];
    int[] done = {0};
    framer.feed(samples, offset, length, row -> probabilities[done[0]++] = evaluate(row));
    return probabilities;
  }

  /** Forgets the recurrent state, the context and any partial window (a new utterance/stream). */
  public void reset() {
    framer.reset();
    tensors.clearState();
  }

  /** Windows evaluated since this instance was created ({@link #reset()} does not clear it). */
  public long windows() {
    return windows;
  }

  private float evaluate(float[] row) {
    tensors.input.put(0, row);
    try {
      // both outputs are pinned: the probability and the next state are already in our buffers,
      // and closing the result leaves them open
      session.run(tensors.inputs.get(current), tensors.outputs.get(current)).close();
    } catch (OrtException e) {
      throw new IllegalStateException("Silero VAD inference failed: " + e.getMessage(), e);
    }
    current ^= 1;
    windows++;
    return tensors.probability.get(0);
  }

  /** The instance's tensors; also its cleaning action, so it must not refer to the SileroVad. */
  private static final class Tensors implements Runnable {
    final FloatBuffer input = direct(CONTEXT_SAMPLES + WINDOW_SAMPLES);
    final FloatBuffer probability = direct(1);
    final FloatBuffer[] state = {direct(2 * STATE_WIDTH), direct(2 * STATE_WIDTH)};
    final OnnxTensor inputTensor;
    final OnnxTensor probabilityTensor;
    final OnnxTensor[] stateTensors = new OnnxTensor[2];
    /** Index i: state i in, state 1-i out. */
    final List<Map<String, OnnxTensor>> inputs;
    final List<Map<String, OnnxTensor>> outputs;

    Tensors(OrtEnvironment env, OnnxTensor sampleRate) throws OrtException {
      // a direct buffer in native order backs the tensor itself: writes to it are the tensor
      inputTensor = OnnxTensor.createTensor(env, input, new long[] {1, CONTEXT_SAMPLES + WINDOW_SAMPLES});
      probabilityTensor = OnnxTensor.createTensor(env, probability, new long[] {1, 1});
      for (int i = 0; i < 2; i++) {
        stateTensors[i] = OnnxTensor.createTensor(env, state[i], new long[] {2, 1, STATE_WIDTH});
      }
      inputs =
          List.of(
              Map.of("input", inputTensor, "state", stateTensors[0], "sr", sampleRate),
              Map.of("input", inputTensor, "state", stateTensors[1], "sr", sampleRate));
      outputs =
          List.of(
              Map.of("output", probabilityTensor, "stateN", stateTensors[1]),
              Map.of("output", probabilityTensor, "stateN", stateTensors[0]));
    }

    void clearState() {
      for (FloatBuffer s : state) {
        s.put(0, new float[s.capacity()]);
      }
    }

    @Override
    public void run() {
      inputTensor.close();
      probabilityTensor.close();
      stateTensors[0].close();
      stateTensors[1].close();
    }

    private static FloatBuffer direct(int floats) {
      return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
  }
}
