// A LiveKit participant for tests, driven by JSON lines:
//   node dist/test-participant/participant.js --url ws://127.0.0.1:PORT --token JWT
// Commands on stdin, events on stdout (see README.md in this folder's parent). Times are t_ms,
// performance.now() of this process.
import { emit, nowMs } from './events.js'; // must come before @livekit/rtc-node
import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  dispose,
  type RemoteParticipant,
  type RemoteTrack,
  type RemoteTrackPublication,
} from '@livekit/rtc-node';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { VoiceAnalyser } from './voice_analyser.js';

const SAMPLE_RATE = 48_000;
const TONE_FRAME_SAMPLES = 960; // 20 ms
const TONE_AMPLITUDE = 10_000;
/** disconnect() and dispose() can hang (agents-js#1905): exit anyway after this long. */
const LEAVE_TIMEOUT_MS = 2_000;

interface Command {
  cmd: string;
  id?: string;
  payload?: string;
  topic?: string;
  hz?: number;
  ms?: number;
  path?: string;
}

interface TrackAnalysis {
  identity: string;
  trackSid: string;
  analyser: VoiceAnalyser;
}

class Participant {
  private readonly room = new Room();
  private readonly tracks: TrackAnalysis[] = [];
  private toneSource?: AudioSource;
  /** publish_tone commands play one after another. */
  private tones: Promise<void> = Promise.resolve();
  private leaving = false;

  async connect(url: string, token: string): Promise<void> {
    this.listen();
    await this.room.connect(url, token, { autoSubscribe: true, dynacast: false });
    emit('connected', { room: this.room.name, identity: this.room.localParticipant!.identity });
    // Participants already there get no ParticipantConnected: report them as joined too.
    for (const participant of this.room.remoteParticipants.values()) {
      emit('participant', { kind: 'joined', identity: participant.identity });
    }
  }

  handle(line: string): void {
    let command: Command;
    try {
      command = JSON.parse(line) as Command;
    } catch {
      emit('error', { message: `not JSON: ${line}` });
      return;
    }
    switch (command.cmd) {
      case 'send':
        this.send(command).catch((err) => emit('error', { message: `send ${command.id}: ${text(err)}` }));
        return;
      case 'stats':
        return this.stats();
      case 'publish_tone':
        this.tones = this.tones
          .then(() => this.publishTone(command.hz ?? 440, command.ms ?? 500))
          .catch((err) => emit('error', { message: `publish_tone: ${text(err)}` }));
        return;
      case 'publish_pcm':
        this.tones = this.tones
          .then(() => this.publishPcm(command.path ?? ''))
          .catch((err) => emit('error', { message: `publish_pcm: ${text(err)}` }));
        return;
      case 'clock':
        return emit('clock', { t_ms: nowMs() });
      case 'leave':
        void this.leave();
        return;
      default:
        emit('error', { message: `unknown command: ${command.cmd}` });
    }
  }

  async leave(): Promise<never> {
    if (!this.leaving) {
      this.leaving = true;
      try {
        await bounded(this.room.disconnect());
      } catch (err) {
        emit('error', { message: `disconnect: ${text(err)}` });
      }
      await bounded(dispose()).catch(() => {});
    }
    process.exit(0);
  }

