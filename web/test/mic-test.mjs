// Browser test of the web client's microphone, in Debian's Chromium driven headless by
// playwright-core, with Chromium's fake capture device playing a WAV file as the user's voice.
// Run by gateway/src/test/java/io/voicegateway/gateway/WebMicrophoneIT.java against a real
// gateway and a mock-440hz worker (0.5 s of tone per text):
//
//   node web/test/mic-test.mjs <page URL> <work directory for the WAV files>
//
// The speech is made here, at test time, with espeak-ng (nothing is committed): espeak's own
// leading and trailing near-silence is cut off, the speech is brought from espeak's 22.05 kHz to
// 48 kHz (linear interpolation; its faint images above 11 kHz are nothing to a VAD that hears
// 16 kHz) and padded with silence, and the file is written as 48 kHz mono 16-bit PCM (Chromium's
// fake capture device also takes other rates: it converts). Chromium loops it.
//
//   A. The agent speaks 16 texts (8 s); 1.5 s into the microphone the user says a sentence over
//      it: the page gets speech_started, clear, interruption_started, interruption_confirmed and
//      the utterances end "interrupted"; the page goes silent and stays so. Barge-in can be
//      switched off and on. The connection drops and the session is resumed: the microphone goes
//      on and the gateway hears the user again (the file loops). Turning the microphone off stops
//      its tracks and its frames.
//   B. The page captures at 44.1 kHz (?mic_context_rate=44100), so the worklet resamples to
//      16 kHz and the page declares it with `listen`. Over the agent the user only says "yes"
//      (about 0.25 s): interruption_started, then false_interruption, and every utterance ends
//      "completed" with all its frames.
//
// Waits are on conditions, with generous timeouts (a loaded 2-core machine must pass); the times
// the page measured are printed, not asserted. Output: "RESULT <json>" and exit code 0, or
// "FAIL <reason>" and exit code 1.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [url, workDir] = process.argv.slice(2);
if (!url || !workDir) {
  console.log('FAIL usage: node web/test/mic-test.mjs <page URL> <work directory>');
  process.exit(1);
}
mkdirSync(workDir, { recursive: true });

const RATE = 48000;
const LEAD_MS = 1500; // silence before the speech in each file
const MOCK_FRAMES = 25; // mock-440hz: 0.5 s of tone per text
const WAIT = 30000;
const result = {};

function fail(reason) {
  console.log(`FAIL ${reason}`);
  process.exit(1);
}

function check(ok, what) {
  if (!ok) fail(what);
}

// ------------------------------------------------------------------ the speech files

function readWav(path) {
  const b = readFileSync(path);
  check(b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WAVE', `${path} is a WAV file`);
  let offset = 12;
  let fmt = null;
  let data = null;
  while (offset + 8 <= b.length) {
    const id = b.toString('ascii', offset, offset + 4);
    let size = b.readUInt32LE(offset + 4);
    // espeak-ng writing to a pipe leaves the sizes unset; a file has them, but be lenient
    if (id === 'data' && offset + 8 + size > b.length) size = b.length - offset - 8;
    if (id === 'fmt ') {
      fmt = { format: b.readUInt16LE(offset + 8), channels: b.readUInt16LE(offset + 10),
        rate: b.readUInt32LE(offset + 12), bits: b.readUInt16LE(offset + 22) };
    }
    if (id === 'data') data = b.subarray(offset + 8, offset + 8 + size);
    offset += 8 + size + (size & 1);
  }
  check(fmt && data && fmt.format === 1 && fmt.channels === 1 && fmt.bits === 16,
    `${path}: mono 16-bit PCM, got ${JSON.stringify(fmt)}`);
  const samples = new Int16Array(data.length >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(2 * i);
  return { rate: fmt.rate, samples };
}

function writeWav(path, samples, rate) {
  const b = Buffer.alloc(44 + samples.length * 2);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + samples.length * 2, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16); // fmt chunk size
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28); // bytes per second
  b.writeUInt16LE(2, 32); // block align
  b.writeUInt16LE(16, 34); // bits per sample
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i], 44 + 2 * i);
  writeFileSync(path, b);
}

