package io.voicegateway.gateway.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.pekko.util.ByteString;

/**
 * The binary audio frame sent instead of the JSON {@code audio} message when the client connected
 * with {@code ?audio=binary}: 1 928 bytes,
 *
 * <pre>
 * offset 0, 8 bytes:    sequence, unsigned 64-bit big-endian (the JSON message's "sequence")
 * offset 8, 1920 bytes: PCM, 960 samples, signed 16-bit little-endian, mono, 48 kHz, 20 ms
 * </pre>
 */
public final class BinaryAudioFrame {

  public static final int HEADER_BYTES = 8;
  public static final int PCM_BYTES = ServerMessages.FRAME_BYTES;
  public static final int FRAME_BYTES = HEADER_BYTES + PCM_BYTES;

  private final long sequence;
  private final ByteString pcm;

  private BinaryAudioFrame(long sequence, ByteString pcm) {
    this.sequence = sequence;
    this.pcm = pcm;
  }

  /**
   * The wire bytes of one frame; {@code pcm} must be exactly 1 920 bytes. The result shares
   * {@code pcm} instead of copying it (a frame's PCM is never written after it is made), so the
   * frame costs an 8-byte header, not a 1 928-byte copy.
   */
  public static ByteString encode(byte[] pcm, long sequence) {
    ServerMessages.requireWholeFrame(pcm);
    byte[] header = new byte[HEADER_BYTES];
    ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN).putLong(sequence);
    return ByteString.fromArrayUnsafe(header).concat(ByteString.fromArrayUnsafe(pcm));
  }

  /**
   * Reads a frame as a client would.
   *
   * @throws IllegalArgumentException if the frame is not exactly 1 928 bytes
   */
  public static BinaryAudioFrame decode(ByteString frame) {
    if (frame.size() != FRAME_BYTES) {
      throw new IllegalArgumentException(
          "binary audio frame must be " + FRAME_BYTES + " bytes, got " + frame.size());
    }
    long sequence = frame.slice(0, HEADER_BYTES).asByteBuffer().order(ByteOrder.BIG_ENDIAN)
        .getLong();
    return new BinaryAudioFrame(sequence, frame.slice(HEADER_BYTES, FRAME_BYTES));
  }

  public long sequence() {
    return sequence;
  }

  /** The 1 920 PCM bytes. */
  public ByteString pcm() {
    return pcm;
  }
}
