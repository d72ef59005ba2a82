package io.voicegateway.audio.vad;

import static io.voicegateway.audio.vad.SileroModel.WINDOW_SAMPLES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.audio.Spectrum;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real Silero model on real signals: silence, noise, a tone, and English spoken by espeak-ng. */
class SileroVadTest {

  private static final int SAMPLES_PER_MS = SileroModel.SAMPLE_RATE / 1000;
  /** A 10 ms frame louder than -40 dBFS RMS counts as sound when locating speech in espeak's output. */
  private static final int FRAME = 10 * SAMPLES_PER_MS;
  private static final double SOUND_RMS = 32768 * 0.01;

  /** About five seconds of speech with a pause between the two sentences. */
  private static short[] speech;

  @BeforeAll
  static void speak() {
    speech = Espeak.speak16k("The quick brown fox jumps over the lazy dog. Please call me back tomorrow morning.");
  }

  private static float[] probabilities(short[] audio) {
    return new SileroVad(SileroModel.shared()).accept(audio, 0, audio.length);
  }

  private static short[] padded(int beforeMs, short[] audio, int afterMs) {
    short[] out = new short[(beforeMs + afterMs) * SAMPLES_PER_MS + audio.length];
    System.arraycopy(audio, 0, out, beforeMs * SAMPLES_PER_MS, audio.length);
    return out;
  }

  private static boolean isSound(short[] x, int frameStart) {
    double sum = 0;
    for (int i = frameStart; i < frameStart + FRAME; i++) {
      sum += (double) x[i] * x[i];
    }
    return Math.sqrt(sum / FRAME) >= SOUND_RMS;
  }

  /** Start of the first sounding 10 ms frame: where speech really starts in espeak's output. */
  private static int onset(short[] x) {
    for (int f = 0; f + FRAME <= x.length; f += FRAME) {
      if (isSound(x, f)) {
        return f;
      }
    }
    throw new AssertionError("no sound");
  }

  /** End of the last sounding 10 ms frame. */
  private static int offset(short[] x) {
    for (int f = (x.length / FRAME - 1) * FRAME; f >= 0; f -= FRAME) {
      if (isSound(x, f)) {
        return f + FRAME;
      }
    }
    throw new AssertionError("no sound");
  }

  private static float max(float[] p) {
    float m = 0;
    for (float v : p) {
      m = Math.max(m, v);
    }
    return m;
  }

  @Test
  void silenceIsNotSpeech() {
    float[] p = probabilities(new short[3 * SileroModel.SAMPLE_RATE]);
    assertEquals(93, p.length);
    assertTrue(max(p) < 0.1f, Arrays.toString(p));
  }

