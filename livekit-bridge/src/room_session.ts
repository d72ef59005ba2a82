// The bridge's presence in one LiveKit room: its connection, its published track and the
// traffic of that room in both directions.
import {
  AudioSource,
  DisconnectReason,
  LocalAudioTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type RemoteParticipant,
  type RemoteTrack,
  type RemoteTrackPublication,
} from '@livekit/rtc-node';
import type { Counters } from './counters.js';
import { InboundAudio } from './inbound_audio.js';
import { errorText, log } from './log.js';
import { OutboundAudio } from './outbound_audio.js';
import { CHANNELS, SAMPLE_RATE, samplesToBytes } from './pcm.js';
import type { AudioCleared, DataOut, GatewayOutput, JoinRoom } from './protocol.js';
import { withTimeout } from './time.js';

const DISCONNECT_TIMEOUT_MS = 3_000;
const ROOM_SID_TIMEOUT_MS = 2_000;

export interface JoinedInfo {
  roomSid: string;
  participantSid: string;
  remoteIdentities: string[];
}

export class RoomSession {
  // Both set once the track is published, which join() awaits: a joined session has them.
  private audio?: OutboundAudio;
  private source?: AudioSource;
  private readonly inbound = new Map<string, InboundAudio>();
  /** Set before our own disconnect, whose Disconnected event is not the server's doing. */
  private leaving = false;

  private constructor(
    readonly name: string,
    private readonly room: Room,
    private readonly request: JoinRoom,
    private readonly gateway: GatewayOutput,
    private readonly counters: Counters,
    private readonly onServerDisconnect: (session: RoomSession, reason: string) => void,
  ) {}

  /**
   * Connects a fresh Room and publishes the track. A fresh Room per attempt, because retrying
   * connect() on a failed Room leaks its FFI listener (node-sdks PR #652). Throws on failure,
   * after releasing what was made.
   */
  static async join(
    request: JoinRoom,
    gateway: GatewayOutput,
    counters: Counters,
    onServerDisconnect: (session: RoomSession, reason: string) => void,
  ): Promise<RoomSession> {
    validate(request);
    const session = new RoomSession(request.room, new Room(), request, gateway, counters, onServerDisconnect);
    session.listen();
    try {
      await session.room.connect(request.url, request.token, {
        autoSubscribe: request.subscribe_audio,
        dynacast: false,
      });
      await session.publishTrack();
      return session;
    } catch (err) {
      await session.leave();
      throw err;
    }
  }

  get isConnected(): boolean {
    return this.room.isConnected && !this.leaving;
  }

  async joinedInfo(): Promise<JoinedInfo> {
    const roomSid = await withTimeout(this.room.getSid(), ROOM_SID_TIMEOUT_MS).catch(() => '');
    return {
      roomSid,
      participantSid: this.room.localParticipant?.sid ?? '',
      remoteIdentities: [...this.room.remoteParticipants.keys()],
    };
  }

  offerAudio(seq: number, pcm: Uint8Array): void {
    this.audio?.offer(seq, pcm);
  }

  clearAudio(keep: boolean): AudioCleared | undefined {
    return this.audio?.clear(keep);
  }

  resumeAudio(): void {
    this.audio?.resume();
  }

  async publishData(data: DataOut): Promise<void> {
    const participant = this.room.localParticipant;
    if (!participant) throw new Error('not connected');
    // Copied for the same reason as PCM: the FFI reads from a pointer to the bytes we pass.
    await participant.publishData(new Uint8Array(data.payload), {
      reliable: true,
      topic: data.topic || undefined,
      destination_identities: data.destination_identities.length ? data.destination_identities : undefined,
    });
  }

