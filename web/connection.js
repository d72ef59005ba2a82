// One WebSocket to the gateway that comes back by itself: after a drop (or a failed attempt) it
// reconnects with exponential backoff. It knows nothing of the protocol beyond "text frames are
// JSON, binary frames are audio" (both ways: the app sends the microphone as binary frames); the
// app tells it when a session is established.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5000;
// A socket that hangs in CONNECTING (an unreachable host) is given up after this long.
const CONNECT_TIMEOUT_MS = 10000;

/**
 * States: `connecting` (first attempt), `connected` (session established), `reconnecting`
 * (dropped: waiting for the next attempt, or attempting), `disconnected` (stopped on purpose).
 */
export class Connection {
  /**
   * @param {string} url
   * @param {object} handlers
   *   onState(state, detail), onText(parsedJson, receivedAt), onBinary(arrayBuffer, receivedAt),
   *   onClose({code, reason, wasEstablished})
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.state = 'disconnected';
    this.ws = null;
    this.attempt = 0; // attempts since the last established session
    this.delay = FIRST_DELAY_MS;
    this.retryTimer = null;
    this.connectTimer = null;
    this.wanted = false;
    this.establishedOnce = false;
    this.current = false; // the open socket carries an established session
  }

  start() {
    this.wanted = true;
    if (this.ws || this.retryTimer !== null) return; // already connecting or waiting to
    this.open();
  }

  /** Close for good (no reconnect), e.g. when the page goes away. */
  stop() {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    clearTimeout(this.connectTimer);
    const ws = this.ws;
    const wasEstablished = this.current;
    this.ws = null;
    this.current = false;
    if (ws) {
      ws.close(1000, 'client closed');
      this.handlers.onClose?.({ code: 1000, reason: 'client closed', wasEstablished });
    }
    this.setState('disconnected');
  }

  /** Reconnect now, skipping the remaining backoff (e.g. the browser came back online). */
  retryNow() {
    if (!this.wanted || this.ws) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  /** The gateway started a session on this socket: the backoff starts over. */
  established() {
    this.attempt = 0;
    this.delay = FIRST_DELAY_MS;
    this.establishedOnce = true;
    this.current = true;
    this.setState('connected');
  }

  /** Sends a JSON text frame (a string) or a binary frame (an ArrayBuffer); false when there is
   * no open socket. */
  send(data) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(data);
    return true;
  }

  /** Bytes queued on the socket and not yet sent (0 without a socket). */
  get bufferedAmount() {
    return this.ws ? this.ws.bufferedAmount : 0;
  }

  open() {
    this.retryTimer = null;
    this.attempt += 1;
    this.current = false;
    this.setState(this.establishedOnce || this.attempt > 1 ? 'reconnecting' : 'connecting', {
      attempt: this.attempt,
    });
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      // A malformed URL throws at once; retrying will not help, but keep the loop uniform.
      this.handlers.onClose?.({ code: 0, reason: String(err), wasEstablished: false });
      this.scheduleRetry();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.connectTimer = setTimeout(() => {
      if (ws.readyState === WebSocket.CONNECTING) ws.close();
    }, CONNECT_TIMEOUT_MS);

    ws.onopen = () => clearTimeout(this.connectTimer);
    ws.onmessage = (event) => {
      const receivedAt = performance.now();
      if (typeof event.data === 'string') {
        let msg;
        try {
          msg = JSON.parse(event.data);
        } catch {
          console.warn('voicegw: ignoring a text frame that is not JSON', event.data);
          return;
        }
        if (msg && typeof msg === 'object') this.handlers.onText?.(msg, receivedAt);
      } else {
        this.handlers.onBinary?.(event.data, receivedAt);
      }
    };
    ws.onclose = (event) => {
      clearTimeout(this.connectTimer);
      if (this.ws !== ws) return; // stopped on purpose, or replaced
      this.ws = null;
      const wasEstablished = this.current;
      this.current = false;
      this.handlers.onClose?.({ code: event.code, reason: event.reason, wasEstablished });
      if (this.wanted) this.scheduleRetry();
    };
    // onerror is always followed by onclose, which does the work.
  }

  scheduleRetry() {
    // A little jitter (never more than the nominal delay) so that many pages do not come back
    // at the same instant after a gateway restart.
    const wait = Math.round(this.delay * (0.8 + 0.2 * Math.random()));
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    this.setState('reconnecting', { attempt: this.attempt, retryInMs: wait });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), wait);
  }

  setState(state, detail = {}) {
    this.state = state;
    this.handlers.onState?.(state, detail);
  }
}
