package io.voicegateway.audio.vad;

import io.voicegateway.audio.MonoWav;
import io.voicegateway.audio.Resampler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real English speech for the tests, spoken by espeak-ng (a subprocess, US English at 160 words a
 * minute, 22 050 Hz) and resampled to the VAD's 16 kHz with the project's {@link Resampler}.
 * Without espeak-ng the tests fail, saying how to install it: they are not skipped.
 */
final class Espeak {

  private Espeak() {}

  /** The text spoken at 16 kHz, as espeak-ng writes it (including its own short leading silence). */
  static short[] speak16k(String text) {
    try {
      Path wav = Files.createTempFile("espeak-", ".wav");
      try {
        run(List.of("espeak-ng", "-v", "en-us", "-s", "160", "-w", wav.toString(), text));
        MonoWav spoken = MonoWav.read(wav);
        Resampler resampler = new Resampler(spoken.sampleRate(), SileroModel.SAMPLE_RATE);
        short[] head = resampler.process(spoken.samples());
        short[] tail = resampler.flush();
        short[] all = new short[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
      } finally {
        Files.deleteIfExists(wav);
      }
    } catch (IOException e) {
      throw new IllegalStateException("speaking with espeak-ng failed: " + e.getMessage(), e);
    }
  }

  private static void run(List<String> command) throws IOException {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "espeak-ng is not installed: the VAD tests speak real English with it."
              + " Install it (Debian: apt-get install -y espeak-ng; .ci/run does). " + e.getMessage(), e);
    }
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }
}
