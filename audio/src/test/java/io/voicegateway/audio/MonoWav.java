package io.voicegateway.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal reader for the WAVE files tests make (espeak-ng's): 16-bit PCM, mono. Chunks other
 * than {@code fmt } and {@code data} are skipped; a {@code data} size beyond the end of the file
 * (a header written before the length was known) is cut to what is there.
 */
public record MonoWav(int sampleRate, short[] samples) {

  public static MonoWav read(Path path) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < 12 || b.getInt(0) != 0x4646_4952 || b.getInt(8) != 0x4556_4157) {
      throw new IllegalArgumentException(path + " is not a RIFF/WAVE file");
    }
    int sampleRate = 0;
    int pos = 12;
    while (pos + 8 <= b.limit()) {
      int id = b.getInt(pos);
      long size = Integer.toUnsignedLong(b.getInt(pos + 4));
      int body = pos + 8;
      if (id == 0x2074_6d66) { // "fmt "
        int format = b.getShort(body) & 0xffff;
        int channels = b.getShort(body + 2) & 0xffff;
        int bits = b.getShort(body + 14) & 0xffff;
        if (format != 1 || channels != 1 || bits != 16) {
          throw new IllegalArgumentException(
              path + ": format " + format + ", " + channels + " channels, " + bits + " bits; only 16-bit PCM mono is read");
        }
        sampleRate = b.getInt(body + 4);
      } else if (id == 0x6174_6164) { // "data"
        if (sampleRate == 0) {
          throw new IllegalArgumentException(path + ": data chunk before fmt chunk");
        }
        int bytes = (int) Math.min(size, b.limit() - body) & ~1;
        short[] samples = new short[bytes / 2];
        b.position(body);
        b.asShortBuffer().get(samples);
        return new MonoWav(sampleRate, samples);
      }
      pos = (int) Math.min(b.limit(), body + size + (size & 1)); // chunks are word-aligned
    }
    throw new IllegalArgumentException(path + " has no data chunk");
  }
}
