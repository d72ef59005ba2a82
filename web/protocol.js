// The WebSocket client protocol of the gateway (docs/PROTOCOL.md): message builders, audio frame
// decoding and the choice of gateway URL. Pure functions, no DOM and no state.

export const SAMPLE_RATE = 48000;
export const FRAME_SAMPLES = 960; // 20 ms at 48 kHz
export const FRAME_BYTES = FRAME_SAMPLES * 2; // PCM s16le mono
export const BINARY_HEADER_BYTES = 8; // big-endian unsigned 64-bit sequence
export const BINARY_FRAME_BYTES = BINARY_HEADER_BYTES + FRAME_BYTES; // 1928

// The user's audio (PROTOCOL.md, "The user's audio"): PCM s16le mono at one of these rates, 10 to
// 40 ms a frame; this client sends 20 ms frames.
export const INPUT_RATES = [8000, 16000, 24000, 32000, 48000];
export const MIC_FRAME_MS = 20;

/**
 * The WebSocket URL to use. `?gateway=ws://host:port/` on the page overrides the default, which
 * is the page's own origin (the gateway serves this page on its WebSocket port). Binary audio
 * frames are asked for unless the URL already chooses an `audio` transport. Throws when the
 * override is not a ws, wss, http or https URL.
 */
export function resolveGatewayUrl(location) {
  const override = new URLSearchParams(location.search).get('gateway');
  let url;
  if (override) {
    url = new URL(override, location.href);
  } else if (location.host) {
    url = new URL(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`);
  } else {
    url = new URL('ws://127.0.0.1:8080/'); // opened from a file: the demo's gateway
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`not a WebSocket URL: ${override}`);
  }
  url.hash = '';
  if (!url.searchParams.has('audio')) url.searchParams.set('audio', 'binary');
  return url.toString();
}

export const messages = {
  text: (text, id) => JSON.stringify({ type: 'text', text, is_final: true, id }),
  control: (command) => JSON.stringify({ type: 'control', command }),
  resume: (sessionId, resumeToken, lastSequence) =>
    JSON.stringify({
      type: 'resume',
      session_id: sessionId,
      resume_token: resumeToken,
      last_sequence: lastSequence,
    }),
  /** `{sampleRate, bargeIn}`: either may be left out. */
  listen: ({ sampleRate, bargeIn } = {}) =>
    JSON.stringify({ type: 'listen', sample_rate: sampleRate, barge_in: bargeIn }),
};

/**
 * A binary frame of the user's audio: the 8-byte big-endian sequence (the client's own count from
 * 1; below 2^56, so the first byte is 0), then the Int16 samples as little-endian PCM.
 */
export function encodeMicFrame(sequence, samples) {
  const frame = new ArrayBuffer(BINARY_HEADER_BYTES + samples.length * 2);
  const view = new DataView(frame);
  view.setBigUint64(0, BigInt(sequence), false);
  for (let i = 0; i < samples.length; i++) {
    view.setInt16(BINARY_HEADER_BYTES + 2 * i, samples[i], true);
  }
  return frame;
}

/** PCM s16le bytes → Float32 samples in [-1, 1). */
function pcmToFloat(view, byteOffset, sampleCount) {
  const samples = new Float32Array(sampleCount);
  for (let i = 0; i < sampleCount; i++) {
    samples[i] = view.getInt16(byteOffset + 2 * i, true) / 32768;
  }
  return samples;
}

/**
 * A binary audio message: 8-byte big-endian sequence, then 1920 bytes of PCM.
 * Returns {sequence, samples} or null when the message does not have that layout.
 */
export function decodeBinaryAudio(buffer) {
  if (buffer.byteLength !== BINARY_FRAME_BYTES) return null;
  const view = new DataView(buffer);
  // Sequences stay far below 2^53 (a frame every 20 ms), so a Number is exact.
  const sequence = Number(view.getBigUint64(0, false));
  return { sequence, samples: pcmToFloat(view, BINARY_HEADER_BYTES, FRAME_SAMPLES) };
}

/** A JSON `audio` message (base64 PCM). Returns {sequence, samples} or null if malformed. */
export function decodeJsonAudio(msg) {
  if (typeof msg.pcm !== 'string' || !Number.isSafeInteger(msg.sequence)) return null;
  let binary;
  try {
    binary = atob(msg.pcm);
  } catch {
    return null;
  }
  if (binary.length !== FRAME_BYTES) return null;
  const bytes = new Uint8Array(FRAME_BYTES);
  for (let i = 0; i < FRAME_BYTES; i++) bytes[i] = binary.charCodeAt(i);
  return {
    sequence: msg.sequence,
    samples: pcmToFloat(new DataView(bytes.buffer), 0, FRAME_SAMPLES),
  };
}
