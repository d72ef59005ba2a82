// The bridge and the test participant as child processes, as the gateway runs them.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stopProcess } from './livekit_server.js';

const BRIDGE_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const PARTICIPANT_MAIN = fileURLToPath(new URL('../test-participant/participant.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

abstract class ChildUnderTest {
  readonly exited: Promise<Exit>;
  readonly stderr: string[] = [];

  protected constructor(protected readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderr.push(line));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the exit, or rejects if the process is still running after `ms`. */
  async exitWithin(ms: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`pid ${this.pid} still running after ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  closeStdin(): void {
    this.child.stdin!.end();
  }

  kill(): Promise<void> {
    return stopProcess(this.child);
  }
}

/** node dist/main.js, with stdin held open as the gateway holds it. */
export class BridgeProcess extends ChildUnderTest {
  static spawn(gatewayAddress: string, token: string): BridgeProcess {
    const child = spawn(process.execPath, [BRIDGE_MAIN], {
      env: { ...process.env, BRIDGE_GATEWAY_ADDR: gatewayAddress, BRIDGE_TOKEN: token },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new BridgeProcess(child);
  }

  readonly stdout: string[] = [];

  private constructor(child: ChildProcess) {
    super(child);
    createInterface({ input: child.stdout! }).on('line', (line) => this.stdout.push(line));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ParticipantEvent = { event: string } & Record<string, any>;

/** node dist/test-participant/participant.js: commands in, events out, on its own clock. */
export class ParticipantProcess extends ChildUnderTest {
  readonly events: ParticipantEvent[] = [];
  readonly strayStdout: string[] = [];
  private readonly waiters: { predicate: (e: ParticipantEvent) => boolean; resolve: (e: ParticipantEvent) => void }[] = [];

  static spawn(url: string, token: string): ParticipantProcess {
    const child = spawn(process.execPath, [PARTICIPANT_MAIN, '--url', url, '--token', token], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new ParticipantProcess(child);
  }

  private constructor(child: ChildProcess) {
    super(child);
    createInterface({ input: child.stdout! }).on('line', (line) => this.receive(line));
  }

  command(command: Record<string, unknown>): void {
    this.child.stdin!.write(JSON.stringify(command) + '\n');
  }

  /** The first event, already received or still to come, that matches. */
  waitFor(description: string, predicate: (e: ParticipantEvent) => boolean, timeoutMs = 10_000): Promise<ParticipantEvent> {
    const found = this.events.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`participant: no ${description} within ${timeoutMs} ms; events: ${JSON.stringify(this.events)}`)),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /**
   * The participant's clock minus this process's clock, from the `clock` round trip with the
   * smallest RTT: participant t_ms = local performance.now() + offset, within ± rtt / 2.
   */
  async clockOffset(rounds = 7): Promise<{ offsetMs: number; rttMs: number }> {
    let best = { offsetMs: 0, rttMs: Infinity };
    for (let i = 0; i < rounds; i++) {
      const before = this.events.length;
      const sentAt = performance.now();
      this.command({ cmd: 'clock' });
      const reply = await this.waitFor('clock', (e) => e.event === 'clock' && this.events.indexOf(e) >= before);
      const receivedAt = performance.now();
      const rttMs = receivedAt - sentAt;
      if (rttMs < best.rttMs) best = { offsetMs: reply.t_ms - (sentAt + receivedAt) / 2, rttMs };
    }
    return best;
  }

  private receive(line: string): void {
    let event: ParticipantEvent;
    try {
      event = JSON.parse(line) as ParticipantEvent;
    } catch {
      this.strayStdout.push(line);
      return;
    }
    if (typeof event.event !== 'string') {
      this.strayStdout.push(line);
      return;
    }
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  }
}
