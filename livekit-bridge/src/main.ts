// The LiveKit bridge: one process per gateway node, started by it with
//   BRIDGE_GATEWAY_ADDR=host:port  the gateway's gRPC server (plaintext h2c)
//   BRIDGE_TOKEN=…                 proves to the gateway that it started us; sent in Hello, never logged
// and stdin held open as a pipe: when the pipe closes, the gateway is gone (even after kill -9).
import './rtc_logs.js'; // must come before @livekit/rtc-node
import { dispose } from '@livekit/rtc-node';
import { Counters, EventLoopLagMonitor } from './counters.js';
import { GatewayLink } from './gateway_link.js';
import { errorText, log } from './log.js';
import type { GatewayMessage } from './protocol.js';
import { Rooms } from './rooms.js';
import { sleep } from './time.js';
import { bridgeVersion, rtcNodeVersion } from './versions.js';

const WELCOME_TIMEOUT_MS = 10_000;
/** dispose() can hang (agents-js#1905): wait this long, then exit anyway. */
const DISPOSE_TIMEOUT_MS = 2_000;
/** Whatever still runs after this long, the process exits. */
const EXIT_DEADLINE_MS = 10_000;
const PING_LOSS_INTERVALS = 3;

enum ExitCode {
  Clean = 0,
  StreamFailed = 1,
  BadEnvironment = 2,
  PingsStopped = 3,
  NoWelcome = 4,
}

class Bridge {
  private readonly counters = new Counters();
  private readonly lag = new EventLoopLagMonitor();
  private readonly link: GatewayLink;
  private readonly rooms: Rooms;
  private readonly welcomeTimer: NodeJS.Timeout;
  private pingWatch?: NodeJS.Timeout;
  private lastPingAt = 0;
  private exiting = false;

  constructor(address: string, token: string) {
    this.link = new GatewayLink(address, {
      onMessage: (message) => this.handle(message),
      onClosed: (error) =>
        error ? this.exit(ExitCode.StreamFailed, `stream failed: ${error}`) : this.exit(ExitCode.Clean, 'stream ended'),
    });
    this.rooms = new Rooms(this.link, this.counters);
    this.link.send({
      hello: {
        auth_token: token,
        bridge_version: bridgeVersion(),
        rtc_node_version: rtcNodeVersion(),
        node_version: process.version,
        pid: process.pid,
      },
    });
    this.welcomeTimer = setTimeout(() => this.exit(ExitCode.NoWelcome, 'no Welcome from the gateway'), WELCOME_TIMEOUT_MS);
    log('info', 'connecting to the gateway', { gateway: address, pid: process.pid });
  }

  /** Leaves every room, releases the native runtime (bounded) and exits. Idempotent. */
  async exit(code: ExitCode, reason: string): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    log(code === ExitCode.Clean ? 'info' : 'error', 'exiting', { reason, code, rooms: this.rooms.count });
    setTimeout(() => process.exit(code), EXIT_DEADLINE_MS).unref();
    clearTimeout(this.welcomeTimer);
    clearInterval(this.pingWatch);
    this.lag.stop();
    try {
      await this.rooms.leaveAll();
    } catch (err) {
      log('warn', 'leaving the rooms failed', { error: errorText(err) });
    }
    this.link.close();
    await Promise.race([dispose().catch((err) => log('warn', 'dispose failed', { error: errorText(err) })), sleep(DISPOSE_TIMEOUT_MS)]);
    process.exit(code);
  }

  // Runs inside grpc-js's 'data' event: everything here is synchronous up to the point where a
  // room takes over, so messages are applied in stream order (ClearAudio before later AudioOut).
  private handle(message: GatewayMessage): void {
    if (this.exiting) return;
    try {
      this.dispatch(message);
    } catch (err) {
      log('error', 'handling a gateway message failed', { msg: message.msg, error: errorText(err) });
    }
  }

  private dispatch(message: GatewayMessage): void {
    switch (message.msg) {
      case 'welcome':
        return this.welcomed(message.welcome.gateway_node, message.welcome.ping_interval_ms);
      case 'join':
        return this.rooms.join(message.join);
      case 'leave':
        return this.rooms.leave(message.leave.room);
      case 'audio':
        return this.rooms.audio(message.audio.room, Number(message.audio.seq), message.audio.pcm);
      case 'clear':
        return this.rooms.clear(message.clear.room, message.clear.keep);
      case 'resume_audio':
        return this.rooms.resume(message.resume_audio.room);
      case 'data':
        return this.rooms.data(message.data);
      case 'ping':
        return this.pinged(message.ping.nonce);
      case 'shutdown':
        void this.exit(ExitCode.Clean, `shutdown: ${message.shutdown.reason}`);
        return;
      default:
        log('warn', 'unknown gateway message, ignored', { msg: (message as { msg?: string }).msg ?? '' });
    }
  }

  private welcomed(gatewayNode: string, pingIntervalMs: number): void {
    clearTimeout(this.welcomeTimer);
    clearInterval(this.pingWatch);
    log('info', 'welcomed by the gateway', { gateway_node: gatewayNode, ping_interval_ms: pingIntervalMs });
    if (pingIntervalMs <= 0) return;
    this.lastPingAt = performance.now();
    const limit = PING_LOSS_INTERVALS * pingIntervalMs;
    this.pingWatch = setInterval(() => {
      if (performance.now() - this.lastPingAt > limit) {
        void this.exit(ExitCode.PingsStopped, `no Ping for ${limit} ms`);
      }
    }, pingIntervalMs);
  }

  private pinged(nonce: string | number): void {
    this.lastPingAt = performance.now();
    const c = this.counters;
    this.link.send({
      pong: {
        nonce,
        rooms: this.rooms.count,
        frames_captured: c.framesCaptured,
        frames_dropped_by_clear: c.framesDroppedByClear,
        capture_errors: c.captureErrors,
        inbound_frames_dropped: c.inboundFramesDropped,
        rss_bytes: process.memoryUsage.rss(),
        event_loop_lag_ms: this.lag.takeMaxLag(),
      },
    });
  }
}

function main(): void {
  const address = process.env.BRIDGE_GATEWAY_ADDR;
  const token = process.env.BRIDGE_TOKEN;
  if (!address || !token) {
    log('error', 'BRIDGE_GATEWAY_ADDR and BRIDGE_TOKEN must be set');
    process.exit(ExitCode.BadEnvironment);
  }
  let bridge: Bridge;
  try {
    bridge = new Bridge(address, token);
  } catch (err) {
    log('error', 'cannot start', { error: errorText(err) });
    process.exit(ExitCode.BadEnvironment);
  }
  process.on('SIGTERM', () => void bridge.exit(ExitCode.Clean, 'SIGTERM'));
  process.on('SIGINT', () => void bridge.exit(ExitCode.Clean, 'SIGINT'));
  process.stdin.on('end', () => void bridge.exit(ExitCode.Clean, 'stdin closed: the gateway is gone'));
  process.stdin.on('error', () => void bridge.exit(ExitCode.Clean, 'stdin failed: the gateway is gone'));
  process.stdin.resume();
  // Last resort: everything is caught where it happens; a miss is a bug to log, not a reason to
  // drop every room of this node.
  process.on('unhandledRejection', (reason) => log('error', 'unhandled rejection', { error: errorText(reason) }));
}

main();
