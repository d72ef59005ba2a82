// The one Connect stream to the gateway: Hello first, then the gateway's messages in order.
import * as grpc from '@grpc/grpc-js';
import { errorText, log } from './log.js';
import { loadBridgePackage, type BridgeMessage, type GatewayMessage, type GatewayOutput } from './protocol.js';

/**
 * grpc-js opens HTTP/2 streams with a 64 KiB window; one stream carries every room's audio, so a
 * larger window keeps it from stalling. The gateway's acks bound what is really in flight.
 */
const FLOW_CONTROL_WINDOW = 8 << 20;

export interface LinkHandlers {
  onMessage(message: GatewayMessage): void;
  /** The stream is over (not called after close()): `error` is set unless it ended with OK. */
  onClosed(error?: string): void;
}

// proto-loader stubs are untyped: this is the one rpc of livekit_bridge.proto.
type BridgeClient = grpc.Client & { Connect(): grpc.ClientDuplexStream<BridgeMessage, GatewayMessage> };

export class GatewayLink implements GatewayOutput {
  private readonly client: BridgeClient;
  private readonly call: grpc.ClientDuplexStream<BridgeMessage, GatewayMessage>;
  private writable = true;
  /** Until the stream ends or close() is called. */
  private open = true;

  constructor(address: string, handlers: LinkHandlers) {
    const LiveKitBridge = loadBridgePackage().LiveKitBridge as grpc.ServiceClientConstructor;
    this.client = new LiveKitBridge(address, grpc.credentials.createInsecure(), {
      'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
    }) as unknown as BridgeClient;
    this.call = this.client.Connect();
    this.call.on('data', (message: GatewayMessage) => handlers.onMessage(message));
    this.call.on('drain', () => {
      this.writable = true;
    });
    // 'status' comes last and always, with OK or the error; 'error' must be listened to, or
    // grpc-js throws it.
    this.call.on('error', () => {});
    this.call.on('status', (status: grpc.StatusObject) => {
      if (!this.open) return;
      this.open = false;
      handlers.onClosed(status.code === grpc.status.OK ? undefined : `${grpc.status[status.code]}: ${status.details}`);
    });
  }

  send(message: BridgeMessage): void {
    if (!this.open) return;
    if (!this.call.write(message)) this.writable = false;
  }

  sendLossy(message: BridgeMessage): boolean {
    if (!this.open || !this.writable) return false;
    this.send(message);
    return true;
  }

  /** Half-closes our side and drops the channel. */
  close(): void {
    if (this.open) {
      this.open = false;
      try {
        this.call.end();
      } catch (err) {
        log('debug', 'ending the stream failed', { error: errorText(err) });
      }
    }
    this.client.close();
  }
}