  private listen(): void {
    const room = this.room;
    room.on(RoomEvent.ParticipantConnected, (p) => emit('participant', { kind: 'joined', identity: p.identity }));
    room.on(RoomEvent.ParticipantDisconnected, (p) => emit('participant', { kind: 'left', identity: p.identity }));
    room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) =>
      emit('data', {
        from: participant?.identity ?? '',
        topic: topic ?? '',
        payload: Buffer.from(payload).toString('utf8'),
        t_ms: nowMs(),
      }),
    );
    room.on(RoomEvent.TrackSubscribed, (track, publication, participant) =>
      this.trackSubscribed(track, publication, participant),
    );
    room.on(RoomEvent.Disconnected, (reason) => {
      if (!this.leaving) emit('error', { message: `disconnected by the server: ${reason}` });
    });
  }

  private trackSubscribed(track: RemoteTrack, publication: RemoteTrackPublication, participant: RemoteParticipant): void {
    if (track.kind !== TrackKind.KIND_AUDIO) return;
    const identity = participant.identity;
    const trackSid = publication.sid ?? '';
    emit('track', { identity, track_sid: trackSid, sample_rate: SAMPLE_RATE, channels: 1, t_ms: nowMs() });
    const analyser = new VoiceAnalyser(
      (tMs) => emit('audio_start', { identity, track_sid: trackSid, t_ms: tMs }),
      (segment) => emit('segment', { identity, track_sid: trackSid, ...segment }),
    );
    this.tracks.push({ identity, trackSid, analyser });
    void this.analyse(new AudioStream(track, { sampleRate: SAMPLE_RATE, numChannels: 1 }), analyser, trackSid);
  }

  private async analyse(stream: AudioStream, analyser: VoiceAnalyser, trackSid: string): Promise<void> {
    try {
      for await (const frame of stream) analyser.push(frame.data, frame.sampleRate, nowMs());
      analyser.flush();
    } catch (err) {
      emit('error', { message: `audio of ${trackSid}: ${text(err)}` });
    }
  }

  private async send(command: Command): Promise<void> {
    const payload = new TextEncoder().encode(command.payload ?? '');
    const tMs = nowMs();
    await this.room.localParticipant!.publishData(payload, { reliable: true, topic: command.topic });
    emit('sent', { id: command.id ?? '', t_ms: tMs });
  }

  private stats(): void {
    emit('stats', {
      tracks: this.tracks.map(({ identity, trackSid, analyser }) => ({
        identity,
        track_sid: trackSid,
        frames: analyser.frames,
        sample_rate: analyser.sampleRate,
        voiced_ms: analyser.voicedMs,
      })),
      t_ms: nowMs(),
    });
  }

  /** Publishes this participant's track on first use, then plays a sine into it in real time. */
  private async publishTone(hz: number, ms: number): Promise<void> {
    const source = await this.toneTrack();
    const frames = Math.round(ms / 20);
    const startMs = nowMs();
    for (let i = 0; i < frames; i++) {
      const samples = new Int16Array(TONE_FRAME_SAMPLES);
      for (let n = 0; n < samples.length; n++) {
        const t = (i * TONE_FRAME_SAMPLES + n) / SAMPLE_RATE;
        samples[n] = Math.round(TONE_AMPLITUDE * Math.sin(2 * Math.PI * hz * t));
      }
      // One awaited capture at a time: concurrent captures fail (rust-sdks#497).
      await source.captureFrame(new AudioFrame(samples, SAMPLE_RATE, 1, TONE_FRAME_SAMPLES));
    }
    await source.waitForPlayout();
    emit('tone_done', { hz, ms, start_ms: startMs, t_ms: nowMs() });
  }

  /**
   * Plays a file of raw 16-bit little-endian mono PCM at 48 kHz (speech a test made) on the same
   * microphone track as the tones, at real time; emits pcm_done with when it started.
   */
  private async publishPcm(path: string): Promise<void> {
    const bytes = readFileSync(path);
    const all = new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 2));
    const source = await this.toneTrack();
    const startMs = nowMs();
    for (let at = 0; at + TONE_FRAME_SAMPLES <= all.length; at += TONE_FRAME_SAMPLES) {
      const samples = all.slice(at, at + TONE_FRAME_SAMPLES);
      await source.captureFrame(new AudioFrame(samples, SAMPLE_RATE, 1, TONE_FRAME_SAMPLES));
    }
    await source.waitForPlayout();
    emit('pcm_done', { path, start_ms: startMs, t_ms: nowMs() });
  }

  private async toneTrack(): Promise<AudioSource> {
    if (this.toneSource) return this.toneSource;
    const source = new AudioSource(SAMPLE_RATE, 1, 100);
    const track = LocalAudioTrack.createAudioTrack('participant-tone', source);
    const publication = await this.room.localParticipant!.publishTrack(
      track,
      new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
    );
    emit('published', { track_sid: publication.sid ?? '', t_ms: nowMs() });
    this.toneSource = source;
    return source;
  }
}

function bounded<T>(promise: Promise<T>): Promise<T | void> {
  return Promise.race([promise, new Promise<void>((resolve) => setTimeout(resolve, LEAVE_TIMEOUT_MS))]);
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, token: { type: 'string' } } });
  if (!values.url || !values.token) {
    emit('error', { message: 'usage: participant.js --url ws://HOST:PORT --token JWT' });
    process.exit(2);
  }
  const participant = new Participant();
  try {
    await participant.connect(values.url, values.token);
  } catch (err) {
    emit('error', { message: `connect: ${text(err)}` });
    process.exit(1);
  }
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => line.trim() && participant.handle(line));
  lines.on('close', () => void participant.leave());
}

main().catch((err) => {
  emit('error', { message: text(err) });
  process.exit(2);
});
