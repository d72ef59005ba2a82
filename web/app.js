// Voice Gateway browser client: wires the connection, the player, the utterance list and the
// page together, and exposes `window.voicegw` for tests and debugging.

import {
  resolveGatewayUrl,
  messages,
  decodeBinaryAudio,
  decodeJsonAudio,
  SAMPLE_RATE,
} from './protocol.js';
import { Connection } from './connection.js';
import { Player } from './player.js';
import { UtteranceList } from './queue.js';
import { startMeter } from './meter.js';

const $ = (id) => document.getElementById(id);
const el = {
  form: $('speak-form'),
  text: $('text'),
  speak: $('speak'),
  pause: $('pause'),
  resume: $('resume'),
  stop: $('stop'),
  status: $('status'),
  statusDetail: $('status-detail'),
  session: $('session'),
  notice: $('notice'),
  queue: $('queue'),
  errors: $('errors'),
  meter: $('meter'),
  playback: $('playback'),
  audioNote: $('audio-note'),
  figFrames: $('fig-frames'),
  figSequence: $('fig-sequence'),
  figBuffered: $('fig-buffered'),
  figContext: $('fig-context'),
};

const MAX_ERRORS_SHOWN = 20;
// After Stop, audio still on its way is dropped until the gateway's `clear` confirms the stop;
// if no `clear` comes (an older gateway), audio plays again after this long.
const DISCARD_AFTER_STOP_MS = 1000;

// ------------------------------------------------------------------ state

let gatewayUrlProblem = null;
const gatewayUrl = (() => {
  try {
    return resolveGatewayUrl(window.location);
  } catch (err) {
    // A bad `?gateway=` must not leave a dead page: use the default and say so.
    gatewayUrlProblem = `The gateway parameter was ignored: ${err.message}`;
    const { host, protocol, href } = window.location;
    return resolveGatewayUrl({ search: '', host, protocol, href });
  }
})();
const session = {
  id: null,
  protocolVersion: null,
  transport: null,
  resumeToken: null, // only when the gateway offers resumption
  lastSequence: 0,
  endReason: null, // reason of the last session_end
};
const stats = { framesReceived: 0, badFrames: 0, bufferedSamples: 0, resumes: 0 };
// Timing of what the worklet outputs (performance.now() values, stamped as reports arrive).
const audio = { lastSoundAt: null, silentSince: null, playedSamples: 0 };
let paused = false;
let nextUtterance = 1;
// The texts sent in this session, in order: after a resume, those past the session's `accepted`
// count never reached it (they were in flight when the connection broke) and are sent again.
let sentTexts = [];
let discardAudio = false;
let discardTimer = null;
// {sessionId, resumeToken, lastSequence} of a dropped session to reattach to; see "Session
// resumption" below.
let resumeFrom = null;

const utterances = new UtteranceList(el.queue);
const player = new Player({ onStats: onPlayerStats });
const connection = new Connection(gatewayUrl, {
  onState: showConnectionState,
  onText: onServerMessage,
  onBinary: (buffer, receivedAt) => onAudio(decodeBinaryAudio(buffer), receivedAt),
  onClose: onConnectionClosed,
});

// ------------------------------------------------------------------ server messages

function onServerMessage(msg, receivedAt) {
  switch (msg.type) {
    case 'session_start':
      onSessionStart(msg);
      break;
    case 'session_resumed':
      onSessionResumed(msg);
      break;
    case 'audio':
      onAudio(decodeJsonAudio(msg), receivedAt);
      break;
    case 'utterance_start':
      utterances.start(String(msg.id));
      break;
    case 'utterance_end':
      utterances.end(String(msg.id), msg.reason, Number(msg.frames));
      break;
    case 'paused':
      setPaused(true);
      break;
    case 'resumed':
      setPaused(false);
      break;
    case 'clear':
      // STOP: drop what is buffered. The gateway also leaves a paused session unpaused after a
      // STOP (without a `resumed`), so playback is unpaused here too.
      player.clear();
      setPaused(false);
      stopDiscarding();
      break;
    case 'worker_changed':
      utterances.note(String(msg.id), 'worker changed');
      break;
    case 'error':
      showError(String(msg.code || 'INTERNAL_ERROR'), String(msg.message ?? ''), 'gateway');
      if (msg.code === 'UNAUTHORIZED' && resumeFrom) { // a resume was refused: a new session
        resumeFrom = null;
        sentTexts = [];
      }
      break;
    case 'session_end':
      session.endReason = String(msg.reason ?? '');
      break;
    default:
      // Unknown types are ignored, as the protocol asks (they are additive extensions).
      break;
  }
}

