package io.voicegateway.gateway.listen;

import io.voicegateway.audio.Resampler;
import io.voicegateway.gateway.client.WavFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Real speech for tests: espeak-ng (a Debian package .ci/run installs) speaks a text, and the
 * project's resampler brings it to the rate a test sends. The onset of speech is where the
 * leading silence the test adds ends, plus espeak's own short lead-in.
 */
public final class SpeechAudio {

  /** What counts as sound when trimming espeak-ng's silences: |x| of 500, about -36 dBFS. */
  public static final int TRIM_THRESHOLD = 500;

  private SpeechAudio() {}

  /** {@code text} spoken by espeak-ng at {@code wordsPerMinute}, as mono samples at {@code rate}. */
  public static short[] espeak(String text, int wordsPerMinute, int rate) {
    return espeak(text, "en-us", wordsPerMinute, rate);
  }

  /** As above, with an espeak-ng {@code voice} ({@code en-gb}, {@code en-us+f3}, …). */
  public static short[] espeak(String text, String voice, int wordsPerMinute, int rate) {
    try {
      Path wav = Files.createTempFile("speech", ".wav");
      try {
        Process p = new ProcessBuilder("espeak-ng", "-v", voice, "-s",
            Integer.toString(wordsPerMinute), "-w", wav.toString(), text)
            .redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("espeak-ng failed: " + new String(output));
        }
        WavFile file = WavFile.read(wav);
        short[] native16 = new short[file.pcm().length / 2];
        ByteBuffer.wrap(file.pcm()).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(native16);
        if (file.sampleRate() == rate) return native16;
        Resampler resampler = new Resampler(file.sampleRate(), rate);
        short[] body = resampler.process(native16);
        short[] tail = resampler.flush();
        short[] out = new short[body.length + tail.length];
        System.arraycopy(body, 0, out, 0, body.length);
        System.arraycopy(tail, 0, out, body.length, tail.length);
        return out;
      } finally {
        Files.deleteIfExists(wav);
      }
    } catch (IOException e) {
      throw new IllegalStateException("espeak-ng is needed for this test (.ci/run installs the"
          + " Debian package espeak-ng): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code samples} without the near-silence espeak-ng puts before and after the speech. */
  public static short[] trimmed(short[] samples) {
    int from = 0;
    while (from < samples.length && Math.abs(samples[from]) < TRIM_THRESHOLD) from++;
    int to = samples.length;
    while (to > from && Math.abs(samples[to - 1]) < TRIM_THRESHOLD) to--;
    return java.util.Arrays.copyOfRange(samples, from, to);
  }

  public static short[] silence(int rate, int millis) {
    return new short[rate * millis / 1000];
  }

  public static short[] concat(short[]... parts) {
    int n = 0;
    for (short[] p : parts) n += p.length;
    short[] out = new short[n];
    int at = 0;
    for (short[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Little-endian PCM of {@code samples[from, from + n)}. */
  public static byte[] pcm(short[] samples, int from, int n) {
    ByteBuffer b = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) b.putShort(samples[from + i]);
    return b.array();
  }

  /** A binary audio frame: the 8-byte big-endian sequence, then the PCM. */
  public static byte[] binaryFrame(long sequence, byte[] pcm) {
    return ByteBuffer.allocate(8 + pcm.length).putLong(sequence).put(pcm).array();
  }

  /**
   * Hands {@code samples} to {@code send} as binary frames of {@code frameMs}, at real time, as a
   * microphone would, keeping 200 ms ahead (the gateway lets audio run up to a second ahead). A
   * sender that fell behind catches up at once: it is still behind real time.
   */
  public static void playInRealTime(short[] samples, int rate, int frameMs,
      Consumer<byte[]> send) {
    int frame = rate * frameMs / 1000;
    long period = TimeUnit.MILLISECONDS.toNanos(frameMs);
    long start = System.nanoTime();
    long seq = 0;
    for (int at = 0; at + frame <= samples.length; at += frame) {
      long due = start + (seq - 10) * period; // ten frames (200 ms at 20 ms) ahead
      long wait = due - System.nanoTime();
      if (wait > 0) LockSupport.parkNanos(wait);
      send.accept(binaryFrame(++seq, pcm(samples, at, frame)));
    }
  }
}
