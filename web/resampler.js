// Sample-rate conversion of the microphone, for a capture context whose rate the gateway does not
// take (44.1 kHz, 22.05 kHz, 96 kHz, …). Used inside the AudioWorklet (mic-worklet.js); no DOM.
//
// Downsampling (the usual case) is a low-pass, then linear interpolation:
//   1. a linear-phase FIR low-pass at the input rate (windowed sinc, Blackman window, cutoff
//      0.4375 × the output rate, i.e. 7 kHz for 16 kHz out, transition band 6–8 kHz, about
//      -74 dB in the stop band), so that nothing above the output's Nyquist frequency folds back;
//   2. each output sample is read off the filtered signal at its exact position (kept as an
//      integer index plus a remainder in 1/outRate steps, so it never drifts) by linear
//      interpolation between the two filtered samples around it. With an integer ratio
//      (48 → 16 kHz, 96 → 16 kHz) the remainder is always 0 and this is plain decimation.
// The filter is evaluated only where an output needs it, not at every input sample.
// Upsampling (an input rate below the output rate, e.g. 11.025 kHz) needs no low-pass and is
// linear interpolation alone.

/** Odd-length low-pass FIR taps (unity gain at DC) for `inRate` → `outRate`. */
export function lowPassTaps(inRate, outRate) {
  const cutoff = (0.4375 * outRate) / inRate; // cycles per input sample
  const transition = outRate / 8 / inRate; // 2 kHz at 16 kHz out
  let n = Math.ceil(5.5 / transition); // Blackman: transition ≈ 5.5 / N
  if (n % 2 === 0) n += 1;
  const taps = new Float32Array(n);
  const half = (n - 1) / 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = i - half;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w =
      0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (n - 1));
    taps[i] = sinc * w;
    sum += taps[i];
  }
  for (let i = 0; i < n; i++) taps[i] /= sum;
  return taps;
}

export class Resampler {
  constructor(inRate, outRate) {
    if (!(inRate > 0 && outRate > 0)) throw new RangeError(`bad rates ${inRate} → ${outRate}`);
    this.inRate = inRate;
    this.outRate = outRate;
    this.taps = inRate > outRate ? lowPassTaps(inRate, outRate) : Float32Array.of(1);
    this.half = (this.taps.length - 1) / 2;
    // Input history: buf[0, len) holds the samples from absolute index `start` on. It starts
    // with `half` zeros before the first sample, so that the centred filter can start at once.
    this.buf = new Float32Array(Math.max(4096, 4 * this.taps.length));
    this.start = -this.half;
    this.len = this.half;
    // Position of the next output sample in the input: pos + rem / outRate.
    this.pos = 0;
    this.rem = 0;
    this.cacheIndex = -Infinity; // the last filtered sample computed, reused by the next output
    this.cacheValue = 0;
  }

  /** Input samples in, as many output samples as they complete out (a new Float32Array). */
  process(input) {
    this.append(input);
    const out = new Float32Array(Math.ceil(((this.len + 2) * this.outRate) / this.inRate) + 2);
    let n = 0;
    const end = this.start + this.len; // first absolute index not yet here
    for (;;) {
      const last = this.pos + (this.rem > 0 ? 1 : 0); // the filtered samples this output needs
      if (last + this.half >= end) break;
      const y0 = this.filtered(this.pos);
      out[n++] =
        this.rem === 0 ? y0 : y0 + (this.filtered(this.pos + 1) - y0) * (this.rem / this.outRate);
      this.rem += this.inRate;
      this.pos += Math.floor(this.rem / this.outRate);
      this.rem %= this.outRate;
    }
    this.discardBefore(this.pos - this.half);
    return out.subarray(0, n);
  }

  /** The low-passed signal at absolute input index `i` (its window is in the buffer). */
  filtered(i) {
    if (i === this.cacheIndex) return this.cacheValue;
    const { taps, buf } = this;
    const from = i - this.half - this.start;
    let acc = 0;
    for (let j = 0; j < taps.length; j++) acc += taps[j] * buf[from + j];
    this.cacheIndex = i;
    this.cacheValue = acc;
    return acc;
  }

  append(input) {
    if (this.len + input.length > this.buf.length) {
      const bigger = new Float32Array(Math.max(2 * this.buf.length, this.len + input.length));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    this.buf.set(input, this.len);
    this.len += input.length;
  }

  discardBefore(index) {
    const drop = index - this.start;
    if (drop <= 0) return;
    this.buf.copyWithin(0, drop, this.len);
    this.len -= drop;
    this.start = index;
  }
}
