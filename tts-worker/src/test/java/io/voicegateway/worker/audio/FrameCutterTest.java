package io.voicegateway.worker.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.worker.audio.FrameCutter.Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCutterTest {

  private static short[] ramp(int n, int start) {
    short[] s = new short[n];
    for (int i = 0; i < n; i++) {
      s[i] = (short) (start + i + 1);
    }
    return s;
  }

  private static void assertWellFormed(List<Frame> frames) {
    assertFalse(frames.isEmpty());
    for (Frame f : frames) {
      assertEquals(1920, f.pcm().length);
    }
    long finals = frames.stream().filter(Frame::last).count();
    assertEquals(1, finals, "exactly one final frame");
    assertTrue(frames.get(frames.size() - 1).last(), "the final frame is last");
  }

  @Test
  void firstFrameLeavesAsSoonAs960SamplesExist() {
    FrameCutter cutter = new FrameCutter();
    assertEquals(0, cutter.accept(ramp(959, 0), false).size());
    List<Frame> frames = cutter.accept(ramp(1, 959), false);
    assertEquals(1, frames.size());
    assertFalse(frames.get(0).last());
  }

  @Test
  void samplesAreSigned16BitLittleEndian() {
    FrameCutter cutter = new FrameCutter();
    short[] s = new short[960];
    s[0] = 0x1234;
    s[1] = -2;
    Frame f = cutter.accept(s, false).get(0);
    assertEquals(0x34, f.pcm()[0]);
    assertEquals(0x12, f.pcm()[1]);
    assertEquals((byte) 0xfe, f.pcm()[2]);
    assertEquals((byte) 0xff, f.pcm()[3]);
  }

  @Test
  void lastOnARemainderPadsItWithZerosIntoTheFinalFrame() {
    FrameCutter cutter = new FrameCutter();
    List<Frame> frames = new ArrayList<>(cutter.accept(ramp(1000, 0), false));
    frames.addAll(cutter.accept(ramp(500, 1000), true));
    assertWellFormed(frames);
    assertEquals(2, frames.size());
    short[] fin = Spectrum.decodeLe(frames.get(1).pcm());
    for (int i = 0; i < 540; i++) {
      assertEquals((short) (960 + i + 1), fin[i]);
    }
    for (int i = 540; i < 960; i++) {
      assertEquals(0, fin[i], "padding at " + i);
    }
  }

  @Test
  void lastOnAnExactMultipleMarksTheLastFullFrame() {
    FrameCutter cutter = new FrameCutter();
    List<Frame> frames = cutter.accept(ramp(1920, 0), true);
    assertWellFormed(frames);
    assertEquals(2, frames.size());
    assertArrayEquals(ramp(960, 960), Spectrum.decodeLe(frames.get(1).pcm()));
  }

  @Test
  void lastWithNothingPendingAndNoSamplesGivesOneSilentFinalFrame() {
    FrameCutter cutter = new FrameCutter();
    List<Frame> frames = new ArrayList<>(cutter.accept(ramp(960, 0), false));
    frames.addAll(cutter.accept(new short[0], true));
    assertWellFormed(frames);
    assertEquals(2, frames.size());
    assertArrayEquals(new short[960], Spectrum.decodeLe(frames.get(1).pcm()));
  }

  @Test
  void finishPadsTheRemainderIntoTheFinalFrame() {
    FrameCutter cutter = new FrameCutter();
    List<Frame> frames = new ArrayList<>(cutter.accept(ramp(1500, 0), false));
    frames.addAll(cutter.finish());
    assertWellFormed(frames);
    assertEquals(2, frames.size());
    short[] fin = Spectrum.decodeLe(frames.get(1).pcm());
    assertEquals((short) 961, fin[0]);
    assertEquals(0, fin[540]);
  }

  @Test
  void finishWithoutRemainderEmitsOneFrameOfSilence() {
    FrameCutter cutter = new FrameCutter();
    List<Frame> frames = new ArrayList<>(cutter.accept(ramp(960, 0), false));
    assertFalse(frames.get(0).last(), "a full frame is never held back waiting for last");
    frames.addAll(cutter.finish());
    assertWellFormed(frames);
    assertArrayEquals(new short[960], Spectrum.decodeLe(frames.get(1).pcm()));
  }

  @Test
  void nothingIsEmittedAfterTheFinalFrame() {
    FrameCutter cutter = new FrameCutter();
    cutter.accept(ramp(100, 0), true);
    assertEquals(0, cutter.accept(ramp(2000, 0), false).size());
    assertEquals(0, cutter.accept(ramp(2000, 0), true).size());
    assertEquals(0, cutter.finish().size());
  }

  @Test
  void manyOddChunksGiveWholeFramesAndOneFinal() {
    FrameCutter cutter = new FrameCutter();
    List<Frame> frames = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < 100; i++) {
      int n = (i * 37) % 211;
      frames.addAll(cutter.accept(ramp(n, total), false));
      total += n;
    }
    frames.addAll(cutter.finish());
    assertWellFormed(frames);
    assertEquals((total + 959) / 960, frames.size());
  }
}
