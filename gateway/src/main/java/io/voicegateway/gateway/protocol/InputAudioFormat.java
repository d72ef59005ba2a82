package io.voicegateway.gateway.protocol;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The format of the user's audio on a connection (docs/PROTOCOL.md, "The user's audio"): 16-bit
 * little-endian mono PCM at {@code sampleRate}, 10 to 40 ms per frame. Declared with the
 * {@code input_rate} query parameter or a {@code listen} message, shown in {@code session_start}.
 */
public record InputAudioFormat(int sampleRate) {

  /** The rates a client may declare. */
  public static final int[] SUPPORTED_RATES = {8_000, 16_000, 24_000, 32_000, 48_000};
  public static final int DEFAULT_RATE = 48_000;
  public static final int MIN_FRAME_MS = 10;
  public static final int MAX_FRAME_MS = 40;
  /** The largest audio payload any supported format allows (40 ms at 48 kHz). */
  public static final int MAX_FRAME_BYTES = 48_000 * MAX_FRAME_MS / 1000 * 2;

  public static final InputAudioFormat DEFAULT = new InputAudioFormat(DEFAULT_RATE);

  public InputAudioFormat {
    if (!isSupported(sampleRate)) throw new IllegalArgumentException(unsupported(sampleRate));
  }

  public static boolean isSupported(int rate) {
    return Arrays.stream(SUPPORTED_RATES).anyMatch(r -> r == rate);
  }

  /** The message for a rate that is not supported, naming the supported ones. */
  public static String unsupported(long rate) {
    return "sample rate " + rate + " Hz is not supported; supported rates: " + Arrays.stream(
        SUPPORTED_RATES).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + " Hz";
  }

  public int minFrameBytes() {
    return sampleRate * MIN_FRAME_MS / 1000 * 2;
  }

  public int maxFrameBytes() {
    return sampleRate * MAX_FRAME_MS / 1000 * 2;
  }

  /** Null when {@code bytes} of PCM make a valid frame, else what is wrong with it. */
  public String frameProblem(int bytes) {
    if (bytes % 2 != 0) {
      return "audio frame has an odd number of bytes (" + bytes + "): 16-bit samples take two"
          + " bytes each";
    }
    if (bytes < minFrameBytes() || bytes > maxFrameBytes()) {
      return "audio frame of " + bytes + " bytes is " + (bytes * 500L / sampleRate)
          + " ms at " + sampleRate + " Hz: frames must hold " + MIN_FRAME_MS + " to "
          + MAX_FRAME_MS + " ms (" + minFrameBytes() + " to " + maxFrameBytes() + " bytes)";
    }
    return null;
  }

  /** Little-endian 16-bit PCM as samples. */
  public static short[] samples(org.apache.pekko.util.ByteString pcm) {
    return samples(pcm.asByteBuffer());
  }

  /** Little-endian 16-bit PCM (from its position to its limit) as samples, read in place. */
  public static short[] samples(java.nio.ByteBuffer pcm) {
    short[] out = new short[pcm.remaining() / 2];
    pcm.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
    return out;
  }
}
