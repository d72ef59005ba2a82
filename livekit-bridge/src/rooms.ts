// Every room the bridge is in, and the gateway's commands routed to them.
//
// Joins and leaves of one room run one after another (a chain per room), so a LeaveRoom that
// arrives during a slow connect takes effect after it. Audio, clear and data go to the room's
// current session at once, and are dropped (logged once) while the room has none.
import type { Counters } from './counters.js';
import { errorText, log } from './log.js';
import type { DataOut, GatewayOutput, JoinRoom } from './protocol.js';
import { RoomSession, type JoinedInfo } from './room_session.js';

export class Rooms {
  private readonly sessions = new Map<string, RoomSession>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly warnedUnknown = new Set<string>();

  constructor(
    private readonly gateway: GatewayOutput,
    private readonly counters: Counters,
  ) {}

  get count(): number {
    return this.sessions.size;
  }

  join(request: JoinRoom): void {
    this.serialize(request.room, () => this.doJoin(request));
  }

  leave(room: string): void {
    this.serialize(room, () => this.doLeave(room));
  }

  audio(room: string, seq: number, pcm: Buffer): void {
    this.session(room, 'AudioOut')?.offerAudio(seq, pcm);
  }

  clear(room: string, keep: boolean): void {
    const cleared = this.session(room, 'ClearAudio')?.clearAudio(keep);
    if (cleared) this.gateway.send({ cleared });
  }

  resume(room: string): void {
    this.session(room, 'ResumeAudio')?.resumeAudio();
  }

  data(data: DataOut): void {
    const session = this.session(data.room, 'DataOut');
    session?.publishData(data).catch((err) =>
      log('warn', 'publishData failed', { room: data.room, error: errorText(err) }),
    );
  }

  /** Leaves every room now, without waiting for joins in progress. */
  async leaveAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.leave()));
  }

  private serialize(room: string, operation: () => Promise<void>): void {
    const previous = this.chains.get(room) ?? Promise.resolve();
    const next = previous.then(operation).catch((err) =>
      log('error', 'room operation failed', { room, error: errorText(err) }),
    );
    this.chains.set(room, next);
    void next.then(() => {
      if (this.chains.get(room) === next) this.chains.delete(room);
    });
  }

  private async doJoin(request: JoinRoom): Promise<void> {
    const room = request.room;
    // A JoinRoom for a room already joined replaces the old connection; the gateway gets only the
    // answer to its JoinRoom (Joined or JoinFailed), no Left for the old one.
    const old = this.sessions.get(room);
    if (old) {
      this.sessions.delete(room);
      log('info', 'rejoining: leaving the old connection first', { room });
      await old.leave();
    }
    log('info', 'joining', { room, url: request.url, subscribe_audio: request.subscribe_audio });
    let session: RoomSession;
    let info: JoinedInfo;
    try {
      session = await RoomSession.join(request, this.gateway, this.counters, (s, reason) =>
        this.serverDisconnected(s, reason),
      );
      info = await session.joinedInfo();
      // Until it is in the map, serverDisconnected() ignores the session: check here instead.
      if (!session.isConnected) {
        await session.leave();
        throw new Error('disconnected by the server while joining');
      }
    } catch (err) {
      log('warn', 'join failed', { room, error: errorText(err) });
      this.gateway.send({ join_failed: { room, error: errorText(err) } });
      return;
    }
    this.sessions.set(room, session);
    this.warnedUnknown.delete(room);
    log('info', 'joined', { room, room_sid: info.roomSid, remotes: info.remoteIdentities.length });
    this.gateway.send({
      joined: {
        room,
        room_sid: info.roomSid,
        participant_sid: info.participantSid,
        remote_identities: info.remoteIdentities,
      },
    });
  }

  private async doLeave(room: string): Promise<void> {
    const session = this.sessions.get(room);
    this.sessions.delete(room);
    if (session) await session.leave();
    log('info', session ? 'left' : 'LeaveRoom for a room not joined', { room });
    this.gateway.send({ left: { room, reason: 'left' } });
  }

  private serverDisconnected(session: RoomSession, reason: string): void {
    if (this.sessions.get(session.name) !== session) return;
    this.sessions.delete(session.name);
    this.gateway.send({ left: { room: session.name, reason } });
    session.leave().catch((err) => log('warn', 'cleanup after disconnect failed', { room: session.name, error: errorText(err) }));
  }

  private session(room: string, what: string): RoomSession | undefined {
    const session = this.sessions.get(room);
    if (!session && !this.warnedUnknown.has(room)) {
      this.warnedUnknown.add(room);
      log('warn', `${what} for a room not joined: dropped (logged once per room)`, { room });
    }
    return session;
  }
}
