// Unit test of web/resampler.js (the microphone's downsampling), in Node:
//   node web/test/resampler-test.mjs
// Prints one line "RESULT <json>" and exits 0, or "FAIL <reason>" and exits 1.
import { Resampler } from '../resampler.js';

function fail(reason) {
  console.log(`FAIL ${reason}`);
  process.exit(1);
}

/** A sine of `freq` Hz at `inRate`, `seconds` long, fed in 128-sample render quanta. */
function run(inRate, outRate, freq, seconds = 1, amplitude = 0.5) {
  const r = new Resampler(inRate, outRate);
  const total = Math.round(inRate * seconds);
  const parts = [];
  for (let at = 0; at < total; at += 128) {
    const block = new Float32Array(Math.min(128, total - at));
    for (let i = 0; i < block.length; i++) {
      block[i] = amplitude * Math.sin((2 * Math.PI * freq * (at + i)) / inRate);
    }
    parts.push(r.process(block));
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return { out, total };
}

/**
 * The sine of `freq` in `x` (at `rate`), fitted over the middle of the signal (a whole number of
 * periods): its amplitude, and the RMS of what is left once it is taken away.
 */
function fitSine(x, rate, freq) {
  const period = rate / freq;
  const from = Math.floor(x.length * 0.2);
  const to = from + Math.floor(Math.floor((x.length * 0.6) / period) * period);
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    re += x[i] * Math.cos((2 * Math.PI * freq * i) / rate);
    im += x[i] * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  re = (2 * re) / (to - from);
  im = (2 * im) / (to - from);
  let rest = 0;
  for (let i = from; i < to; i++) {
    const fit = re * Math.cos((2 * Math.PI * freq * i) / rate) + im * Math.sin((2 * Math.PI * freq * i) / rate);
    rest += (x[i] - fit) ** 2;
  }
  return { amplitude: Math.hypot(re, im), residual: Math.sqrt(rest / (to - from)) };
}

function rms(x) {
  const from = Math.floor(x.length * 0.2);
  const to = Math.floor(x.length * 0.8);
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

const result = {};
for (const inRate of [44100, 48000, 96000, 22050]) {
  const outRate = 16000;
  const pass = run(inRate, outRate, 1000);
  const expected = Math.floor((pass.total * outRate) / inRate);
  if (Math.abs(pass.out.length - expected) > 200) { // the filter's look-ahead holds a few back
    fail(`${inRate} Hz: ${pass.out.length} samples out of ${pass.total}, expected about ${expected}`);
  }
  const { amplitude: a, residual } = fitSine(pass.out, outRate, 1000);
  if (Math.abs(a - 0.5) > 0.01) fail(`${inRate} Hz: a 1 kHz sine of 0.5 came out at ${a}`);
  // residual: what is left apart from the 1 kHz sine (distortion, interpolation error)
  const entry = { samplesOut: pass.out.length, gain1k: +(a / 0.5).toFixed(4),
    residualDb: +(20 * Math.log10(residual / (0.5 / Math.SQRT2) + 1e-12)).toFixed(1) };
  if (inRate > 20000) {
    // 11 kHz is above the output's Nyquist frequency: it must not fold back (to 5 kHz)
    const stop = run(inRate, outRate, 11000);
    const folded = rms(stop.out) / (0.5 / Math.SQRT2);
    entry.alias11kDb = +(20 * Math.log10(folded + 1e-12)).toFixed(1);
    if (entry.alias11kDb > -50) fail(`${inRate} Hz: 11 kHz folds back at ${entry.alias11kDb} dB`);
  }
  if (entry.residualDb > -40) fail(`${inRate} Hz: the 1 kHz sine is distorted (${entry.residualDb} dB)`);
  result[inRate] = entry;
}
console.log(`RESULT ${JSON.stringify(result)}`);
