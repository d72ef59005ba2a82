package io.voicegateway.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ResamplerTest {

  private static short[] resampleAll(Resampler r, short[] in) {
    short[] a = r.process(in);
    short[] b = r.flush();
    short[] out = new short[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Skips the edges, where the tone starts and stops abruptly. */
  private static double steadyAmplitude(short[] x, double freq, int rate) {
    int edge = rate / 10;
    return Spectrum.amplitude(x, edge, x.length - edge, freq, rate);
  }

  @Test
  void sixteenToFortyEightKeepsToneAndRejectsImages() {
    short[] in = Spectrum.sine(1000, 16000, 16000, 16000);
    Resampler r = new Resampler(16000, 48000);
    assertEquals(3, r.up());
    assertEquals(1, r.down());
    short[] out = resampleAll(r, in);

    double inAmp = steadyAmplitude(in, 1000, 16000);
    double outAmp = steadyAmplitude(out, 1000, 48000);
    assertTrue(Math.abs(Spectrum.db(outAmp / inAmp)) < 0.5, "gain " + Spectrum.db(outAmp / inAmp));
    for (double image : new double[] {15000, 17000, 31000, 33000}) {
      double rel = Spectrum.db(steadyAmplitude(out, image, 48000) / outAmp);
      assertTrue(rel < -60, "image at " + image + " Hz is only " + rel + " dB down");
    }
  }

  @Test
  void twentyTwoToFortyEightKeepsToneAndRejectsImages() {
    short[] in = Spectrum.sine(1000, 16000, 22050, 22050);
    Resampler r = new Resampler(22050, 48000);
    assertEquals(320, r.up());
    assertEquals(147, r.down());
    short[] out = resampleAll(r, in);

    double inAmp = steadyAmplitude(in, 1000, 22050);
    double outAmp = steadyAmplitude(out, 1000, 48000);
    assertTrue(Math.abs(Spectrum.db(outAmp / inAmp)) < 0.5, "gain " + Spectrum.db(outAmp / inAmp));
    for (double image : new double[] {21050, 23050}) {
      double rel = Spectrum.db(steadyAmplitude(out, image, 48000) / outAmp);
      assertTrue(rel < -60, "image at " + image + " Hz is only " + rel + " dB down");
    }
  }

  @Test
  void passbandToneNearTheEdgeKeepsItsLevel() {
    // 7 kHz is 0.875 of the 8 kHz input Nyquist, inside the passband
    short[] in = Spectrum.sine(7000, 16000, 16000, 16000);
    short[] out = resampleAll(new Resampler(16000, 48000), in);
    double gain = Spectrum.db(steadyAmplitude(out, 7000, 48000) / steadyAmplitude(in, 7000, 16000));
    assertTrue(Math.abs(gain) < 0.5, "gain " + gain);
  }

  @Test
  void downsamplingRejectsWhatWouldAlias() {
    // 48k -> 16k: a 12 kHz tone would fold to 4 kHz without the anti-alias filter
    short[] in = Spectrum.sine(12000, 16000, 48000, 48000);
    short[] out = resampleAll(new Resampler(48000, 16000), in);
    double alias = Spectrum.db(steadyAmplitude(out, 4000, 16000) / 16000);
    assertTrue(alias < -60, "alias only " + alias + " dB down");
  }

  @Test
  void theAnalysisQualityKeepsSpeechBandsAndRejectsAliasesWithAQuarterOfTheTaps() {
    Resampler analysis = new Resampler(48000, 16000, Resampler.Quality.ANALYSIS);
    Resampler transparent = new Resampler(48000, 16000);
    assertTrue(analysis.tapsPerPhase() * 3 < transparent.tapsPerPhase(),
        analysis.tapsPerPhase() + " taps against " + transparent.tapsPerPhase());
    short[] tone = Spectrum.sine(1000, 16000, 48000, 48000);
    double gain = Spectrum.db(steadyAmplitude(resampleAll(analysis, tone), 1000, 16000)
        / steadyAmplitude(tone, 1000, 48000));
    assertTrue(Math.abs(gain) < 0.5, "1 kHz gain " + gain);
    short[] high = Spectrum.sine(12000, 16000, 48000, 48000);
    double alias = Spectrum.db(steadyAmplitude(
        resampleAll(new Resampler(48000, 16000, Resampler.Quality.ANALYSIS), high), 4000, 16000)
        / 16000);
    assertTrue(alias < -55, "alias only " + alias + " dB down");
  }

  @Test
  void outputLengthIsInputTimesRatioAfterFlush() {
    int[][] ratios = {{16000, 48000}, {22050, 48000}, {24000, 48000}, {48000, 16000}, {44100, 48000}};
    for (int[] ratio : ratios) {
      for (int n : new int[] {0, 1, 7, 1000, 22050}) {
        short[] out = resampleAll(new Resampler(ratio[0], ratio[1]), new short[n]);
        long expected = ((long) n * ratio[1] + ratio[0] - 1) / ratio[0];
        assertEquals(expected, out.length, ratio[0] + "->" + ratio[1] + " n=" + n);
      }
    }
  }

  @Test
  void outputIsAlignedWithInput() {
    // group delay is compensated: a click at input sample 1000 peaks at output sample 3000
    short[] in = new short[2000];
    in[1000] = 20000;
    short[] out = resampleAll(new Resampler(16000, 48000), in);
    int peak = 0;
    for (int i = 1; i < out.length; i++) {
      if (out[i] > out[peak]) {
        peak = i;
      }
    }
    assertEquals(3000, peak);
  }

  @Test
  void equalRatesPassThroughUnchanged() {
    short[] in = randomSignal(5000, 1);
    Resampler r = new Resampler(48000, 48000);
    assertArrayEquals(in, r.process(in));
    assertEquals(0, r.flush().length);
  }

  @Test
  void smallChunksGiveTheSameOutputAsOneBigChunk() {
    short[] in = randomSignal(30000, 2);
    for (int[] ratio : new int[][] {{16000, 48000}, {22050, 48000}, {24000, 48000}, {48000, 16000}}) {
      short[] whole = resampleAll(new Resampler(ratio[0], ratio[1]), in);

      Resampler r = new Resampler(ratio[0], ratio[1]);
      Random sizes = new Random(3);
      short[] pieces = new short[whole.length];
      int filled = 0;
      int offset = 0;
      while (offset < in.length) {
        int n = Math.min(in.length - offset, sizes.nextInt(300));
        short[] chunk = new short[n];
        System.arraycopy(in, offset, chunk, 0, n);
        offset += n;
        short[] o = r.process(chunk);
        System.arraycopy(o, 0, pieces, filled, o.length);
        filled += o.length;
      }
      short[] tail = r.flush();
      System.arraycopy(tail, 0, pieces, filled, tail.length);
      filled += tail.length;
      assertEquals(whole.length, filled);
      assertArrayEquals(whole, pieces, ratio[0] + "->" + ratio[1]);
    }
  }

  @Test
  void fullScaleInputClipsInsteadOfWrapping() {
    short[] in = new short[4000];
    for (int i = 0; i < in.length; i++) {
      in[i] = (i / 40) % 2 == 0 ? Short.MAX_VALUE : Short.MIN_VALUE; // square wave overshoots
    }
    short[] out = resampleAll(new Resampler(16000, 48000), in);
    for (int i = 1; i < out.length; i++) {
      // a wrapped sample would jump across the whole range between neighbours
      assertTrue(Math.abs(out[i] - out[i - 1]) < 40000, "wrap at " + i);
    }
  }

  @Test
  void flushResetsForANewStream() {
    short[] in = randomSignal(3000, 4);
    Resampler r = new Resampler(22050, 48000);
    short[] first = resampleAll(r, in);
    short[] second = resampleAll(r, in);
    assertArrayEquals(first, second);
  }

  private static short[] randomSignal(int n, long seed) {
    Random rnd = new Random(seed);
    short[] x = new short[n];
    for (int i = 0; i < n; i++) {
      x[i] = (short) (8000 * Math.sin(i * 0.05) + rnd.nextGaussian() * 3000);
    }
    return x;
  }
}
