// The list of utterances spoken from this page and the state of each:
// queued → speaking (⇄ paused) → completed | stopped | interrupted | failed, with its first-audio
// latency.
// The gateway's utterance events drive it; it renders into an <ol>.

const FINAL = new Set(['completed', 'stopped', 'interrupted', 'failed']);
const MAX_ITEMS = 100; // older finished items are dropped from the page

export class UtteranceList {
  /** @param {HTMLOListElement} listEl */
  constructor(listEl) {
    this.listEl = listEl;
    this.items = new Map(); // id → item, in the order sent
    this.currentId = null; // the utterance whose frames are arriving
    this.paused = false;
  }

  /** A text was sent at `sentAt` (performance.now()). */
  add(id, text, sentAt) {
    const li = document.createElement('li');
    li.innerHTML =
      '<span class="utt-id"></span><span class="utt-text"></span>' +
      '<span class="utt-state"></span><span class="utt-detail"></span>';
    li.querySelector('.utt-id').textContent = id;
    li.querySelector('.utt-text').textContent = text;
    li.dataset.id = id;
    const item = { id, sentAt, state: 'queued', frames: 0, firstAudioMs: null, note: '', li };
    this.items.set(id, item);
    this.listEl.append(li);
    this.render(item);
    this.prune();
  }

  /** utterance_start: its frames follow. */
  start(id) {
    this.settleEarlier(id);
    this.currentId = id;
    const item = this.items.get(id);
    if (item && !FINAL.has(item.state)) this.setState(item, this.paused ? 'paused' : 'speaking');
  }

  /** An audio frame arrived at `receivedAt`; it belongs to the current utterance. */
  frame(receivedAt) {
    const item = this.items.get(this.currentId);
    if (!item) return;
    item.frames += 1;
    if (item.firstAudioMs === null) {
      item.firstAudioMs = receivedAt - item.sentAt;
      this.render(item);
    }
  }

  /** utterance_end. */
  end(id, reason, frames) {
    this.settleEarlier(id);
    if (this.currentId === id) this.currentId = null;
    const item = this.items.get(id);
    if (!item) return;
    // A state guessed locally (see settleEarlier, connectionLost) gives way to the gateway's word.
    if (FINAL.has(item.state) && !item.guessed) return;
    if (item.guessed) item.note = ''; // notes from the gateway's events (worker changed…) stay
    item.guessed = false;
    if (Number.isFinite(frames)) item.frames = frames;
    const state = FINAL.has(reason) ? reason : 'completed'; // unknown reasons end it normally
    this.setState(item, state);
  }

  /** paused / resumed from the gateway. */
  setPaused(paused) {
    this.paused = paused;
    const item = this.items.get(this.currentId);
    if (!item) return;
    if (paused && item.state === 'speaking') this.setState(item, 'paused');
    if (!paused && item.state === 'paused') this.setState(item, 'speaking');
  }

  /** interruption_started: the user talks over `id`; the gateway holds it. */
  interrupt(id) {
    const item = this.items.get(id);
    if (!item || FINAL.has(item.state)) return;
    item.note = 'you talked over it';
    this.setState(item, 'paused');
  }

  /** false_interruption: `id` goes on where the user heard it stop. */
  interruptionOver(id) {
    const item = this.items.get(id);
    if (!item || FINAL.has(item.state)) return;
    item.note = 'went on after a false interruption';
    this.setState(item, this.paused ? 'paused' : 'speaking');
  }

  /** worker_changed: mark it on the utterance. */
  note(id, text) {
    const item = this.items.get(id);
    if (!item) return;
    item.note = text;
    this.render(item);
  }

  /**
   * The connection dropped: the gateway cannot resume sessions yet, so nothing unfinished will
   * be spoken. If a later resume brings their events after all, those win (see end()).
   */
  connectionLost() {
    for (const item of this.items.values()) {
      if (!FINAL.has(item.state)) this.guessFailed(item, 'connection lost');
    }
    this.currentId = null;
    this.paused = false;
  }

  /**
   * Utterances are spoken in the order sent and each accepted one gets an utterance_end, so
   * when `id` starts or ends, an earlier one that never started nor ended was not accepted (the
   * gateway answered it with an error, which carries no id).
   */
  settleEarlier(id) {
    if (!this.items.has(id)) return;
    for (const item of this.items.values()) {
      if (item.id === id) break;
      if (item.state === 'queued') this.guessFailed(item, 'not accepted by the gateway');
    }
  }

  guessFailed(item, note) {
    item.guessed = true;
    item.note = note;
    this.setState(item, 'failed');
  }

  setState(item, state) {
    item.state = state;
    this.render(item);
  }

  render(item) {
    const { li } = item;
    li.dataset.state = item.state;
    li.querySelector('.utt-state').textContent = item.state;
    const details = [];
    if (item.firstAudioMs !== null) {
      const ms = item.firstAudioMs.toFixed(1);
      li.dataset.firstAudioMs = ms;
      details.push(`first audio ${ms} ms`);
    }
    if (FINAL.has(item.state) && item.frames > 0) details.push(`${item.frames * 20} ms of audio`);
    if (item.note) details.push(item.note);
    li.querySelector('.utt-detail').textContent = details.join(' · ');
  }

  prune() {
    for (const item of this.items.values()) {
      if (this.items.size <= MAX_ITEMS) break;
      if (!FINAL.has(item.state)) continue;
      item.li.remove();
      this.items.delete(item.id);
    }
  }
}
