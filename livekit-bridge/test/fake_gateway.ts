// The gateway's side of the bridge's Connect stream: a real grpc-js server on 127.0.0.1, standing
// in for the Pekko gRPC server of the gateway (which these tests do not start).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

/** A BridgeMessage as proto-loader decodes it (oneof case in `msg`), with its arrival time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Received = { msg: string; at: number } & Record<string, any>;

const PROTO = fileURLToPath(new URL('../livekit_bridge.proto', import.meta.url));

export interface GatewayOptions {
  token: string;
  pingIntervalMs: number;
  /** false: send Welcome but never Ping. */
  ping?: boolean;
}

export class FakeGateway {
  readonly received: Received[] = [];
  /** Broken promises of the ack contract, checked by the tests. */
  readonly ackViolations: string[] = [];
  private readonly lastSentSeq = new Map<string, number>();
  private readonly lastAck = new Map<string, number>();
  private readonly waiters: { predicate: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
  private call?: grpc.ServerDuplexStream<unknown, unknown>;
  private pingTimer?: NodeJS.Timeout;
  private nonce = 0;

  private constructor(
    private readonly server: grpc.Server,
    readonly address: string,
  ) {}

  static async start(options: GatewayOptions): Promise<FakeGateway> {
    const definition = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const service = (grpc.loadPackageDefinition(definition) as any).voicegw.bridge.v1.LiveKitBridge.service;
    const server = new grpc.Server();
    let gateway: FakeGateway | undefined;
    server.addService(service, {
      Connect: (call: grpc.ServerDuplexStream<unknown, unknown>) => gateway!.accept(call, options),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    gateway = new FakeGateway(server, `127.0.0.1:${port}`);
    return gateway;
  }

  send(message: Record<string, unknown>): void {
    const audio = message.audio as { room: string; seq: number } | undefined;
    if (audio) this.lastSentSeq.set(audio.room, audio.seq);
    this.call!.write(message);
  }

  /** The first message, already received or still to come, that matches. */
  waitFor(description: string, predicate: (m: Received) => boolean, timeoutMs = 10_000): Promise<Received> {
    const found = this.received.find(predicate);
    return found ? Promise.resolve(found) : this.next(description, predicate, timeoutMs);
  }

  /** The next message to come that matches. */
  next(description: string, predicate: (m: Received) => boolean, timeoutMs = 10_000): Promise<Received> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway: no ${description} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  all(kind: string): Received[] {
    return this.received.filter((m) => m.msg === kind);
  }

  ackedSeq(room: string): number {
    return this.lastAck.get(room) ?? 0;
  }

  /** Ends the stream with status OK, as a gateway that lets its bridge go. */
  endStream(): void {
    this.call?.end();
  }

  async stop(): Promise<void> {
    clearInterval(this.pingTimer);
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  private accept(call: grpc.ServerDuplexStream<unknown, unknown>, options: GatewayOptions): void {
    let first = true;
    call.on('data', (raw) => {
      const message = { ...(raw as object), at: performance.now() } as Received;
      if (first) {
        first = false;
        if (message.msg !== 'hello' || message.hello.auth_token !== options.token) {
          call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'bad Hello' });
          return;
        }
        this.call = call;
        call.write({ welcome: { gateway_node: 'fake-gateway', ping_interval_ms: options.pingIntervalMs } });
        if (options.ping !== false) {
          this.pingTimer = setInterval(() => call.write({ ping: { nonce: ++this.nonce } }), options.pingIntervalMs);
        }
      }
      this.record(message);
    });
    call.on('error', () => {});
    call.on('end', () => clearInterval(this.pingTimer));
  }

  private record(message: Received): void {
    if (message.msg === 'ack') this.checkAck(message.ack.room, Number(message.ack.seq));
    if (message.msg === 'cleared') this.checkAck(message.cleared.room, Number(message.cleared.acked_seq));
    this.received.push(message);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(message)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  }

  private checkAck(room: string, seq: number): void {
    const previous = this.lastAck.get(room) ?? 0;
    const sent = this.lastSentSeq.get(room) ?? 0;
    if (seq < previous) this.ackViolations.push(`${room}: ack ${seq} after ${previous}`);
    if (seq > sent) this.ackViolations.push(`${room}: ack ${seq} beyond last sent ${sent}`);
    this.lastAck.set(room, Math.max(previous, seq));
  }
}
