// The bridge's counters since it started, reported in every Pong.

export class Counters {
  framesCaptured = 0;
  framesDroppedByClear = 0;
  captureErrors = 0;
  inboundFramesDropped = 0;
  /** AudioOut frames of the wrong size or out of order: dropped (and acked) without capture. */
  framesInvalid = 0;
}

/**
 * The largest lag of a 100 ms timer since the last `takeMaxLag()`: how long the event loop was
 * blocked, which delays every captureFrame and ack.
 */
export class EventLoopLagMonitor {
  private static readonly PERIOD_MS = 100;
  private maxLagMs = 0;
  private expected = performance.now() + EventLoopLagMonitor.PERIOD_MS;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.tick(), EventLoopLagMonitor.PERIOD_MS);
    this.timer.unref();
  }

  takeMaxLag(): number {
    const lag = this.maxLagMs;
    this.maxLagMs = 0;
    return Math.round(lag);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = performance.now();
    this.maxLagMs = Math.max(this.maxLagMs, now - this.expected);
    this.expected = now + EventLoopLagMonitor.PERIOD_MS;
  }
}
