// The live meters: the waveform of what is playing (or of the microphone), and a level bar under
// it, drawn from an AnalyserNode on every animation frame.

/**
 * The analyser's latest samples, read into `buffer` (a shared array: read, do not keep); null
 * without an analyser.
 * @param {AnalyserNode|null} analyser
 * @param {Float32Array} buffer of the analyser's fftSize
 */
export function analyserWaveform(analyser, buffer) {
  if (!analyser) return null;
  analyser.getFloatTimeDomainData(buffer);
  return buffer;
}

/** RMS (0..1) of the analyser's latest samples, read into `buffer`; 0 without an analyser. */
export function analyserLevel(analyser, buffer) {
  const samples = analyserWaveform(analyser, buffer);
  if (!samples) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {{waveform(): Float32Array|null, level(): number}} player the Player or the Microphone
 */
export function startMeter(canvas, player) {
  const ctx = canvas.getContext('2d');
  let colors = readColors(canvas);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    colors = readColors(canvas);
  });

  // Keep the drawing buffer at the displayed size times the pixel ratio, for crisp lines.
  const fit = () => {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    canvas.height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  };
  new ResizeObserver(fit).observe(canvas);
  fit();

  let shownLevel = 0;
  const draw = () => {
    const { width, height } = canvas;
    const barHeight = Math.max(4, Math.round(height * 0.12));
    const waveHeight = height - barHeight - Math.round(height * 0.06);
    ctx.clearRect(0, 0, width, height);

    // Centre line, then the waveform.
    ctx.fillStyle = colors.grid;
    ctx.fillRect(0, Math.round(waveHeight / 2), width, 1);
    const samples = player.waveform();
    if (samples) {
      ctx.strokeStyle = colors.wave;
      ctx.lineWidth = Math.max(1, (window.devicePixelRatio || 1) * 1.5);
      ctx.beginPath();
      const step = samples.length / width;
      for (let x = 0; x < width; x++) {
        const s = samples[Math.floor(x * step)];
        const y = (0.5 - s * 0.5) * waveHeight;
        if (x === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
    }

    // Level bar: RMS on a dB scale from -60 dB to 0 dB, falling back gently.
    const rms = player.level();
    const db = rms > 0 ? 20 * Math.log10(rms) : -Infinity;
    const target = Math.min(1, Math.max(0, (db + 60) / 60));
    shownLevel = target > shownLevel ? target : shownLevel * 0.8 + target * 0.2;
    if (shownLevel < 0.002) shownLevel = 0;
    ctx.fillStyle = colors.grid;
    ctx.fillRect(0, height - barHeight, width, barHeight);
    ctx.fillStyle = colors.level;
    ctx.fillRect(0, height - barHeight, Math.round(width * shownLevel), barHeight);

    requestAnimationFrame(draw);
  };
  requestAnimationFrame(draw);
}

function readColors(el) {
  const style = getComputedStyle(el);
  const get = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    wave: get('--meter-wave', '#2f6f8f'),
    level: get('--meter-level', '#4c9a6a'),
    grid: get('--meter-grid', '#e3e7ea'),
  };
}
