package io.voicegateway.worker.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental reader of a RIFF/WAVE byte stream of mono signed 16-bit little-endian PCM, as a
 * process writes it to a pipe. Streaming writers (espeak-ng {@code --stdout}) put placeholder sizes
 * in the RIFF and data headers, so the data chunk is read to the end of the stream, never by its
 * declared size. Not thread-safe: one instance per stream.
 */
final class WavStreamParser {

  private static final int MAX_HEADER = 64 * 1024;

  private byte[] header = new byte[0];
  private boolean inData;
  private int sampleRate = -1;
  private int carry = -1; // a dangling low byte between two reads, or -1

  /** Sample rate from the fmt chunk; -1 until the header has been read. */
  int sampleRate() {
    return sampleRate;
  }

  /** Feeds the next bytes; returns the samples they complete (maybe none). */
  short[] accept(byte[] bytes) throws IOException {
    if (!inData) {
      byte[] joined = new byte[header.length + bytes.length];
      System.arraycopy(header, 0, joined, 0, header.length);
      System.arraycopy(bytes, 0, joined, header.length, bytes.length);
      int dataStart = parseHeader(joined);
      if (dataStart < 0) {
        if (joined.length > MAX_HEADER) {
          throw new IOException("no WAV data chunk in the first " + MAX_HEADER + " bytes");
        }
        header = joined;
        return new short[0];
      }
      header = null;
      inData = true;
      return samples(joined, dataStart);
    }
    return samples(bytes, 0);
  }

  /** Fails if the stream ended before any data chunk. */
  void finish() throws IOException {
    if (!inData) {
      throw new IOException("stream ended inside the WAV header (" + header.length + " bytes)");
    }
  }

  private short[] samples(byte[] b, int from) {
    int available = b.length - from + (carry >= 0 ? 1 : 0);
    short[] out = new short[available / 2];
    int o = 0;
    int i = from;
    if (carry >= 0 && i < b.length) {
      out[o++] = (short) (carry | (b[i++] << 8));
      carry = -1;
    }
    for (; i + 1 < b.length; i += 2) {
      out[o++] = (short) ((b[i] & 0xff) | (b[i + 1] << 8));
    }
    if (i < b.length) {
      carry = b[i] & 0xff;
    }
    return out;
  }

  /** Returns the offset of the first data byte, or -1 when more bytes are needed. */
  private int parseHeader(byte[] b) throws IOException {
    if (b.length < 12) {
      return -1;
    }
    if (!tag(b, 0, "RIFF") || !tag(b, 8, "WAVE")) {
      throw new IOException("not a RIFF/WAVE stream");
    }
    int pos = 12;
    while (pos + 8 <= b.length) {
      long size = le32(b, pos + 4);
      if (tag(b, pos, "data")) {
        if (sampleRate < 0) {
          throw new IOException("WAV data chunk before the fmt chunk");
        }
        return pos + 8;
      }
      if (tag(b, pos, "fmt ")) {
        if (pos + 8 + 16 > b.length) {
          return -1;
        }
        int format = le16(b, pos + 8);
        int channels = le16(b, pos + 10);
        int rate = (int) le32(b, pos + 12);
        int bits = le16(b, pos + 22);
        if (format != 1 || channels != 1 || bits != 16) {
          throw new IOException(
              "unsupported WAV format " + format + ", " + channels + " channels, " + bits + " bits");
        }
        sampleRate = rate;
      }
      long next = pos + 8 + size + (size & 1);
      if (next > MAX_HEADER) {
        throw new IOException("WAV chunk too large before the data chunk");
      }
      pos = (int) next;
    }
    return -1;
  }

  private static boolean tag(byte[] b, int at, String t) {
    for (int i = 0; i < 4; i++) {
      if (b[at + i] != t.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int le16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  private static long le32(byte[] b, int at) {
    return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
  }
}
