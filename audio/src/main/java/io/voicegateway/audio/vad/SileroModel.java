package io.voicegateway.audio.vad;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The Silero VAD ONNX model, loaded once per JVM; thread-safe (an OrtSession may run concurrently).
 *
 * <p>Per-stream state lives in {@link SileroVad}; this class holds only the session. It runs with
 * one intra-op and one inter-op thread: a gateway evaluates many streams at once, so parallelism
 * comes from the callers, and a single-threaded session never parks or spins helper threads.
 *
 * <p>The model is Silero VAD v6.2 (MIT, see {@code audio/MODEL-LICENSES.md}). The build puts it on
 * the class path from the npm registry, checksum-verified ({@code audio/fetch-silero-model.sh}).
 */
public final class SileroModel implements AutoCloseable {

  public static final int SAMPLE_RATE = 16_000;
  public static final int WINDOW_SAMPLES = 512; // 32 ms at 16 kHz

  /** Samples of the previous window that the model sees in front of each new one. */
  static final int CONTEXT_SAMPLES = 64;
  /** Width of the model's recurrent state: {@code state} is [2][batch][128]. */
  static final int STATE_WIDTH = 128;

  /** Class path resource, relative to this class. */
  static final String RESOURCE = "silero_vad.onnx";
  /** sha256 of Silero VAD v6.2 {@code silero_vad.onnx}; audio/fetch-silero-model.sh checks the same. */
  static final String SHA256 = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3";

  private static final Object SHARED_LOCK = new Object();
  private static volatile SileroModel shared;

  private final OrtEnvironment env;
  private final OrtSession session;
  private final OnnxTensor sampleRate;
  private final boolean isShared;

  private SileroModel(OrtSession session, OrtEnvironment env, boolean isShared) throws OrtException {
    this.env = env;
    this.session = session;
    this.isShared = isShared;
    // read-only, so one tensor serves every concurrent run; a scalar in v5/v6, [1] in some exports
    boolean scalar = ((TensorInfo) session.getInputInfo().get("sr").getInfo()).getShape().length == 0;
    this.sampleRate =
        scalar
            ? OnnxTensor.createTensor(env, (long) SAMPLE_RATE)
            : OnnxTensor.createTensor(env, new long[] {SAMPLE_RATE});
  }

  /**
   * The model from the class path, loaded on first use and kept for the life of the JVM.
   *
   * @throws IllegalStateException if the resource is missing, is not the expected model, or ONNX
   *     Runtime cannot load it; a later call tries again
   */
  public static SileroModel shared() {
    SileroModel model = shared;
    if (model == null) {
      synchronized (SHARED_LOCK) {
        model = shared;
        if (model == null) {
          model = fromClassPath();
          shared = model;
        }
      }
    }
    return model;
  }

  /** Loads a model file (tests, tools); the caller closes it. No checksum: any Silero v5/v6 export. */
  public static SileroModel load(Path onnx) {
    if (!Files.isRegularFile(onnx)) {
      throw new IllegalStateException("Silero VAD model file not found: " + onnx.toAbsolutePath());
    }
    try {
      return open(onnx.toString(), null, false);
    } catch (OrtException | RuntimeException e) {
      throw new IllegalStateException("cannot load the Silero VAD model " + onnx + ": " + e.getMessage(), e);
    }
  }

  private static SileroModel fromClassPath() {
    String where = SileroModel.class.getPackageName().replace('.', '/') + "/" + RESOURCE;
    byte[] bytes;
    try (InputStream in = SileroModel.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the Silero VAD model is not on the class path (" + where + "); the audio module's"
                + " build puts it there (audio/fetch-silero-model.sh, Maven phase generate-resources)");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the Silero VAD model " + where + ": " + e.getMessage(), e);
    }
    String actual = sha256(bytes);
    if (!actual.equals(SHA256)) {
      throw new IllegalStateException(
          "the Silero VAD model on the class path (" + where + ", " + bytes.length
              + " bytes) is corrupt or another version: sha256 " + actual + ", expected " + SHA256);
    }
    try {
      return open(null, bytes, true);
    } catch (OrtException | RuntimeException e) {
      throw new IllegalStateException("cannot load the Silero VAD model " + where + ": " + e.getMessage(), e);
    }
  }

  private static SileroModel open(String path, byte[] bytes, boolean isShared) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (SessionOptions options = new SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OptLevel.ALL_OPT);
      session = path != null ? env.createSession(path, options) : env.createSession(bytes, options);
    }
    try {
      checkSignature(session);
      return new SileroModel(session, env, isShared);
    } catch (OrtException | RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** The inputs and outputs that {@link SileroVad} feeds and reads (Silero VAD v5 and v6). */
  private static void checkSignature(OrtSession session) throws OrtException {
    Map<String, NodeInfo> in = session.getInputInfo();
    Map<String, NodeInfo> out = session.getOutputInfo();
    boolean ok =
        isTensor(in, "input", OnnxJavaType.FLOAT, 2)
            && isTensor(in, "state", OnnxJavaType.FLOAT, 3)
            && (isTensor(in, "sr", OnnxJavaType.INT64, 0) || isTensor(in, "sr", OnnxJavaType.INT64, 1))
            && isTensor(out, "output", OnnxJavaType.FLOAT, 2)
            && isTensor(out, "stateN", OnnxJavaType.FLOAT, 3);
    if (!ok) {
      throw new IllegalStateException(
          "not a Silero VAD v5/v6 model: inputs " + in.values() + ", outputs " + out.values());
    }
  }

  private static boolean isTensor(Map<String, NodeInfo> nodes, String name, OnnxJavaType type, int rank) {
    NodeInfo node = nodes.get(name);
    return node != null
        && node.getInfo() instanceof TensorInfo info
        && info.type == type
        && info.getShape().length == rank;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  OrtEnvironment environment() {
    return env;
  }

  OrtSession session() {
    return session;
  }

  /** The {@code sr} input: a read-only int64 scalar, 16000. */
  OnnxTensor sampleRate() {
    return sampleRate;
  }

  /**
   * Releases the session. The {@link #shared()} model lives as long as the JVM: closing it does
   * nothing, as other streams may be using it.
   */
  @Override
  public void close() {
    if (isShared) {
      return;
    }
    sampleRate.close();
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the Silero VAD session failed: " + e.getMessage(), e);
    }
  }
}
