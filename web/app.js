// Voice Gateway browser client: wires the connection, the player, the utterance list and the
// page together, and exposes `window.voicegw` for tests and debugging.

import {
  resolveGatewayUrl,
  messages,
  decodeBinaryAudio,
  decodeJsonAudio,
  encodeMicFrame,
  SAMPLE_RATE,
  MIC_FRAME_MS,
} from './protocol.js';
import { Connection } from './connection.js';
import { Player } from './player.js';
import { Microphone } from './mic.js';
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
  mic: $('mic'),
  micNote: $('mic-note'),
  micMeter: $('mic-meter'),
  bargeIn: $('barge-in'),
  userTalking: $('user-talking'),
  agentTalking: $('agent-talking'),
  turns: $('turns'),
};

const MAX_ERRORS_SHOWN = 20;
// After Stop, audio still on its way is dropped until the gateway's `clear` confirms the stop;
// if no `clear` comes (an older gateway), audio plays again after this long.
const DISCARD_AFTER_STOP_MS = 1000;
const MAX_TURNS_SHOWN = 50;
const MAX_EVENTS_KEPT = 1000; // window.voicegw.events, for tests and debugging
// Microphone frames are dropped rather than queued behind a socket that does not keep up: late
// audio is no use to turn-taking (and the gateway takes at most 1 s ahead of real time anyway).
const MAX_MIC_BACKLOG_BYTES = 32 * 1024;
// `?mic_context_rate=44100` captures in an AudioContext of that rate instead of the player's 48 kHz
// one, which makes the capture worklet resample to 16 kHz (for testing that path).
const micContextRate = (() => {
  const value = Number(new URLSearchParams(window.location.search).get('mic_context_rate'));
  return Number.isInteger(value) && value >= 3000 && value <= 384000 ? value : null;
})();

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
  // How the gateway hears the user (session_start's input_audio / listening); inputRate null:
  // this gateway does not take the user's audio.
  inputRate: null,
  bargeIn: null,
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
// The user's wish for automatic barge-in; null until the Barge-in box is used (the gateway's
// default holds until then).
let bargeInWish = null;
// The microphone's frames on this connection: the header's sequence counts from 1 on each
// connection; `sent` maps the session's input time to when it was sent (for the measurements).
const micStats = { framesSent: 0, framesDropped: 0, sequence: 0, sentMs: 0, sent: [] };
let micProblem = null; // why the microphone is off, when it is not by choice
let micBusy = false; // asking the browser for the microphone
// Who is talking: the user (speech_started … speech_stopped) and whether the gateway holds the
// agent because the user talked over it (interruption_started … confirmed / false).
const talk = { userSpeaking: false, interrupted: null };
const events = []; // the gateway's messages other than audio, with their arrival time

const utterances = new UtteranceList(el.queue);
const player = new Player({ onStats: onPlayerStats });
const mic = new Microphone({ onFrame: onMicFrame, onEnded: onMicEnded });
const connection = new Connection(gatewayUrl, {
  onState: showConnectionState,
  onText: onServerMessage,
  onBinary: (buffer, receivedAt) => onAudio(decodeBinaryAudio(buffer), receivedAt),
  onClose: onConnectionClosed,
});

// ------------------------------------------------------------------ server messages

function onServerMessage(msg, receivedAt) {
  if (msg.type !== 'audio') {
    events.push({ ...msg, at: receivedAt });
    if (events.length > MAX_EVENTS_KEPT) events.splice(0, events.length - MAX_EVENTS_KEPT);
  }
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
    case 'listening':
      onListening(msg);
      break;
    case 'speech_started':
      setUserSpeaking(true);
      logTurn('user', 'You started speaking', `at ${seconds(msg.onset_ms)} of your audio`);
      break;
    case 'speech_stopped':
      setUserSpeaking(false);
      logTurn('user', 'You stopped speaking', `${seconds(msg.speech_ms)} of speech`);
      break;
    case 'user_turn_end':
      logTurn('user', 'Your turn ended',
        `${seconds(msg.speech_ms)} of speech, then ${seconds(msg.silence_ms)} of silence`);
      break;
    case 'interruption_started':
      // It follows a `clear` (handled above): the agent's buffered audio is gone already.
      talk.interrupted = String(msg.id);
      utterances.interrupt(talk.interrupted);
      logTurn('interruption', 'You talked over the agent: it pauses', heardOf(msg));
      showTalkers();
      break;
    case 'interruption_confirmed':
      talk.interrupted = null;
      logTurn('interruption', 'Interruption confirmed: the agent stopped', heardOf(msg));
      showTalkers();
      break;
    case 'false_interruption':
      talk.interrupted = null;
      utterances.interruptionOver(String(msg.id));
      logTurn('interruption', 'False interruption: the agent goes on', heardOf(msg));
      showTalkers();
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
  session.inputRate = Number.isInteger(msg.input_audio?.sample_rate)
    ? msg.input_audio.sample_rate : null;
  session.bargeIn = typeof msg.barge_in === 'boolean' ? msg.barge_in : null;
  // A new session: nothing of the old one is worth playing, and it starts unpaused.
  session.lastSequence = 0;
  if (!resumeFrom) sentTexts = [];
  player.clear();
  setPaused(false);
  talk.interrupted = null;
  setUserSpeaking(false);
  micStats.sequence = 0; // the microphone's count starts over on each connection
  micStats.sentMs = 0;
  micStats.sent = [];
  el.session.textContent = session.id;
  connection.established();
  maybeResume(); // first: `resume` must be the first message on the connection
  syncListening();
  showMicControls();
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
  // The resumed session keeps the barge-in it had; say again what the user chose, if anything.
  if (bargeInWish !== null) connection.send(messages.listen({ bargeIn: bargeInWish }));
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
  talk.interrupted = null;
  setUserSpeaking(false);
  // The microphone stays on: its frames are dropped until the next session starts.
}

