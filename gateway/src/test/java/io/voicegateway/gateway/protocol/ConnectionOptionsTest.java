package io.voicegateway.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConnectionOptionsTest {

  private static AudioTransport transport(String rawQuery) {
    return ConnectionOptions.fromRawQuery(Optional.ofNullable(rawQuery)).audioTransport();
  }

  @Test
  void noQueryMeansJsonAudioLikeTheExistingSystem() {
    assertEquals(AudioTransport.JSON, transport(null));
    assertEquals(AudioTransport.JSON, transport(""));
  }

  @Test
  void audioBinaryNegotiatesBinaryFrames() {
    assertEquals(AudioTransport.BINARY, transport("audio=binary"));
  }

  @Test
  void audioJsonIsTheDefaultSpelledOut() {
    assertEquals(AudioTransport.JSON, transport("audio=json"));
  }

  @Test
  void otherParametersAreIgnored() {
    assertEquals(AudioTransport.BINARY, transport("token=abc&audio=binary&x"));
    assertEquals(AudioTransport.JSON, transport("lang=en"));
  }

  @Test
  void percentEncodedValuesAreDecoded() {
    assertEquals(AudioTransport.BINARY, transport("audio=%62inary"));
  }

  @Test
  void unknownAudioValueIsRefusedNamingTheChoices() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> transport("audio=opus"));
    assertTrue(e.getMessage().contains("audio must be json or binary"), e.getMessage());
    assertTrue(e.getMessage().contains("opus"), e.getMessage());
  }

  @Test
  void emptyAudioValueIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> transport("audio"));
  }

  @Test
  void contradictoryAudioValuesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> transport("audio=json&audio=binary"));
  }

  @Test
  void brokenPercentEncodingIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> transport("audio=%zz"));
  }
}
