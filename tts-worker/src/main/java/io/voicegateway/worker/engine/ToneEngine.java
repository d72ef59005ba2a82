package io.voicegateway.worker.engine;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The existing workers' mock model {@code mock-440hz} (WIRE.md §2): 500 ms of a 440 Hz sine at
 * 48 kHz per text, produced lazily in 20 ms chunks, whatever the text says. Useful to exercise the
 * whole path without a real voice.
 */
public final class ToneEngine implements SpeechEngine {

  public static final String MODEL_ID = "mock-440hz";

  private static final int RATE = 48_000;
  private static final double FREQUENCY_HZ = 440.0;
  private static final double AMPLITUDE = 0.3 * Short.MAX_VALUE;
  private static final int CHUNK_SAMPLES = RATE / 50;
  private static final int CHUNKS = 25;

  /**
   * The whole 500 ms, computed once: 440 Hz × 0.5 s is exactly 220 periods, so chunks cut from
   * it are phase-continuous, within a text and from one text to the next.
   */
  private static final short[] TONE = new short[CHUNKS * CHUNK_SAMPLES];

  static {
    for (int i = 0; i < TONE.length; i++) {
      TONE[i] = (short) Math.round(AMPLITUDE * Math.sin(2 * Math.PI * FREQUENCY_HZ * i / RATE));
    }
  }

  private volatile boolean loaded;

  public ToneEngine() {}

  @Override
  public String modelId() {
    return MODEL_ID;
  }

  @Override
  public String family() {
    return "mock"; // what the existing worker reports for its mock model, and its clients check
  }

  @Override
  public List<String> languages() {
    return List.of("en");
  }

  @Override
  public int nativeSampleRate() {
    return RATE;
  }

  @Override
  public Map<String, String> metadata() {
    return Map.of(
        "frequency_hz", "440", "duration_ms", "500", "sample_rate", Integer.toString(RATE));
  }

  @Override
  public boolean isLoaded() {
    return loaded;
  }

  @Override
  public void load() {
    loaded = true;
  }

  @Override
  public void unload() {
    loaded = false;
  }

  @Override
  public Source<PcmChunk, NotUsed> synthesize(String text, SynthesisMeter meter) {
    if (!loaded) {
      return Source.failed(new IllegalStateException(MODEL_ID + " is not loaded"));
    }
    return Source.unfold(
        0,
        index -> {
          if (index >= CHUNKS) {
            return Optional.empty();
          }
          long start = System.nanoTime();
          short[] samples = Arrays.copyOfRange(
              TONE, index * CHUNK_SAMPLES, (index + 1) * CHUNK_SAMPLES);
          meter.record(System.nanoTime() - start, CHUNK_SAMPLES, RATE);
          return Optional.of(Pair.create(index + 1, new PcmChunk(samples, index == CHUNKS - 1)));
        });
  }
}