// ------------------------------------------------------------------ the user's audio

function onListening(msg) {
  if (Number.isInteger(msg.input_audio?.sample_rate)) session.inputRate = msg.input_audio.sample_rate;
  if (typeof msg.barge_in === 'boolean') session.bargeIn = msg.barge_in;
  showMicControls();
}

/**
 * Tells the gateway what differs from what it said: the microphone's rate (when it is on) and
 * the user's barge-in choice. Sent right after session_start; a `listen` counts as a message.
 */
function syncListening() {
  if (session.inputRate === null) return; // this gateway does not hear the user
  const change = {};
  if (mic.on && mic.rate !== session.inputRate) change.sampleRate = mic.rate;
  if (bargeInWish !== null && bargeInWish !== session.bargeIn) change.bargeIn = bargeInWish;
  if (Object.keys(change).length === 0) return;
  if (!connection.send(messages.listen(change))) return;
  // Frames sent after the listen are read at the new rate: no need to wait for `listening`.
  if (change.sampleRate) session.inputRate = change.sampleRate;
}

function onMicFrame(pcm, rate) {
  if (connection.state !== 'connected' || session.inputRate === null || !session.id) {
    micStats.framesDropped += 1; // not connected: the user's audio of this moment is lost
    return;
  }
  if (session.inputRate !== rate) syncListening();
  if (connection.bufferedAmount > MAX_MIC_BACKLOG_BYTES) {
    micStats.framesDropped += 1;
    return;
  }
  micStats.sequence += 1;
  if (!connection.send(encodeMicFrame(micStats.sequence, pcm))) {
    micStats.framesDropped += 1;
    return;
  }
  micStats.framesSent += 1;
  micStats.sent.push([micStats.sentMs, performance.now()]);
  if (micStats.sent.length > 3000) micStats.sent.splice(0, 1000); // a minute is plenty
  micStats.sentMs += (pcm.length * 1000) / rate;
}

/** performance.now() when the frame holding `ms` of this connection's input audio was sent. */
function micSentAt(ms) {
  let found = null;
  for (const [startMs, at] of micStats.sent) {
    if (startMs > ms) break;
    found = at;
  }
  return found;
}

async function toggleMic() {
  player.unlock(); // a user gesture
  if (mic.on || micBusy) {
    mic.stop();
    micBusy = false;
    micProblem = null;
    setUserSpeaking(false);
    showMicControls();
    return;
  }
  micBusy = true;
  micProblem = null;
  showMicControls();
  try {
    await mic.start({ sharedContext: player.context, contextRate: micContextRate });
  } catch (err) {
    micProblem = err.message;
  }
  if (!micBusy) return; // turned off again meanwhile (stop() made start() give up)
  micBusy = false;
  if (mic.on) syncListening();
  showMicControls();
}

function onMicEnded(reason) {
  micProblem = reason;
  setUserSpeaking(false);
  showMicControls();
}

function onBargeInChange() {
  bargeInWish = el.bargeIn.checked;
  if (session.inputRate !== null) connection.send(messages.listen({ bargeIn: bargeInWish }));
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
  showMicControls();
}

