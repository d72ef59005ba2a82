package io.voicegateway.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.tts.v1.AudioFrame;
import io.voicegateway.worker.audio.Spectrum;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** The frame rules of WIRE.md §2 and small measurements of the audio the frames carry. */
final class FrameAssertions {

  private FrameAssertions() {}

  /** Every frame 1 920 bytes at 48 kHz / 20 ms, sequence 1..n, exactly one final frame, last. */
  static void assertWellFormedUtterance(List<AudioFrame> frames, String sessionId) {
    assertFalse(frames.isEmpty(), "no frames");
    for (int i = 0; i < frames.size(); i++) {
      AudioFrame f = frames.get(i);
      assertEquals(1920, f.getAudioData().size(), "frame " + (i + 1) + " size");
      assertEquals(48000, f.getSampleRate(), "sample_rate");
      assertEquals(20, f.getFrameDurationMs(), "frame_duration_ms");
      assertEquals(i + 1, f.getSequenceNumber(), "sequence_number");
      assertEquals(sessionId, f.getSessionId(), "session_id");
      assertEquals(i == frames.size() - 1, f.getIsFinal(), "is_final on frame " + (i + 1));
    }
  }

  static short[] samples(List<AudioFrame> frames) {
    int total = frames.stream().mapToInt(f -> f.getAudioData().size() / 2).sum();
    short[] out = new short[total];
    int pos = 0;
    for (AudioFrame f : frames) {
      ByteBuffer b = f.getAudioData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      while (b.remaining() >= 2) out[pos++] = b.getShort();
    }
    return out;
  }

  static double rms(short[] s) {
    return Spectrum.rms(s);
  }

  /** The frequency between 50 Hz and 4 kHz with the most energy, to 1 Hz. */
  static double dominantFrequency(short[] s, int rate) {
    return Spectrum.peakFrequency(s, 50, 4000, 1, rate);
  }

  static void assertEndMarker(AudioFrame f) {
    assertTrue(f.getIsFinal(), "end marker is_final");
    assertEquals(0, f.getAudioData().size(), "end marker carries no audio");
  }
}
