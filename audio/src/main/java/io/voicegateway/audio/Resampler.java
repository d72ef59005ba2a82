package io.voicegateway.audio;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Streaming band-limited sample-rate converter for mono 16-bit PCM at any rational ratio.
 *
 * <p>The ratio {@code out/in} is reduced to {@code L/M} (interpolate by L, decimate by M). One
 * Kaiser-windowed sinc prototype, designed at the virtual rate {@code L·in}, is split into L
 * polyphase branches of K taps; each output sample costs K multiply-adds. Design, for the lower of
 * the two Nyquist frequencies {@code fN}: passband edge 0.90·fN, stopband edge 1.00·fN (cutoff
 * 0.95·fN), Kaiser β 7.86 for 80 dB stopband. For 16 000→48 000 that is K = 101 taps per phase
 * (303-tap prototype), for 22 050→48 000 K = 101 as well (32 320-tap prototype), for 48 000→16 000
 * K = 303. Measured: passband ripple under 0.01 dB, images and aliases at least 82 dB down.
 *
 * <p>Group delay: the prototype is linear-phase with its centre {@code c = (K·L-1)/2} virtual
 * samples in, i.e. {@code c/L} input samples (50.3 at 16 kHz = 3.1 ms; 50.5 at 22.05 kHz =
 * 2.3 ms). The resampler compensates it: output sample {@code j} is aligned to input time
 * {@code j·M/L}, so the output is not shifted. The price is latency: an output sample can only be computed once about {@code c/L} further input samples
 * have arrived, which is why {@link #flush()} exists. After {@link #flush()} the total output
 * length is {@code ceil(inputLength·L/M)}.
 *
 * <p>Equal rates are a pass-through (the input is copied). Not thread-safe: one instance per
 * stream. Filter banks are computed once per reduced ratio and shared.
 */
public final class Resampler {

  /**
   * How good the filter is, and so how long: the passband and stopband edges as fractions of the
   * lower Nyquist frequency, and the stopband attenuation.
   */
  public enum Quality {
    /** For listening: flat to 90 % of Nyquist, images and aliases 80 dB down (the worker). */
    TRANSPARENT(0.90, 1.00, 80.0),
    /**
     * For analysis (the VAD's input): flat to 70 % of Nyquist (5.6 kHz at 16 kHz), aliases 60 dB
     * down; about a quarter of the taps (docs/BENCHMARKS.md).
     */
    ANALYSIS(0.70, 1.00, 60.0);

    final double passband;
    final double stopband;
    final double attenuationDb;

    Quality(double passband, double stopband, double attenuationDb) {
      this.passband = passband;
      this.stopband = stopband;
      this.attenuationDb = attenuationDb;
    }
  }

  /** Passband edge as a fraction of the lower Nyquist frequency ({@link Quality#TRANSPARENT}). */
  static final double PASSBAND = Quality.TRANSPARENT.passband;
  /** Stopband edge as a fraction of the lower Nyquist frequency. */
  static final double STOPBAND = Quality.TRANSPARENT.stopband;
  /** Design stopband attenuation in dB. */
  static final double ATTENUATION_DB = Quality.TRANSPARENT.attenuationDb;

  private static final ConcurrentHashMap<BankKey, FilterBank> BANKS = new ConcurrentHashMap<>();

  private record BankKey(int up, int down, Quality quality) {}

  private final int inRate;
  private final int outRate;
  private final int up;
  private final int down;
  private final FilterBank bank;

  /** History (last K-1 input samples) followed by the samples of the current call. */
  private float[] work;
  /** Index, relative to the first new sample of the next call, of the next output's newest input. */
  private long nextBase;
  /** Polyphase branch of the next output sample. */
  private int nextPhase;

  private long inputCount;
  private long outputCount;

  public Resampler(int inRate, int outRate) {
    this(inRate, outRate, Quality.TRANSPARENT);
  }

  public Resampler(int inRate, int outRate, Quality quality) {
    if (inRate <= 0 || outRate <= 0) {
      throw new IllegalArgumentException("sample rates must be positive: " + inRate + " -> " + outRate);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    int g = gcd(inRate, outRate);
    this.up = outRate / g;
    this.down = inRate / g;
    if (up == 1 && down == 1) {
      this.bank = null;
    } else {
      this.bank = BANKS.computeIfAbsent(
          new BankKey(up, down, quality), k -> FilterBank.design(up, down, quality));
      this.work = new float[bank.taps - 1 + 1024];
    }
    reset();
  }

  public int inRate() {
    return inRate;
  }

  public int outRate() {
    return outRate;
  }

  /** Interpolation factor L of the reduced ratio. */
  public int up() {
    return up;
  }

  /** Decimation factor M of the reduced ratio. */
  public int down() {
    return down;
  }

  /** Taps per polyphase branch (K); 1 for a pass-through. */
  public int tapsPerPhase() {
    return bank == null ? 1 : bank.taps;
  }

  /** Group delay of the prototype filter in input samples (compensated: outputs are aligned). */
  public double groupDelayInputSamples() {
    return bank == null ? 0 : bank.centre / (double) up;
  }

  /** Resamples the next piece of the stream; returns what can be computed so far (maybe empty). */
  public short[] process(short[] in) {
    if (bank == null) {
      return in.clone();
    }
    inputCount += in.length;
    return run(in, in.length, Long.MAX_VALUE);
  }

  /**
   * Ends the stream: feeds silence through the filter so that the samples still held back by the
   * filter's delay come out, then resets to a fresh stream.
   */
  public short[] flush() {
    if (bank == null) {
      return new short[0];
    }
    long expected = ceilDiv(inputCount * up, down);
    short[] zeros = new short[bank.taps + 1];
    short[] tail = run(zeros, zeros.length, expected - outputCount);
    reset();
    return tail;
  }

  private void reset() {
    inputCount = 0;
    outputCount = 0;
    if (bank != null) {
      Arrays.fill(work, 0f);
      // First output (j = 0) sits at virtual time c: aligned with input sample 0.
      nextBase = bank.centre / up;
      nextPhase = bank.centre % up;
    }
  }

  private short[] run(short[] in, int n, long maxOut) {
    final int k = bank.taps;
    final int hist = k - 1;
    if (work.length < hist + n) {
      work = Arrays.copyOf(work, hist + n);
    }
    final float[] x = work;
    for (int i = 0; i < n; i++) {
      x[hist + i] = in[i];
    }
    // outputs with base < n can be computed now
    long available = 0;
    if (nextBase < n) {
      // count j >= 0 with base_j < n where base advances by (phase + j*M)/L
      long span = (n - 1 - nextBase) * up + (up - 1 - nextPhase); // virtual samples left
      available = span / down + 1;
    }
    int count = (int) Math.min(available, maxOut);
    short[] out = new short[Math.max(count, 0)];
    final float[] coeffs = bank.coeffs;
    long base = nextBase;
    int phase = nextPhase;
    for (int j = 0; j < count; j++) {
      int xStart = (int) base; // x[xStart .. xStart+k-1] = inputs base-(k-1) .. base
      int cStart = phase * k;
      double acc = 0;
      for (int t = 0; t < k; t++) {
        acc += coeffs[cStart + t] * x[xStart + t];
      }
      out[j] = clip(acc);
      phase += down;
      base += phase / up;
      phase %= up;
    }
    outputCount += count;
    // when capped (flush) the stream ends here and the caller resets the state anyway
    nextBase = base - n;
    nextPhase = phase;
    // keep the last K-1 inputs as history
    System.arraycopy(x, n, x, 0, hist);
    return out;
  }

  private static short clip(double v) {
    long r = Math.round(v);
    if (r > Short.MAX_VALUE) {
      return Short.MAX_VALUE;
    }
    if (r < Short.MIN_VALUE) {
      return Short.MIN_VALUE;
    }
    return (short) r;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** Polyphase coefficients; branch p holds h[p + (K-1-t)·L] at index p·K + t (time-reversed). */
  static final class FilterBank {
    final int taps;
    final int centre;
    final float[] coeffs;
    final double beta;

    private FilterBank(int taps, int centre, float[] coeffs, double beta) {
      this.taps = taps;
      this.centre = centre;
      this.coeffs = coeffs;
      this.beta = beta;
    }

    static FilterBank design(int up, int down) {
      return design(up, down, Quality.TRANSPARENT);
    }

    static FilterBank design(int up, int down, Quality quality) {
      int r = Math.max(up, down);
      double nyquist = 0.5 / r; // lower Nyquist in cycles per virtual sample
      double transition = (quality.stopband - quality.passband) * nyquist;
      double cutoff = 0.5 * (quality.stopband + quality.passband) * nyquist;
      double a = quality.attenuationDb;
      double beta = a > 50 ? 0.1102 * (a - 8.7) : 0.5842 * Math.pow(a - 21, 0.4) + 0.07886 * (a - 21);
      // Kaiser's estimate of the length for this attenuation and transition width
      int length = (int) Math.ceil((a - 7.95) / (14.357 * transition)) + 1;
      int taps = (length + up - 1) / up;
      int total = taps * up;
      // odd-length symmetric prototype so the delay is a whole number of virtual samples
      int centre = (total - 1) / 2;
      double[] h = new double[total];
      double i0Beta = besselI0(beta);
      for (int i = 0; i <= 2 * centre; i++) {
        double m = i - centre;
        double ratio = m / centre;
        double w = besselI0(beta * Math.sqrt(Math.max(0, 1 - ratio * ratio))) / i0Beta;
        h[i] = 2 * cutoff * sinc(2 * cutoff * m) * w;
      }
      // DC gain of each branch ≈ 1: the prototype's total gain is L
      double sum = 0;
      for (double v : h) {
        sum += v;
      }
      double scale = up / sum;
      float[] coeffs = new float[total];
      for (int p = 0; p < up; p++) {
        for (int t = 0; t < taps; t++) {
          coeffs[p * taps + t] = (float) (h[p + (taps - 1 - t) * up] * scale);
        }
      }
      return new FilterBank(taps, centre, coeffs, beta);
    }

    private static double sinc(double x) {
      if (x == 0) {
        return 1;
      }
      double px = Math.PI * x;
      return Math.sin(px) / px;
    }

    /** Modified Bessel function of the first kind, order 0 (power series). */
    private static double besselI0(double x) {
      double sum = 1;
      double term = 1;
      double half = x / 2;
      for (int k = 1; k < 200; k++) {
        term *= (half / k) * (half / k);
        sum += term;
        if (term < sum * 1e-17) {
          break;
        }
      }
      return sum;
    }
  }
}