  @Test
  void whiteNoiseIsNotSpeech() {
    Random random = new Random(1);
    short[] noise = new short[3 * SileroModel.SAMPLE_RATE];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (short) Math.max(-32768, Math.min(32767, Math.round(random.nextGaussian() * 3000))); // -21 dBFS
    }
    float[] p = probabilities(noise);
    assertTrue(max(p) < 0.5f, Arrays.toString(p));
  }

  @Test
  void aToneIsNotSpeech() {
    float[] p = probabilities(Spectrum.sine(440, 10_000, SileroModel.SAMPLE_RATE, 3 * SileroModel.SAMPLE_RATE));
    assertTrue(max(p) < 0.5f, Arrays.toString(p));
  }

  /**
   * Within the spoken part (first to last sounding frame) most windows are speech; the sentence
   * pause and quiet consonants may dip below 0.5. The silence around it is not speech once the
   * model's short hangover (under 250 ms) has passed.
   */
  @Test
  void speechIsSpeechAndTheSilenceAroundItIsNot() {
    short[] audio = padded(1000, speech, 1000);
    int from = onset(audio);
    int to = offset(audio);
    float[] p = probabilities(audio);

    int inside = 0;
    int speaking = 0;
    for (int w = 0; w < p.length; w++) {
      int start = w * WINDOW_SAMPLES;
      int end = start + WINDOW_SAMPLES;
      if (end <= from) {
        assertTrue(p[w] < 0.5f, "window " + w + " before the speech: " + p[w]);
      } else if (start >= to + 250 * SAMPLES_PER_MS) {
        assertTrue(p[w] < 0.5f, "window " + w + " after the speech: " + p[w]);
      } else if (start >= from && end <= to) {
        inside++;
        speaking += p[w] >= 0.5f ? 1 : 0;
      }
    }
    assertTrue(inside > 100, "speech of " + inside + " windows");
    assertTrue(speaking >= 0.75 * inside, speaking + " of " + inside + " windows in the speech are speech: " + Arrays.toString(p));
  }

  /**
   * Speech starts where the silence padding ends plus espeak's own short lead-in, found from the
   * signal energy. The first window at 0.5 or above must contain speech (end after the onset) and
   * end at most 150 ms after the onset: that is the detection latency a caller sees, including the
   * up to 32 ms of waiting for the window to fill. Paddings vary so the onset falls at different
   * points of a window.
   */
  @ParameterizedTest
  @ValueSource(ints = {500, 1000, 1234})
  void speechOnsetIsDetectedWithin150Ms(int paddingMs) {
    short[] audio = padded(paddingMs, speech, 500);
    int onset = onset(audio);
    assertTrue(onset >= paddingMs * SAMPLES_PER_MS && onset < (paddingMs + 100) * SAMPLES_PER_MS, "onset " + onset);
    float[] p = probabilities(audio);
    int first = 0;
    while (first < p.length && p[first] < 0.5f) {
      first++;
    }
    assertTrue(first < p.length, "no speech detected");
    int detectedAt = (first + 1) * WINDOW_SAMPLES;
    double latencyMs = (detectedAt - onset) / (double) SAMPLES_PER_MS;
    assertTrue(latencyMs > 0 && latencyMs <= 150, "detected " + latencyMs + " ms after the onset (window " + first + ")");
  }

  @Test
  void chunkingDoesNotChangeTheProbabilities() {
    short[] audio = padded(300, speech, 300);
    float[] whole = probabilities(audio);
    assertEquals(audio.length / WINDOW_SAMPLES, whole.length);

    for (int size : new int[] {1, 160, 320, 480, 511, 512, 513, 960, 1023, 4099}) {
      assertArrayEquals(whole, inChunks(audio, new int[] {size}), "chunks of " + size);
    }
    Random random = new Random(7);
    int[] odd = new int[50];
    for (int i = 0; i < odd.length; i++) {
      odd[i] = random.nextInt(1500); // empty calls included
    }
    assertArrayEquals(whole, inChunks(audio, odd), "chunks of random sizes");
  }

  /** Feeds audio in chunks of the sizes given (cycled), each from an offset inside a larger array. */
  private static float[] inChunks(short[] audio, int[] sizes) {
    SileroVad vad = new SileroVad(SileroModel.shared());
    float[] all = new float[0];
    int at = 0;
    for (int i = 0; at < audio.length; i++) {
      int n = Math.min(sizes[i % sizes.length], audio.length - at);
      short[] carrier = new short[n + 20];
      System.arraycopy(audio, at, carrier, 7, n);
      float[] p = vad.accept(carrier, 7, n);
      assertTrue(p.length <= 1 + n / WINDOW_SAMPLES, "windows from " + n + " samples: " + p.length);
      int was = all.length;
      all = Arrays.copyOf(all, was + p.length);
      System.arraycopy(p, 0, all, was, p.length);
      at += n;
    }
    assertEquals(all.length, vad.windows());
    return all;
  }

  @Test
  void resetMakesASecondPassLikeTheFirst() {
    short[] audio = padded(200, speech, 200);
    SileroVad vad = new SileroVad(SileroModel.shared());
    float[] first = vad.accept(audio, 0, audio.length);
    vad.reset();
    float[] second = vad.accept(audio, 0, audio.length);
    assertArrayEquals(first, second);

    // a partial window is forgotten as well
    vad.reset();
    vad.accept(audio, 0, 700);
    vad.reset();
    assertArrayEquals(first, vad.accept(audio, 0, audio.length));
    assertEquals(3L * first.length + 1, vad.windows());
  }

  @Test
  void streamsShareOneModelConcurrently() throws Exception {
    short[] audio = padded(100, speech, 100);
    float[] expected = probabilities(audio);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> inChunks(audio, new int[] {320})));
      }
      for (Future<float[]> result : results) {
        assertArrayEquals(expected, result.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void acceptChecksItsBounds() {
    SileroVad vad = new SileroVad(SileroModel.shared());
    short[] samples = new short[100];
    assertThrows(IndexOutOfBoundsException.class, () -> vad.accept(samples, 50, 51));
    assertThrows(IndexOutOfBoundsException.class, () -> vad.accept(samples, -1, 10));
    assertEquals(0, vad.accept(samples, 100, 0).length);
  }
}