/** The Microphone button, the Barge-in box and the line under them. */
function showMicControls() {
  const connected = connection.state === 'connected';
  const hears = session.inputRate !== null;
  // It can always be turned off; on, once a gateway that takes the user's audio is connected.
  el.mic.disabled = !(mic.on || micBusy || (connected && hears));
  el.mic.setAttribute('aria-pressed', String(mic.on || micBusy));
  el.bargeIn.disabled = !(connected && hears && session.bargeIn !== null);
  if (bargeInWish === null && session.bargeIn !== null) el.bargeIn.checked = session.bargeIn;
  let note;
  if (micProblem) note = micProblem;
  else if (micBusy) note = 'Asking for the microphone…';
  else if (mic.on) {
    const khz = `${mic.rate / 1000} kHz`;
    const how = mic.resampled ? `${khz}, resampled from ${mic.contextRate / 1000} kHz` : khz;
    note = connected ? `On: ${MIC_FRAME_MS} ms frames at ${how}.`
      : `On (${how}); nothing is sent until the gateway is back.`;
  } else if (connected && !hears) note = 'This gateway does not take microphone audio.';
  else note = 'Off.';
  if (el.micNote.textContent !== note) el.micNote.textContent = note;
  el.micNote.classList.toggle('notice', Boolean(micProblem));
  showTalkers();
}

function setUserSpeaking(value) {
  talk.userSpeaking = value;
  showTalkers();
}

let shownTalkers = '';
/** The two badges: is the user speaking, and is the agent? */
function showTalkers() {
  const user = !mic.on ? ['off', 'You: microphone off']
    : talk.userSpeaking ? ['speaking', 'You: speaking']
    : ['listening', 'You: silent'];
  const sounding = audio.silentSince === null && audio.lastSoundAt !== null;
  const agent = talk.interrupted ? ['interrupted', 'Agent: paused, you are talking']
    : paused ? ['paused', 'Agent: paused']
    : sounding ? ['speaking', 'Agent: speaking']
    : ['silent', 'Agent: silent'];
  const key = `${user}|${agent}`;
  if (key === shownTalkers) return;
  shownTalkers = key;
  [el.userTalking.dataset.state, el.userTalking.textContent] = user;
  [el.agentTalking.dataset.state, el.agentTalking.textContent] = agent;
}

/** One line of the conversation log; `who`: user or interruption. */
function logTurn(who, text, detail) {
  const item = document.createElement('li');
  item.dataset.who = who;
  const textEl = document.createElement('span');
  textEl.textContent = text;
  const detailEl = document.createElement('span');
  detailEl.className = 'turn-detail';
  detailEl.textContent = detail;
  appendStamped(el.turns, MAX_TURNS_SHOWN, item, textEl, detailEl);
  el.turns.scrollTop = el.turns.scrollHeight;
}

/** Appends `item` holding `parts` and the time now to `list`, which keeps its newest `max`. */
function appendStamped(list, max, item, ...parts) {
  const time = document.createElement('time');
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  for (const part of parts) item.append(part, ' ');
  item.append(time);
  list.append(item);
  while (list.children.length > max) list.firstElementChild.remove();
}

function seconds(ms) {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '?';
}

function heardOf(msg) {
  const frames = Number(msg.frames_played);
  return Number.isFinite(frames) ? `${msg.id}, after ${seconds(frames * 20)} of it` : String(msg.id);
}

function onPlayerStats(report, receivedAt) {
  if (report.sounded) audio.lastSoundAt = receivedAt;
  if (report.sounding) audio.silentSince = null;
  else if (audio.silentSince === null) audio.silentSince = receivedAt;
  audio.playedSamples = report.playedSamples;
  stats.bufferedSamples = report.bufferedSamples;
  showPlayback(report.sounding);
  showTalkers();
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
  appendStamped(el.errors, MAX_ERRORS_SHOWN, item, codeEl, textEl);
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
el.mic.addEventListener('click', () => toggleMic());
el.bargeIn.addEventListener('change', onBargeInChange);

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
  // The user's audio: the gateway's messages (all but audio) with `at` (performance.now() on
  // arrival), the microphone, and when a moment of the input audio was sent.
  events,
  get mic() {
    return {
      on: mic.on,
      rate: mic.rate,
      contextRate: mic.contextRate,
      resampled: mic.resampled,
      problem: micProblem,
      framesSent: micStats.framesSent,
      framesDropped: micStats.framesDropped,
    };
  },
  micLevel: () => mic.level(),
  micSentAt,
  get talking() {
    return { user: el.userTalking.dataset.state, agent: el.agentTalking.dataset.state };
  },
  get inputRate() {
    return session.inputRate;
  },
  get bargeIn() {
    return session.bargeIn;
  },
  toggleMic,
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
startMeter(el.micMeter, mic);
setInterval(showFigures, 100);
connection.start();
player.start().then((ok) => {
  if (!ok) showError('AUDIO_UNAVAILABLE', player.failure, 'page');
  player.context?.addEventListener('statechange', showAudioNote);
  showAudioNote();
});
