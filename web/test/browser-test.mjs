// Browser test of the web client, in Debian's Chromium driven headless by playwright-core.
// Run by gateway/src/test/java/io/voicegateway/gateway/WebClientIT.java against a real gateway:
//
//   node web/test/browser-test.mjs <page URL> <screenshot PNG path>
//
// It talks to the Java side on stdout/stdin: it prints "READY_FOR_RESTART" when the gateway may be
// restarted and waits for a line "RESTARTED"; it ends with one line "RESULT <json>" and exit code 0,
// or prints "FAIL <reason>" and exits 1. Every check names what it expected and what it saw.
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

const [url, screenshotPath] = process.argv.slice(2);
const stdin = createInterface({ input: process.stdin });
const lines = stdin[Symbol.asyncIterator]();
const result = {};

function fail(reason) {
  console.log(`FAIL ${reason}`);
  process.exit(1);
}

function check(ok, what) {
  if (!ok) fail(what);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--autoplay-policy=no-user-gesture-required', '--no-sandbox'],
});
try {
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  // -- the page loads and connects
  await page.goto(url);
  await page.waitForFunction(() => window.voicegw?.state === 'connected', null, { timeout: 15000 })
    .catch(() => fail('the page did not reach state "connected" within 15 s'));
  const firstSession = await page.evaluate(() => window.voicegw.sessionId);
  check(/^ws-[0-9a-f]{12}$/.test(firstSession ?? ''), `a session id, got ${firstSession}`);
  check(await page.locator('#status').getAttribute('data-state') === 'connected', '#status says connected');
  for (const id of ['#text', '#speak', '#pause', '#resume', '#stop', '#mic', '#barge-in', '#queue',
    '#meter', '#mic-meter', '#turns']) {
    check(await page.locator(id).count() === 1, `element ${id} exists`);
  }
  // the gateway takes the user's audio (session_start has input_audio): the toggle is usable
  // (web/test/mic-test.mjs tests the microphone itself)
  check(await page.locator('#mic').isEnabled(), 'the microphone toggle is enabled: the gateway takes audio');
  check(await page.locator('#mic').getAttribute('aria-pressed') === 'false', 'the microphone starts off');
  const textLabel = await page.evaluate(() => {
    const t = document.querySelector('#text');
    return t.labels?.[0]?.textContent?.trim() || t.getAttribute('aria-label') || '';
  });
  check(textLabel.length > 0, 'the text box is labelled for screen readers');

  // -- Speak from the keyboard produces audible audio in the page
  await page.focus('#text');
  await page.keyboard.type('Hello from the browser.');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.voicegw.level() > 0.01, null, { timeout: 10000 })
    .catch(() => fail('no audible level on the AnalyserNode within 10 s of Speak'));
  result.speakLevel = await page.evaluate(() => window.voicegw.level());
  await page.waitForFunction(() => document.querySelector('#queue li[data-state="completed"]'),
    null, { timeout: 15000 }).catch(() => fail('the utterance never showed as completed'));
  // utterance_end comes with the last frame sent; the page plays ~0.1 s behind (lead + jitter buffer)
  await page.waitForFunction(() => window.voicegw.audio.silentSince !== null, null, { timeout: 5000 })
    .catch(() => fail('playback never went silent after the utterance'));
  result.playedSamples = await page.evaluate(() => window.voicegw.audio.playedSamples);
  check(result.playedSamples >= 0.4 * 48000,
    `about 0.5 s of the 440 Hz mock played, got ${result.playedSamples} samples`);
  const firstAudio = await page.locator('#queue li').first().getAttribute('data-first-audio-ms');
  check(firstAudio !== null && Number(firstAudio) > 0, `a first-audio latency is shown, got ${firstAudio}`);
  result.firstAudioMs = Number(firstAudio);

  // -- Stop silences the page within 100 ms
  await page.fill('#text', 'Interrupt me.');
  await page.click('#speak');
  await page.waitForFunction(() => window.voicegw.audio.silentSince === null
    && window.voicegw.level() > 0.01, null, { timeout: 10000 })
    .catch(() => fail('the second utterance did not start sounding'));
  result.stopMs = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('#stop').click();
    while (!(window.voicegw.audio.silentSince !== null && window.voicegw.audio.silentSince >= t0)) {
      if (performance.now() - t0 > 2000) return -1;
      await new Promise((r) => setTimeout(r, 2));
    }
    return window.voicegw.audio.silentSince - t0;
  });
  check(result.stopMs >= 0 && result.stopMs < 100, `silent within 100 ms of Stop, took ${result.stopMs} ms`);
  await page.waitForFunction(() => document.querySelector('#queue li[data-state="stopped"]'),
    null, { timeout: 5000 }).catch(() => fail('the stopped utterance never showed as stopped'));
  await page.waitForTimeout(300);
  check(await page.evaluate(() => window.voicegw.level()) < 0.001, 'still silent after Stop');

  if (screenshotPath) await page.screenshot({ path: screenshotPath, fullPage: true });
  // before the restart: a dropped WebSocket is logged as an error by Chromium itself
  result.consoleErrors = [...consoleErrors];

  // -- the gateway restarts: the page reconnects on its own and speaks again
  console.log('READY_FOR_RESTART');
  const reply = await lines.next();
  check(reply.value === 'RESTARTED', `the test harness restarted the gateway, said ${reply.value}`);
  // the restarted gateway ended the session with "resumable"; the page resumes the same session
  const sequenceBefore = await page.evaluate(() => window.voicegw.lastSequence);
  await page.waitForFunction((old) => window.voicegw.state === 'connected'
    && window.voicegw.resumes >= 1 && window.voicegw.sessionId === old, firstSession,
  { timeout: 20000 })
    .catch(() => fail('the page did not reconnect and resume its session within 20 s'));
  result.reconnected = true;
  result.resumedSession = await page.evaluate(() => window.voicegw.sessionId);
  await page.fill('#text', 'Back again.');
  await page.press('#text', 'Enter');
  await page.waitForFunction(() => window.voicegw.level() > 0.01, null, { timeout: 10000 })
    .catch(() => fail('no audio after the reconnect'));
  await page.waitForFunction((before) => window.voicegw.lastSequence > before, sequenceBefore,
    { timeout: 10000 }).catch(() => fail('the sequence did not go on after the resume'));

  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  await browser.close();
  stdin.close();
}