/** Without espeak's near-silence before and after the speech (threshold about -36 dBFS). */
function trimmed(samples) {
  const threshold = 500;
  let from = 0;
  while (from < samples.length && Math.abs(samples[from]) < threshold) from++;
  let to = samples.length;
  while (to > from && Math.abs(samples[to - 1]) < threshold) to--;
  return samples.subarray(from, to);
}

/** Linear interpolation from `from` Hz up to `to` Hz (espeak's 22 050 → 48 000). */
function upsample(samples, from, to) {
  check(to >= from, `upsampling only (${from} → ${to})`);
  const n = Math.floor(((samples.length - 1) * to) / from) + 1;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const x = (i * from) / to;
    const k = Math.floor(x);
    const f = x - k;
    const a = samples[k];
    const b = k + 1 < samples.length ? samples[k + 1] : a;
    out[i] = Math.round(a + (b - a) * f);
  }
  return out;
}

/** espeak-ng says `text`; the file is LEAD_MS of silence, the speech, `tailMs` of silence. */
function speechFile(name, text, wordsPerMinute, tailMs) {
  const raw = join(workDir, `${name}-espeak.wav`);
  try {
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', String(wordsPerMinute), '-w', raw, text],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
  } catch (err) {
    fail(`espeak-ng is needed (the Debian package espeak-ng): ${err.message}`);
  }
  const spoken = readWav(raw);
  const speech = upsample(trimmed(spoken.samples), spoken.rate, RATE);
  const lead = Math.round((RATE * LEAD_MS) / 1000);
  const out = new Int16Array(lead + speech.length + Math.round((RATE * tailMs) / 1000));
  out.set(speech, lead);
  const path = join(workDir, `${name}.wav`);
  writeWav(path, out, RATE);
  return { path, speechMs: Math.round((speech.length * 1000) / RATE), loopMs: Math.round((out.length * 1000) / RATE) };
}

// ------------------------------------------------------------------ the browser

