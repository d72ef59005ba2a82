package io.voicegateway.gateway.client;

import io.voicegateway.gateway.protocol.ServerMessages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Signed 16-bit little-endian PCM in a RIFF/WAVE file: the canonical 44-byte header ({@code RIFF}
 * chunk, {@code fmt } chunk of format 1 = PCM, {@code data} chunk) followed by the samples,
 * interleaved by channel. The gateway's audio is 48 kHz mono ({@link #ofGatewayAudio}).
 *
 * <p>Reading accepts what other tools write as well: chunks other than {@code fmt } and
 * {@code data} (such as {@code LIST}) are skipped, but only 16-bit PCM is understood.
 */
public final class WavFile {

  /** Length of the header {@link #write} produces. */
  public static final int HEADER_BYTES = 44;
  /** The only sample format written and read. */
  public static final int BITS_PER_SAMPLE = 16;

  private static final int FORMAT_PCM = 1;
  private static final int FMT_CHUNK_BYTES = 16;
  private static final long MAX_UINT32 = 0xFFFF_FFFFL;

  private final byte[] pcm;
  private final int sampleRate;
  private final int channels;

  /**
   * @param pcm the samples, s16le, interleaved by channel; not copied
   * @param sampleRate samples per second per channel
   * @param channels 1 for mono
   * @throws IllegalArgumentException if the values cannot form a WAVE file, e.g. the PCM does not
   *     hold whole samples for every channel
   */
  public WavFile(byte[] pcm, int sampleRate, int channels) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
    }
    if (channels < 1 || channels > 0xFFFF) {
      throw new IllegalArgumentException("channels must be 1 to 65535, got " + channels);
    }
    if ((long) sampleRate * channels * 2 > MAX_UINT32) {
      throw new IllegalArgumentException(
          "byte rate of " + sampleRate + " Hz with " + channels + " channels exceeds 32 bits");
    }
    if (pcm.length % (channels * 2) != 0) {
      throw new IllegalArgumentException("PCM of " + pcm.length + " bytes is not a whole number of"
          + " " + (channels * 2) + "-byte sample frames (" + channels + " channels, 16 bits)");
    }
    this.pcm = pcm;
    this.sampleRate = sampleRate;
    this.channels = channels;
  }

  /** The gateway's audio format: 48 000 Hz, mono. */
  public static WavFile ofGatewayAudio(byte[] pcm) {
    return new WavFile(pcm, ServerMessages.SAMPLE_RATE, ServerMessages.CHANNELS);
  }

  /** The samples; not a copy. */
  public byte[] pcm() {
    return pcm;
  }

  public int sampleRate() {
    return sampleRate;
  }

  public int channels() {
    return channels;
  }

  /** Bytes per sample frame (one sample of every channel). */
  public int blockAlign() {
    return channels * BITS_PER_SAMPLE / 8;
  }

  /** How long the audio plays. */
  public Duration duration() {
    long sampleFrames = pcm.length / blockAlign();
    return Duration.ofNanos(sampleFrames * 1_000_000_000L / sampleRate);
  }

  /** The 44-byte header followed by the PCM. */
  public byte[] toBytes() {
    byte[] bytes = new byte[HEADER_BYTES + pcm.length];
    ByteBuffer.wrap(bytes).put(header()).put(pcm);
    return bytes;
  }

  /** Writes the file, replacing an existing one. */
  public void write(Path path) throws IOException {
    try (OutputStream out = Files.newOutputStream(path)) {
      out.write(header());
      out.write(pcm);
    }
  }

  /**
   * Reads a WAVE file.
   *
   * @throws IllegalArgumentException if it is not a WAVE file of 16-bit PCM, naming the problem
   */
  public static WavFile read(Path path) throws IOException {
    return parse(Files.readAllBytes(path));
  }

  /**
   * Parses the bytes of a WAVE file.
   *
   * @throws IllegalArgumentException if they are not a WAVE file of 16-bit PCM, naming the problem
   */
  public static WavFile parse(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 12 || !"RIFF".equals(fourCc(in, 0)) || !"WAVE".equals(fourCc(in, 8))) {
      throw new IllegalArgumentException("not a RIFF/WAVE file: it does not start with"
          + " \"RIFF\" <size> \"WAVE\"");
    }
    long riffEnd = 8 + Integer.toUnsignedLong(in.getInt(4));
    if (riffEnd > bytes.length) {
      throw new IllegalArgumentException("truncated WAVE file: the RIFF chunk claims "
          + (riffEnd - 8) + " bytes, the file has " + (bytes.length - 8) + " after its header");
    }
    Format format = null;
    int offset = 12;
    while (offset + 8 <= riffEnd) {
      String id = fourCc(in, offset);
      long size = Integer.toUnsignedLong(in.getInt(offset + 4));
      int body = offset + 8;
      if (body + size > riffEnd) {
        throw new IllegalArgumentException("truncated WAVE file: chunk \"" + id + "\" claims "
            + size + " bytes, " + (riffEnd - body) + " remain");
      }
      if (id.equals("fmt ")) {
        format = Format.read(in, body, size);
      } else if (id.equals("data")) {
        if (format == null) {
          throw new IllegalArgumentException("the \"data\" chunk comes before the \"fmt \" chunk");
        }
        byte[] pcm = new byte[(int) size];
        in.get(body, pcm);
        return new WavFile(pcm, format.sampleRate, format.channels);
      }
      offset = body + (int) size + (int) (size & 1); // chunks are padded to an even length
    }
    throw new IllegalArgumentException("no " + (format == null ? "\"fmt \"" : "\"data\"")
        + " chunk in the WAVE file");
  }

  private byte[] header() {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    header.put(ascii("RIFF")).putInt((int) (HEADER_BYTES - 8L + pcm.length)).put(ascii("WAVE"));
    header.put(ascii("fmt ")).putInt(FMT_CHUNK_BYTES)
        .putShort((short) FORMAT_PCM)
        .putShort((short) channels)
        .putInt(sampleRate)
        .putInt((int) ((long) sampleRate * blockAlign())) // byte rate, unsigned 32 bits
        .putShort((short) blockAlign())
        .putShort((short) BITS_PER_SAMPLE);
    header.put(ascii("data")).putInt(pcm.length);
    return header.array();
  }

  private static byte[] ascii(String fourCc) {
    return fourCc.getBytes(StandardCharsets.US_ASCII);
  }

  private static String fourCc(ByteBuffer in, int offset) {
    byte[] id = new byte[4];
    in.get(offset, id);
    return new String(id, StandardCharsets.ISO_8859_1);
  }

  /** The fields of a {@code fmt } chunk that matter here. */
  private record Format(int sampleRate, int channels) {
    static Format read(ByteBuffer in, int body, long size) {
      if (size < FMT_CHUNK_BYTES) {
        throw new IllegalArgumentException(
            "the \"fmt \" chunk has " + size + " bytes, at least 16 are needed");
      }
      int format = Short.toUnsignedInt(in.getShort(body));
      int channels = Short.toUnsignedInt(in.getShort(body + 2));
      long sampleRate = Integer.toUnsignedLong(in.getInt(body + 4));
      long byteRate = Integer.toUnsignedLong(in.getInt(body + 8));
      int blockAlign = Short.toUnsignedInt(in.getShort(body + 12));
      int bits = Short.toUnsignedInt(in.getShort(body + 14));
      if (format != FORMAT_PCM) {
        throw new IllegalArgumentException(
            "only PCM (format 1) is supported, got format " + format);
      }
      if (bits != BITS_PER_SAMPLE) {
        throw new IllegalArgumentException("only 16-bit samples are supported, got " + bits);
      }
      if (channels == 0 || sampleRate == 0 || sampleRate > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "invalid format: " + channels + " channels at " + sampleRate + " Hz");
      }
      if (blockAlign != channels * 2 || byteRate != sampleRate * blockAlign) {
        throw new IllegalArgumentException("inconsistent format: block align " + blockAlign
            + " and byte rate " + byteRate + " do not fit " + channels + " channels of 16 bits at "
            + sampleRate + " Hz");
      }
      return new Format((int) sampleRate, channels);
    }
  }
}