function onSessionStart(msg) {
  session.id = String(msg.session_id);
  session.protocolVersion = Number.isInteger(msg.protocol_version) ? msg.protocol_version : 1;
  session.transport = msg.audio?.transport ?? 'json';
  session.resumeToken = typeof msg.resume_token === 'string' ? msg.resume_token : null;
  session.endReason = null;
  // A new session: nothing of the old one is worth playing, and it starts unpaused.
  session.lastSequence = 0;
  if (!resumeFrom) sentTexts = [];
  player.clear();
  setPaused(false);
  el.session.textContent = session.id;
  connection.established();
  maybeResume();
}

// The connection now carries the session we asked to resume: audio continues after the last
// frame we received, with the sequence going on; its token stays the one we had.
function onSessionResumed(msg) {
  if (!resumeFrom || msg.session_id !== resumeFrom.sessionId) return;
  session.id = String(msg.session_id);
  session.resumeToken = resumeFrom.resumeToken;
  session.lastSequence = resumeFrom.lastSequence;
  resumeFrom = null;
  stats.resumes += 1;
  setPaused(msg.paused === true);
  el.session.textContent = session.id;
  const accepted = Number.isInteger(msg.accepted) ? msg.accepted : sentTexts.length;
  for (const { id, text } of sentTexts.slice(accepted)) connection.send(messages.text(text, id));
}

// ---- Session resumption (PROTOCOL.md, "resume") ------------------------------------------------
// When a session that had a token drops (a node died, the network broke, or the gateway said
// session_end "resumable"), the next connection asks to reattach to it right after its own
// session_start; session_resumed moves us onto the old session, and a refusal (UNAUTHORIZED)
// leaves us on the new one.
function rememberForResume() {
  resumeFrom = session.resumeToken
    ? {
        sessionId: session.id,
        resumeToken: session.resumeToken,
        lastSequence: session.lastSequence,
      }
    : null;
}

function maybeResume() {
  if (!resumeFrom) return;
  const { sessionId, resumeToken, lastSequence } = resumeFrom;
  connection.send(messages.resume(sessionId, resumeToken, lastSequence));
}
// ---- end of session resumption -----------------------------------------------------------------

function onAudio(frame, receivedAt) {
  if (!frame) {
    stats.badFrames += 1;
    if (stats.badFrames === 1) { // shown once; later ones are only counted
      const what = 'An audio frame from the gateway was malformed; it was skipped.';
      showError('BAD_FRAME', what, 'page');
    }
    return;
  }
  stats.framesReceived += 1;
  session.lastSequence = frame.sequence;
  utterances.frame(receivedAt);
  if (!discardAudio) player.push(frame.samples);
}

function onConnectionClosed({ wasEstablished }) {
  if (wasEstablished) {
    rememberForResume();
    utterances.connectionLost();
  }
  session.id = null;
  el.session.textContent = '—';
  stopDiscarding();
}

// ------------------------------------------------------------------ user actions

function speak() {
  player.unlock(); // a user gesture: the moment the autoplay policy lets audio start
  const text = el.text.value;
  if (!text.trim()) {
    say('Type some text to speak first.');
    el.text.focus();
    return null;
  }
  const id = `web-${nextUtterance}`;
  const sentAt = performance.now();
  if (!connection.send(messages.text(text, id))) {
    say('Not connected: the text was not sent.');
    return null;
  }
  nextUtterance += 1;
  sentTexts.push({ id, text });
  utterances.add(id, text, sentAt);
  el.text.value = '';
  say('');
  return id;
}

function control(command) {
  player.unlock();
  if (!connection.send(messages.control(command))) {
    say('Not connected.');
    return false;
  }
  // Act locally at once; the gateway's answer (paused / resumed / clear) confirms it.
  if (command === 'PAUSE') player.pause();
  if (command === 'RESUME') player.resume();
  if (command === 'STOP') {
    player.clear();
    player.resume(); // a STOP unpauses the session too (see `clear`)
    if (session.protocolVersion >= 2) startDiscarding();
  }
  return true;
}

function setPaused(value) {
  paused = value;
  if (value) player.pause();
  else player.resume();
  utterances.setPaused(value);
  showPlayback();
}

function startDiscarding() {
  discardAudio = true;
  clearTimeout(discardTimer);
  discardTimer = setTimeout(stopDiscarding, DISCARD_AFTER_STOP_MS);
}

function stopDiscarding() {
  discardAudio = false;
  clearTimeout(discardTimer);
}

// ------------------------------------------------------------------ page

const STATE_TEXT = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  disconnected: 'Disconnected',
};

function showConnectionState(state, detail) {
  el.status.dataset.state = state;
  el.status.textContent = STATE_TEXT[state] ?? state;
  // Details change with every attempt: they live outside the live region to keep it quiet.
  const parts = [];
  if (state === 'reconnecting' && session.endReason) {
    parts.push(`session ended: ${session.endReason}`);
  }
  if (state === 'reconnecting' && detail.retryInMs !== undefined) {
    parts.push(`next try in ${(detail.retryInMs / 1000).toFixed(1)} s`);
  }
  if (state === 'connected') parts.push(gatewayUrl);
  el.statusDetail.textContent = parts.join(' · ');
  const usable = state === 'connected';
  for (const button of [el.speak, el.pause, el.resume, el.stop]) button.disabled = !usable;
}