async function launch(wavPath) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--autoplay-policy=no-user-gesture-required',
      '--no-sandbox',
      '--disable-background-networking',
      '--use-fake-ui-for-media-stream', // allow the microphone without asking
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wavPath}`,
    ],
  });
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // Keep every stream the page opens, to see that turning the microphone off stops its tracks.
  await page.addInitScript(() => {
    window.__streams = [];
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      window.__streams.push(stream);
      return stream;
    };
  });
  return { browser, page, consoleErrors };
}

async function waitFor(page, what, fn, arg, timeout = WAIT) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 50 });
  } catch {
    const events = await page.evaluate(() => window.voicegw?.events
      .filter((e) => e.type !== 'utterance_start').map((e) => e.type + (e.reason ? `:${e.reason}` : '')));
    fail(`${what} (within ${timeout / 1000} s); events: ${JSON.stringify(events)}`);
  }
}

/** The events' types, with utterance_end's reason. */
const typesOf = (events) => events.map((e) => (e.type === 'utterance_end' ? `utterance_end:${e.reason}` : e.type));

async function connectAndSpeak(page, pageUrl, texts, prefix) {
  await page.goto(pageUrl);
  await waitFor(page, 'the page connects', () => window.voicegw?.state === 'connected');
  check(await page.locator('#mic').isEnabled(), 'the Microphone button is enabled once connected');
  const note = await page.locator('#mic-note').textContent();
  check(!/does not accept/.test(note), `the "does not accept microphone audio" note is gone: ${note}`);
  check(await page.locator('#barge-in').isEnabled() && await page.locator('#barge-in').isChecked(),
    'the Barge-in box is enabled and checked (the gateway\'s default)');
  const ids = await page.evaluate(({ n, prefix }) => {
    const out = [];
    for (let i = 1; i <= n; i++) out.push(window.voicegw.speak(`${prefix} sentence ${i}`));
    return out;
  }, { n: texts, prefix });
  check(ids.every((id) => id), `all ${texts} texts were sent: ${JSON.stringify(ids)}`);
  await waitFor(page, 'the agent is heard', () => window.voicegw.level() > 0.01, null, 15000);
  return ids;
}

async function micOn(page) {
  await page.click('#mic');
  await waitFor(page, 'the microphone is on and frames go out',
    () => window.voicegw.mic.on && window.voicegw.mic.framesSent > 5, null, 15000);
  check(await page.locator('#mic').getAttribute('aria-pressed') === 'true', 'the button shows it pressed');
}

/**
 * The times the page measured, from when the frame holding the speech onset was sent; with
 * `silenced`, the playback's last turn to silence was the interruption's.
 */
async function measure(page, fileOnsetMs, silenced) {
  return page.evaluate(({ fileOnsetMs, silenced }) => {
    const v = window.voicegw;
    const first = (type) => v.events.find((e) => e.type === type);
    const started = first('speech_started');
    const sentAt = started ? v.micSentAt(started.onset_ms) : null;
    const since = (e) => (e && sentAt !== null ? Math.round(e.at - sentAt) : null);
    const out = {
      // where the gateway put the onset in the input audio (the file's onset is LEAD_MS in,
      // counted from when the capture started; the first frames sent lag that a little)
      onsetMs: started?.onset_ms ?? null,
      heardMs: started?.heard_ms ?? null,
      fileOnsetMs,
      onsetToSpeechStartedMs: since(started),
      onsetToClearMs: since(first('clear')),
      onsetToInterruptionStartedMs: since(first('interruption_started')),
      onsetToInterruptionConfirmedMs: since(first('interruption_confirmed')),
      onsetToFalseInterruptionMs: since(first('false_interruption')),
      onsetToUserTurnEndMs: since(first('user_turn_end')),
    };
    const clear = first('clear');
    if (silenced && clear && v.audio.silentSince !== null) {
      out.clearToSilentMs = Math.round(v.audio.silentSince - clear.at);
    }
    for (const k of Object.keys(out)) if (out[k] === null) delete out[k];
    return out;
  }, { fileOnsetMs, silenced });
}

// ------------------------------------------------------------------ A: the user interrupts

async function scenarioA() {
  const file = speechFile('interrupt', 'Could you please stop for a moment', 150, 15000);
  result.a = { speechMs: file.speechMs, loopMs: file.loopMs };
  check(file.speechMs > 1000 && file.speechMs < 4000, `the sentence lasts about 2 s: ${file.speechMs} ms`);
  const { browser, page, consoleErrors } = await launch(file.path);
  try {
    const ids = await connectAndSpeak(page, url, 16, 'a');
    await micOn(page);
    const mic = await page.evaluate(() => window.voicegw.mic);
    check(mic.rate === 48000 && !mic.resampled, `48 kHz frames from the player's context: ${JSON.stringify(mic)}`);
    check(await page.evaluate(() => window.voicegw.inputRate) === 48000, 'the gateway hears 48 kHz');

    await waitFor(page, 'the microphone\'s meter moves with the speech', () => window.voicegw.micLevel() > 0.01);
    await waitFor(page, 'the page shows the user speaking',
      () => window.voicegw.talking.user === 'speaking');
    await waitFor(page, 'interruption_confirmed',
      () => window.voicegw.events.some((e) => e.type === 'interruption_confirmed'));
    await waitFor(page, 'every utterance ended',
      (ids) => ids.every((id) => window.voicegw.events.some((e) => e.type === 'utterance_end' && e.id === id)),
      ids);
    const events = await page.evaluate(() => window.voicegw.events);
    const order = typesOf(events).filter((t) => t !== 'utterance_start' && t !== 'utterance_end:completed');
    const at = order.indexOf('speech_started');
    check(at >= 0, `speech_started came: ${order}`);
    check(JSON.stringify(order.slice(at, at + 5)) === JSON.stringify(
      ['speech_started', 'clear', 'interruption_started', 'interruption_confirmed', 'utterance_end:interrupted']),
    `speech_started, clear, interruption_started, interruption_confirmed, utterance_end interrupted: ${order}`);
    const ends = events.filter((e) => e.type === 'utterance_end');
    const interrupted = ends.filter((e) => e.reason === 'interrupted').length;
    check(interrupted >= 1 && ends.every((e) => e.reason === 'interrupted' || e.reason === 'completed'),
      `utterances end completed or interrupted, some interrupted: ${ends.map((e) => e.reason)}`);
    result.a.interrupted = interrupted;
    result.a.completed = ends.length - interrupted;

    // the agent stops: the page goes silent, and stays so
    await waitFor(page, 'playback goes silent after the interruption',
      () => window.voicegw.audio.silentSince !== null && window.voicegw.level() < 0.001, null, 10000);
    const quiet = await page.evaluate(async () => {
      const frames = window.voicegw.framesReceived;
      let loudest = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 1500) {
        loudest = Math.max(loudest, window.voicegw.level());
        await new Promise((r) => setTimeout(r, 20));
      }
      return { loudest, framesAfter: window.voicegw.framesReceived - frames };
    });
    check(quiet.loudest < 0.001 && quiet.framesAfter === 0,
      `silent for 1.5 s after the interruption: ${JSON.stringify(quiet)}`);
    check(await page.locator('#queue li[data-state="interrupted"]').count() === interrupted,
      'the interrupted utterances show as interrupted');
    const log = await page.locator('#turns').textContent();
    check(/You started speaking/.test(log) && /Interruption confirmed/.test(log),
      `the conversation log shows the speech and the interruption: ${log}`);
    check(await page.evaluate(() => window.voicegw.talking.agent) !== 'speaking',
      'the agent no longer shows as speaking');

    await waitFor(page, 'user_turn_end', () => window.voicegw.events.some((e) => e.type === 'user_turn_end'));
    await waitFor(page, 'the page shows the user silent again',
      () => window.voicegw.talking.user === 'listening');
    result.a.measured = await measure(page, LEAD_MS, true);
    if (process.env.MIC_TEST_SCREENSHOT) {
      await page.screenshot({ path: process.env.MIC_TEST_SCREENSHOT, fullPage: true });
    }

    // barge-in off and on again, with the checkbox
    await page.click('#barge-in');
    await waitFor(page, 'listening with barge-in off', () => window.voicegw.bargeIn === false
      && window.voicegw.events.some((e) => e.type === 'listening' && e.barge_in === false));
    await page.click('#barge-in');
    await waitFor(page, 'listening with barge-in on', () => window.voicegw.bargeIn === true);

    // the connection drops: the session is resumed and the microphone goes on working; the
    // file loops, so the gateway hears the user again
    const before = await page.evaluate(() => ({ id: window.voicegw.sessionId, n: window.voicegw.events.length }));
    await page.evaluate(() => { window.voicegw.disconnect(); window.voicegw.connect(); });
    await waitFor(page, 'the session is resumed', (id) => window.voicegw.state === 'connected'
      && window.voicegw.resumes === 1 && window.voicegw.sessionId === id, before.id);
    check(await page.evaluate(() => window.voicegw.mic.on), 'the microphone is still on after the resume');
    await waitFor(page, 'the gateway hears the user again after the resume (the file loops)',
      (n) => window.voicegw.events.slice(n).some((e) => e.type === 'speech_started'), before.n,
      file.loopMs + WAIT);
    result.a.heardAfterResume = true;

    // the microphone off: its tracks stop and nothing more is sent
    await page.click('#mic');
    const off = await page.evaluate(async () => {
      const sent = window.voicegw.mic.framesSent;
      await new Promise((r) => setTimeout(r, 500));
      return {
        on: window.voicegw.mic.on,
        more: window.voicegw.mic.framesSent - sent,
        live: window.__streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState !== 'ended').length,
        pressed: document.querySelector('#mic').getAttribute('aria-pressed'),
      };
    });
    check(!off.on && off.more === 0 && off.live === 0 && off.pressed === 'false',
      `the microphone off: no frames, no live track: ${JSON.stringify(off)}`);
    result.a.framesSent = await page.evaluate(() => window.voicegw.mic.framesSent);
    result.a.consoleErrors = [...consoleErrors];
    check(consoleErrors.length === 0, `no errors in the page: ${consoleErrors}`);
  } finally {
    await browser.close();
  }
}

