package io.voicegateway.gateway.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavFileTest {

  @TempDir
  Path dir;

  private static byte[] pcm(int bytes) {
    byte[] pcm = new byte[bytes];
    new Random(bytes).nextBytes(pcm);
    return pcm;
  }

  private static byte[] le32(long v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
  }

  private static byte[] le16(int v) {
    return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void assertBytes(byte[] expected, byte[] file, int offset, String field) {
    assertArrayEquals(expected, Arrays.copyOfRange(file, offset, offset + expected.length),
        field + " at offset " + offset);
  }

  @Test
  void headerOfGatewayAudioMatchesTheRiffSpecByteForByte() throws Exception {
    byte[] pcm = pcm(57 * 1920);
    Path file = dir.resolve("out.wav");
    WavFile.ofGatewayAudio(pcm).write(file);
    byte[] wav = Files.readAllBytes(file);

    assertEquals(44 + pcm.length, wav.length);
    assertBytes(ascii("RIFF"), wav, 0, "ChunkID");
    assertBytes(le32(36 + pcm.length), wav, 4, "ChunkSize = 36 + data");
    assertBytes(ascii("WAVE"), wav, 8, "Format");
    assertBytes(ascii("fmt "), wav, 12, "Subchunk1ID");
    assertBytes(le32(16), wav, 16, "Subchunk1Size (PCM)");
    assertBytes(le16(1), wav, 20, "AudioFormat (1 = PCM)");
    assertBytes(le16(1), wav, 22, "NumChannels");
    assertBytes(new byte[] {(byte) 0x80, (byte) 0xBB, 0, 0}, wav, 24, "SampleRate 48000");
    assertBytes(le32(96_000), wav, 28, "ByteRate = 48000 * 1 * 2");
    assertBytes(le16(2), wav, 32, "BlockAlign = 1 * 2");
    assertBytes(le16(16), wav, 34, "BitsPerSample");
    assertBytes(ascii("data"), wav, 36, "Subchunk2ID");
    assertBytes(le32(pcm.length), wav, 40, "Subchunk2Size");
    assertBytes(pcm, wav, 44, "samples");
    assertArrayEquals(wav, WavFile.ofGatewayAudio(pcm).toBytes());
  }

  @Test
  void stereoHeaderHasBlockAlignAndByteRateOfTwoChannels() {
    byte[] wav = new WavFile(pcm(400), 44_100, 2).toBytes();
    assertBytes(le16(2), wav, 22, "NumChannels");
    assertBytes(le32(44_100), wav, 24, "SampleRate");
    assertBytes(le32(44_100 * 4), wav, 28, "ByteRate");
    assertBytes(le16(4), wav, 32, "BlockAlign");
  }

  @Test
  void roundTripKeepsFormatAndSamples() throws Exception {
    byte[] pcm = pcm(3 * 1920);
    Path file = dir.resolve("round.wav");
    WavFile.ofGatewayAudio(pcm).write(file);
    WavFile read = WavFile.read(file);
    assertEquals(48_000, read.sampleRate());
    assertEquals(1, read.channels());
    assertEquals(2, read.blockAlign());
    assertArrayEquals(pcm, read.pcm());
    assertEquals(Duration.ofMillis(60), read.duration());
  }

  @Test
  void emptyAudioIsAValidFile() {
    WavFile empty = WavFile.parse(WavFile.ofGatewayAudio(new byte[0]).toBytes());
    assertEquals(0, empty.pcm().length);
    assertEquals(Duration.ZERO, empty.duration());
  }

  @Test
  void readingSkipsOtherChunksIncludingTheirPadByte() {
    byte[] pcm = pcm(8);
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    byte[] fmt = Arrays.copyOfRange(new WavFile(pcm, 16_000, 1).toBytes(), 12, 36);
    byte[] list = ascii("odd");
    file.writeBytes(ascii("RIFF"));
    file.writeBytes(le32(4 + fmt.length + 8 + list.length + 1 + 8 + pcm.length));
    file.writeBytes(ascii("WAVE"));
    file.writeBytes(fmt);
    file.writeBytes(ascii("LIST"));
    file.writeBytes(le32(list.length));
    file.writeBytes(list);
    file.write(0); // pad byte after an odd-sized chunk
    file.writeBytes(ascii("data"));
    file.writeBytes(le32(pcm.length));
    file.writeBytes(pcm);
    WavFile read = WavFile.parse(file.toByteArray());
    assertEquals(16_000, read.sampleRate());
    assertArrayEquals(pcm, read.pcm());
  }

  @Test
  void notAWaveFileIsRefusedWithTheProblemNamed() {
    assertMessage("not a RIFF/WAVE file", ascii("RIFX0000WAVE"));
    byte[] wav = WavFile.ofGatewayAudio(pcm(1920)).toBytes();
    assertMessage("truncated WAVE file", Arrays.copyOf(wav, wav.length - 1));
    byte[] floats = wav.clone();
    floats[20] = 3;
    assertMessage("only PCM (format 1) is supported, got format 3", floats);
    byte[] eightBit = wav.clone();
    eightBit[34] = 8;
    assertMessage("only 16-bit samples are supported, got 8", eightBit);
    byte[] badAlign = wav.clone();
    badAlign[32] = 4;
    assertMessage("inconsistent format", badAlign);
    byte[] noData = Arrays.copyOf(wav, 36);
    ByteBuffer.wrap(noData).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 28);
    assertMessage("no \"data\" chunk", noData);
  }

  @Test
  void pcmOfPartialSampleFramesIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> new WavFile(new byte[3], 48_000, 1));
    assertTrue(e.getMessage().contains("3 bytes"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new WavFile(new byte[6], 48_000, 2));
    assertThrows(IllegalArgumentException.class, () -> new WavFile(new byte[4], 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new WavFile(new byte[4], 48_000, 0));
  }

  private static void assertMessage(String expected, byte[] file) {
    var e = assertThrows(IllegalArgumentException.class, () -> WavFile.parse(file));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