function onPlayerStats(report, receivedAt) {
  if (report.sounded) audio.lastSoundAt = receivedAt;
  if (report.sounding) audio.silentSince = null;
  else if (audio.silentSince === null) audio.silentSince = receivedAt;
  audio.playedSamples = report.playedSamples;
  stats.bufferedSamples = report.bufferedSamples;
  showPlayback(report.sounding);
}

let shownPlayback = '';
function showPlayback(sounding = audio.silentSince === null && audio.lastSoundAt !== null) {
  const text = paused ? 'Paused' : sounding ? 'Playing' : 'Silent';
  if (text !== shownPlayback) {
    shownPlayback = text;
    el.playback.textContent = text;
    el.playback.dataset.state = text.toLowerCase();
  }
}

function showAudioNote() {
  const state = player.contextState;
  if (player.failure) {
    el.audioNote.textContent = player.failure;
  } else if (state === 'suspended') {
    el.audioNote.textContent =
      'The browser holds audio back until you use the page: press Speak or any key.';
  } else {
    el.audioNote.textContent = '';
  }
  el.audioNote.hidden = el.audioNote.textContent === '';
}

/** The small figures under the meter; refreshed ten times a second, they are not announced. */
function showFigures() {
  el.figFrames.textContent = String(stats.framesReceived);
  el.figSequence.textContent = String(session.lastSequence);
  el.figBuffered.textContent = `${Math.round((stats.bufferedSamples / SAMPLE_RATE) * 1000)} ms`;
  el.figContext.textContent = player.contextState;
}

/** Appends an error; `source` is `gateway` (an error message) or `page` (found here). */
function showError(code, message, source) {
  const item = document.createElement('li');
  item.dataset.code = code;
  item.dataset.source = source;
  const codeEl = document.createElement('span');
  codeEl.className = 'error-code';
  codeEl.textContent = code;
  const textEl = document.createElement('span');
  textEl.className = 'error-message';
  textEl.textContent = message;
  const time = document.createElement('time');
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  item.append(codeEl, ' ', textEl, ' ', time);
  el.errors.append(item);
  while (el.errors.children.length > MAX_ERRORS_SHOWN) el.errors.firstElementChild.remove();
}

/** A short notice next to the text box (announced politely). */
function say(text) {
  el.notice.textContent = text;
}

// ------------------------------------------------------------------ wiring

el.form.addEventListener('submit', (event) => {
  event.preventDefault();
  speak();
});
el.text.addEventListener('keydown', (event) => {
  // Enter speaks; Shift+Enter is a new line; Enter that ends an IME composition is not a send.
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    speak();
  }
});
el.pause.addEventListener('click', () => control('PAUSE'));
el.resume.addEventListener('click', () => control('RESUME'));
el.stop.addEventListener('click', () => control('STOP'));

// Any gesture may unlock audio (autoplay policy).
for (const type of ['pointerdown', 'keydown']) {
  document.addEventListener(type, () => player.unlock(), { capture: true });
}
window.addEventListener('online', () => connection.retryNow());
// Close cleanly when the page goes away (the gateway ends the session as client_disconnect),
// and come back if the page is restored from the back/forward cache.
window.addEventListener('pagehide', () => connection.stop());
window.addEventListener('pageshow', (event) => {
  if (event.persisted) connection.start();
});

window.voicegw = {
  get state() {
    return connection.state;
  },
  get sessionId() {
    return session.id;
  },
  get framesReceived() {
    return stats.framesReceived;
  },
  get lastSequence() {
    return session.lastSequence;
  },
  // sessions resumed on a new connection (session_resumed)
  get resumes() {
    return stats.resumes;
  },
  level: () => player.level(),
  audio,
  audioContextState: () => player.contextState,
  // Beyond the test contract, for debugging:
  get url() {
    return gatewayUrl;
  },
  get protocolVersion() {
    return session.protocolVersion;
  },
  get transport() {
    return session.transport;
  },
  get paused() {
    return paused;
  },
  get bufferedMs() {
    return (stats.bufferedSamples / SAMPLE_RATE) * 1000;
  },
  get badFrames() {
    return stats.badFrames;
  },
  speak(text) {
    el.text.value = text;
    return speak();
  },
  control,
  sendRaw: (text) => connection.send(text),
  connect: () => connection.start(),
  disconnect: () => connection.stop(),
};

showPlayback(false);
if (gatewayUrlProblem) showError('BAD_GATEWAY_URL', gatewayUrlProblem, 'page');
startMeter(el.meter, player);
setInterval(showFigures, 100);
connection.start();
player.start().then((ok) => {
  if (!ok) showError('AUDIO_UNAVAILABLE', player.failure, 'page');
  player.context?.addEventListener('statechange', showAudioNote);
  showAudioNote();
});
