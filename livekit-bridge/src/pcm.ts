// PCM frames as WIRE.md §1 defines them: s16le mono 48 kHz, 20 ms = 960 samples = 1 920 bytes.
// Int16Array uses the platform's byte order, little-endian on every target we build for.

export const SAMPLE_RATE = 48_000;
export const CHANNELS = 1;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = 960;
export const FRAME_BYTES = FRAME_SAMPLES * 2;

/**
 * Copies PCM bytes into a fresh Int16Array that owns its whole ArrayBuffer.
 *
 * Pitfall avoided: rtc-node's AudioFrame hands `data.buffer` to the native side and ignores
 * `byteOffset`, and a gRPC Buffer is usually a view into a larger (pooled) buffer, so wrapping it
 * would make LiveKit read the wrong bytes. A copy also cannot change under the native side while
 * a capture is in flight.
 */
export function copyToSamples(bytes: Uint8Array): Int16Array {
  const samples = new Int16Array(bytes.byteLength >> 1);
  new Uint8Array(samples.buffer).set(bytes.subarray(0, samples.byteLength));
  return samples;
}

/** The bytes of a sample array, for a protobuf `bytes` field (no copy). */
export function samplesToBytes(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** Cuts a stream of sample arrays of any length into arrays of exactly `size` samples. */
export class Rechunker {
  private partial: Int16Array;
  private filled = 0;

  constructor(private readonly size: number) {
    this.partial = new Int16Array(size);
  }

  push(samples: Int16Array): Int16Array[] {
    const complete: Int16Array[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(this.size - this.filled, samples.length - offset);
      this.partial.set(samples.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.size) {
        complete.push(this.partial);
        this.partial = new Int16Array(this.size);
        this.filled = 0;
      }
    }
    return complete;
  }
}
