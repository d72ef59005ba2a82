package io.voicegateway.worker.engine;

import java.util.List;
import java.util.Map;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One model a worker can speak with. An engine produces mono 16-bit PCM at its own native rate;
 * the worker resamples it to 48 kHz and cuts it into 20 ms frames.
 *
 * <p>Implementations are thread-safe: many sessions synthesize at once.
 */
public interface SpeechEngine {

  /** The model id clients name in StartSession, e.g. {@code mock-440hz}. */
  String modelId();

  /** A short family name for ListModels, e.g. {@code mock}, {@code freetts}, {@code espeak-ng}. */
  String family();

  List<String> languages();

  /** Sample rate of the PCM that {@link #synthesize} emits. */
  int nativeSampleRate();

  /** Descriptive metadata for ListModels (voice, native rate, ...). Never secrets. */
  Map<String, String> metadata();

  boolean isLoaded();

  /**
   * Makes the model resident (idempotent).
   *
   * @throws EngineUnavailableException when the engine cannot run here, with a message saying why
   */
  void load() throws EngineUnavailableException;

  /** Releases what {@link #load} acquired; syntheses already running may finish. */
  void unload();

  /**
   * Streams the speech for {@code text} as native-rate PCM chunks, as the engine produces them
   * (never the whole utterance at once). The last chunk carries {@code last = true} when the
   * engine knows it is the last; otherwise completion of the source marks the end. The source
   * respects demand: the engine does not run ahead of its consumer by more than a small bounded
   * buffer. Cancelling the source stops the engine's work for this text.
   *
   * <p>Time the engine spends producing audio is reported to {@code meter} so the worker can
   * publish a measured real-time factor.
   */
  Source<PcmChunk, NotUsed> synthesize(String text, SynthesisMeter meter);
}
