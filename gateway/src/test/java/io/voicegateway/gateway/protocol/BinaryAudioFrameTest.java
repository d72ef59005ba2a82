package io.voicegateway.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class BinaryAudioFrameTest {

  @Test
  void frameIsEightByteBigEndianSequenceThenThePcm() {
    byte[] pcm = new byte[1920];
    new Random(1).nextBytes(pcm);
    byte[] wire = ServerMessages.binaryAudio(pcm, 0x0102030405060708L).toArray();
    assertEquals(1928, wire.length);
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, java.util.Arrays.copyOf(wire, 8));
    assertArrayEquals(pcm, java.util.Arrays.copyOfRange(wire, 8, 1928));
  }

  @Test
  void frameDecodesToItsSequenceAndPcm() {
    byte[] pcm = new byte[1920];
    new Random(2).nextBytes(pcm);
    BinaryAudioFrame frame = BinaryAudioFrame.decode(ServerMessages.binaryAudio(pcm, 51));
    assertEquals(51, frame.sequence());
    assertArrayEquals(pcm, frame.pcm().toArray());
  }

  @Test
  void encodingRefusesAPartialFrame() {
    assertThrows(IllegalArgumentException.class,
        () -> ServerMessages.binaryAudio(new byte[960], 1));
  }

  @Test
  void decodingRefusesAFrameOfTheWrongLength() {
    assertThrows(IllegalArgumentException.class,
        () -> BinaryAudioFrame.decode(ByteString.fromArray(new byte[1920])));
  }
}
