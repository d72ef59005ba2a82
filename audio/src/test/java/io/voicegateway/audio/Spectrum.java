package io.voicegateway.audio;

/**
 * Measuring helpers for tests: single-bin DFT (Goertzel) with a Blackman-Harris window, RMS.
 *
 * <p>A copy of tts-worker's {@code io.voicegateway.worker.audio.Spectrum}, kept identical: sharing
 * it through a test-jar would tie the worker's tests to this module's test tree and break
 * {@code -Dmaven.test.skip=true} builds.
 */
public final class Spectrum {

  private Spectrum() {}

  /** Amplitude (in sample units, peak) of the component at {@code freq} in x[from, to). */
  public static double amplitude(short[] x, int from, int to, double freq, int rate) {
    int n = to - from;
    double w = 2 * Math.PI * freq / rate;
    double cos = Math.cos(w);
    double coeff = 2 * cos;
    double s1 = 0;
    double s2 = 0;
    double windowSum = 0;
    for (int i = 0; i < n; i++) {
      double win = blackmanHarris(i, n);
      windowSum += win;
      double s0 = x[from + i] * win + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    double re = s1 - s2 * cos;
    double im = s2 * Math.sin(w);
    return 2 * Math.sqrt(re * re + im * im) / windowSum;
  }

  public static double amplitude(short[] x, double freq, int rate) {
    return amplitude(x, 0, x.length, freq, rate);
  }

  /** Frequency with the largest amplitude among lo, lo+step, ..., hi. */
  public static double peakFrequency(short[] x, double lo, double hi, double step, int rate) {
    double best = lo;
    double bestAmp = -1;
    for (double f = lo; f <= hi + 1e-9; f += step) {
      double a = amplitude(x, f, rate);
      if (a > bestAmp) {
        bestAmp = a;
        best = f;
      }
    }
    return best;
  }

  public static double rms(short[] x) {
    double sum = 0;
    for (short s : x) {
      sum += (double) s * s;
    }
    return x.length == 0 ? 0 : Math.sqrt(sum / x.length);
  }

  public static double db(double ratio) {
    return 20 * Math.log10(ratio);
  }

  public static short[] sine(double freq, double amplitude, int rate, int samples) {
    short[] x = new short[samples];
    for (int i = 0; i < samples; i++) {
      x[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * freq * i / rate));
    }
    return x;
  }

  /** Decodes signed 16-bit little-endian PCM. */
  public static short[] decodeLe(byte[] pcm) {
    short[] s = new short[pcm.length / 2];
    for (int i = 0; i < s.length; i++) {
      s[i] = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
    }
    return s;
  }

  private static double blackmanHarris(int i, int n) {
    double a = 2 * Math.PI * i / (n - 1);
    return 0.35875 - 0.48829 * Math.cos(a) + 0.14128 * Math.cos(2 * a) - 0.01168 * Math.cos(3 * a);
  }
}
