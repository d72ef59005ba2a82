// The messages of proto/src/main/proto/livekit_bridge.proto as proto-loader presents them
// (keepCase, longs as strings, bytes as Buffer, oneof case name in `msg`), and the client stub.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

/** dist/livekit_bridge.proto, copied there by the build; BRIDGE_PROTO overrides it. */
export function protoPath(): string {
  return process.env.BRIDGE_PROTO || fileURLToPath(new URL('./livekit_bridge.proto', import.meta.url));
}

export function loadBridgePackage(path: string = protoPath()): grpc.GrpcObject {
  const definition = protoLoader.loadSync(path, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const root = grpc.loadPackageDefinition(definition);
  return ((root.voicegw as grpc.GrpcObject).bridge as grpc.GrpcObject).v1 as grpc.GrpcObject;
}

// uint64 fields arrive as decimal strings (longs: String); they are sent as numbers. Sequence
// numbers count 20 ms frames, so they stay far below 2^53.
export type Uint64 = string | number;

export interface JoinRoom {
  room: string;
  url: string;
  token: string;
  track_name: string;
  queue_size_ms: number;
  subscribe_audio: boolean;
}

export type GatewayMessage =
  | { msg: 'welcome'; welcome: { gateway_node: string; ping_interval_ms: number } }
  | { msg: 'join'; join: JoinRoom }
  | { msg: 'leave'; leave: { room: string } }
  | { msg: 'audio'; audio: { room: string; seq: Uint64; pcm: Buffer } }
  | { msg: 'clear'; clear: { room: string; keep: boolean } }
  | { msg: 'resume_audio'; resume_audio: { room: string } }
  | { msg: 'data'; data: DataOut }
  | { msg: 'ping'; ping: { nonce: Uint64 } }
  | { msg: 'shutdown'; shutdown: { reason: string } };

export interface DataOut {
  room: string;
  payload: Buffer;
  topic: string;
  destination_identities: string[];
}

export interface Pong {
  nonce: Uint64;
  rooms: number;
  frames_captured: number;
  frames_dropped_by_clear: number;
  capture_errors: number;
  inbound_frames_dropped: number;
  rss_bytes: number;
  event_loop_lag_ms: number;
}

export interface AudioCleared {
  room: string;
  acked_seq: number;
  dropped_frames: number;
  unplayed_ms: number;
}

export type ParticipantEventKind = 'JOINED' | 'LEFT';

export type BridgeMessage =
  | {
      hello: {
        auth_token: string;
        bridge_version: string;
        rtc_node_version: string;
        node_version: string;
        pid: number;
      };
    }
  | { joined: { room: string; room_sid: string; participant_sid: string; remote_identities: string[] } }
  | { join_failed: { room: string; error: string } }
  | { left: { room: string; reason: string } }
  | { ack: { room: string; seq: number; queued_ms: number } }
  | { cleared: AudioCleared }
  | { data: { room: string; participant_identity: string; payload: Buffer; topic: string } }
  | { participant: { room: string; kind: ParticipantEventKind; identity: string; sid: string } }
  | {
      participant_audio: {
        room: string;
        participant_identity: string;
        track_sid: string;
        seq: number;
        pcm: Buffer;
      };
    }
  | { pong: Pong };

/** Where a room sends what it has for the gateway. */
export interface GatewayOutput {
  /** Control and acks: always written (grpc-js buffers them). */
  send(message: BridgeMessage): void;
  /** Lossy: false (and nothing written) while the stream is full. */
  sendLossy(message: BridgeMessage): boolean;
}