// ------------------------------------------------------------------ B: a false interruption

async function scenarioB() {
  const file = speechFile('yes', 'yes', 220, 15000);
  result.b = { speechMs: file.speechMs, loopMs: file.loopMs };
  check(file.speechMs < 450, `"yes" is shorter than min-interruption (500 ms): ${file.speechMs} ms`);
  const { browser, page, consoleErrors } = await launch(file.path);
  try {
    const pageUrl = new URL(url);
    pageUrl.searchParams.set('mic_context_rate', '44100');
    const ids = await connectAndSpeak(page, pageUrl.toString(), 12, 'b');
    await micOn(page);
    const mic = await page.evaluate(() => window.voicegw.mic);
    check(mic.contextRate === 44100 && mic.rate === 16000 && mic.resampled,
      `captured at 44.1 kHz and resampled to 16 kHz: ${JSON.stringify(mic)}`);
    await waitFor(page, 'the gateway answers the listen with 16 kHz',
      () => window.voicegw.events.some((e) => e.type === 'listening' && e.input_audio?.sample_rate === 16000)
        && window.voicegw.inputRate === 16000);

    await waitFor(page, 'interruption_started',
      () => window.voicegw.events.some((e) => e.type === 'interruption_started'));
    await waitFor(page, 'the page shows the agent paused by the user',
      () => window.voicegw.talking.agent === 'interrupted'
        || window.voicegw.events.some((e) => e.type === 'false_interruption'));
    await waitFor(page, 'false_interruption',
      () => window.voicegw.events.some((e) => e.type === 'false_interruption'));
    await waitFor(page, 'every utterance ended',
      (ids) => ids.every((id) => window.voicegw.events.some((e) => e.type === 'utterance_end' && e.id === id)),
      ids);
    const events = await page.evaluate(() => window.voicegw.events);
    const order = typesOf(events).filter((t) => t !== 'utterance_start' && t !== 'utterance_end:completed');
    const started = order.indexOf('interruption_started');
    check(started > 0 && order[started - 1] === 'clear' && order.indexOf('false_interruption') > started
      && !order.includes('interruption_confirmed'),
    `clear, interruption_started, then false_interruption and no confirmation: ${order}`);
    const ends = events.filter((e) => e.type === 'utterance_end');
    check(ends.length === ids.length && ends.every((e) => e.reason === 'completed' && e.frames === MOCK_FRAMES),
      `every utterance completed with its ${MOCK_FRAMES} frames: ${JSON.stringify(ends.map((e) => [e.id, e.reason, e.frames]))}`);
    const log = await page.locator('#turns').textContent();
    check(/False interruption/.test(log), `the conversation log shows the false interruption: ${log}`);
    check(await page.locator('#queue li[data-state="completed"]').count() === ids.length,
      'every utterance shows as completed');
    // the agent went on: played samples cover all of it (clear dropped what was buffered; the
    // gateway sent it again)
    await waitFor(page, 'playback ends', () => window.voicegw.audio.silentSince !== null
      && window.voicegw.level() < 0.001, null, 15000);
    result.b.playedMs = await page.evaluate(() => Math.round(window.voicegw.audio.playedSamples / 48));
    result.b.measured = await measure(page, LEAD_MS, false);
    result.b.interruption = events.filter((e) => e.type === 'interruption_started')
      .map((e) => ({ id: e.id, framesPlayed: e.frames_played }))[0];
    result.b.consoleErrors = [...consoleErrors];
    check(consoleErrors.length === 0, `no errors in the page: ${consoleErrors}`);
  } finally {
    await browser.close();
  }
}

await scenarioA();
await scenarioB();
console.log(`RESULT ${JSON.stringify(result)}`);
