package io.voicegateway.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class WavStreamParserTest {

  /** A streaming-style header (placeholder sizes) with an extra LIST chunk before data. */
  private static byte[] wav(short[] samples, boolean withList) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer h = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    h.put("RIFF".getBytes()).putInt(0x7ffff024).put("WAVE".getBytes());
    h.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(22050)
        .putInt(44100).putShort((short) 2).putShort((short) 16);
    if (withList) {
      h.put("LIST".getBytes()).putInt(5).put(new byte[] {1, 2, 3, 4, 5, 0});
    }
    h.put("data".getBytes()).putInt(0x7ffff000);
    out.write(h.array(), 0, h.position());
    ByteBuffer d = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short s : samples) {
      d.putShort(s);
    }
    out.write(d.array(), 0, d.position());
    return out.toByteArray();
  }

  @Test
  void readsHeaderAndSamplesFedOneByteAtATime() throws IOException {
    short[] samples = {1, -1, 300, -32768, 32767, 12345};
    byte[] bytes = wav(samples, true);
    WavStreamParser parser = new WavStreamParser();
    short[] got = new short[0];
    for (byte b : bytes) {
      short[] s = parser.accept(new byte[] {b});
      short[] joined = new short[got.length + s.length];
      System.arraycopy(got, 0, joined, 0, got.length);
      System.arraycopy(s, 0, joined, got.length, s.length);
      got = joined;
    }
    parser.finish();
    assertEquals(22050, parser.sampleRate());
    assertArrayEquals(samples, got);
  }

  @Test
  void readsEverythingInOneBlock() throws IOException {
    short[] samples = {5, 6, 7};
    WavStreamParser parser = new WavStreamParser();
    assertArrayEquals(samples, parser.accept(wav(samples, false)));
  }

  @Test
  void rejectsWhatIsNotWav() {
    WavStreamParser parser = new WavStreamParser();
    assertThrows(IOException.class, () -> parser.accept("hello, this is not a wav".getBytes()));
  }

  @Test
  void streamEndingInTheHeaderIsAnError() throws IOException {
    WavStreamParser parser = new WavStreamParser();
    parser.accept("RIFF".getBytes());
    assertThrows(IOException.class, parser::finish);
  }
}