  /** Disconnects (bounded) and releases everything. Safe to call more than once. */
  async leave(): Promise<void> {
    this.leaving = true;
    this.audio?.close();
    for (const stream of this.inbound.values()) stream.stop();
    this.inbound.clear();
    try {
      // A second disconnect after the server dropped us throws "handle not found" (agents-js#2157).
      if (this.room.isConnected) await withTimeout(this.room.disconnect(), DISCONNECT_TIMEOUT_MS);
    } catch (err) {
      log('warn', 'disconnect failed', { room: this.name, error: errorText(err) });
    }
    await this.source?.close();
    this.source = undefined;
  }

  private async publishTrack(): Promise<void> {
    const queueSizeMs = this.request.queue_size_ms;
    this.source = new AudioSource(SAMPLE_RATE, CHANNELS, queueSizeMs);
    const track = LocalAudioTrack.createAudioTrack(this.request.track_name || 'agent-voice', this.source);
    // SOURCE_MICROPHONE: a wrong member name would silently publish as SOURCE_UNKNOWN.
    await this.room.localParticipant!.publishTrack(
      track,
      new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
    );
    this.audio = new OutboundAudio(this.name, this.source, queueSizeMs, this.gateway, this.counters);
  }

  private listen(): void {
    const room = this.room;
    room.on(RoomEvent.ParticipantConnected, (p) => this.participantEvent('JOINED', p));
    room.on(RoomEvent.ParticipantDisconnected, (p) => this.participantEvent('LEFT', p));
    room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => this.dataReceived(payload, participant, topic));
    room.on(RoomEvent.TrackSubscribed, (track, publication, participant) =>
      this.trackSubscribed(track, publication, participant),
    );
    room.on(RoomEvent.TrackUnsubscribed, (_track, publication) => this.stopInbound(publication.sid ?? ''));
    room.on(RoomEvent.Reconnecting, () => log('warn', 'reconnecting', { room: this.name }));
    room.on(RoomEvent.Reconnected, () => log('info', 'reconnected', { room: this.name }));
    // rtc-node 1.1.0 emits Disconnected for our own disconnect too (CLIENT_INITIATED), hence `leaving`.
    room.on(RoomEvent.Disconnected, (reason) => {
      if (this.leaving) return;
      const name = DisconnectReason[reason] ?? String(reason);
      log('warn', 'disconnected by the server', { room: this.name, reason: name });
      this.onServerDisconnect(this, name);
    });
  }

  private participantEvent(kind: 'JOINED' | 'LEFT', participant: RemoteParticipant): void {
    this.gateway.send({
      participant: { room: this.name, kind, identity: participant.identity, sid: participant.sid ?? '' },
    });
  }

  private dataReceived(payload: Uint8Array, participant: RemoteParticipant | undefined, topic: string | undefined): void {
    this.gateway.send({
      data: {
        room: this.name,
        participant_identity: participant?.identity ?? '',
        payload: Buffer.from(payload),
        topic: topic ?? '',
      },
    });
  }

  private trackSubscribed(track: RemoteTrack, publication: RemoteTrackPublication, participant: RemoteParticipant): void {
    if (!this.request.subscribe_audio || track.kind !== TrackKind.KIND_AUDIO || this.leaving) return;
    const trackSid = publication.sid ?? '';
    const identity = participant.identity;
    this.stopInbound(trackSid);
    this.inbound.set(
      trackSid,
      new InboundAudio(track, this.name, trackSid, (seq, samples) => {
        const sent = this.gateway.sendLossy({
          participant_audio: {
            room: this.name,
            participant_identity: identity,
            track_sid: trackSid,
            seq,
            pcm: samplesToBytes(samples),
          },
        });
        if (!sent) this.counters.inboundFramesDropped++;
      }),
    );
  }

  private stopInbound(trackSid: string): void {
    this.inbound.get(trackSid)?.stop();
    this.inbound.delete(trackSid);
  }
}

function validate(request: JoinRoom): void {
  if (!request.room) throw new Error('room is required');
  if (!request.url || !request.token) throw new Error('url and token are required');
  const q = request.queue_size_ms;
  if (q < 20 || q % 10 !== 0) throw new Error(`queue_size_ms must be a multiple of 10, at least 20 (got ${q})`);
}
