package io.voicegateway.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class ProtocolLimitsTest {

  private static IllegalArgumentException invalid(String hocon) {
    return assertThrows(IllegalArgumentException.class,
        () -> ProtocolLimits.fromConfig(ConfigFactory.parseString(hocon)));
  }

  private static void assertNames(IllegalArgumentException e, String key) {
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }

  @Test
  void referenceConfHasTheDocumentedDefaults() {
    assertEquals(new ProtocolLimits(65_536, 5_000, 20, 40),
        ProtocolLimits.fromConfig(ConfigFactory.empty()));
    assertEquals(ProtocolLimits.DEFAULTS, ProtocolLimits.fromConfig(ConfigFactory.empty()));
  }

  @Test
  void overridesAreRead() {
    ProtocolLimits limits = ProtocolLimits.fromConfig(ConfigFactory.parseString(
        "voicegw.gateway.protocol { max-message-bytes = 128KiB, max-text-length = 100,"
            + " rate { messages-per-second = 2.5, burst = 3 } }"));
    assertEquals(new ProtocolLimits(131_072, 100, 2.5, 3), limits);
  }

  @Test
  void zeroMessageBytesNamesItsKey() {
    assertNames(invalid("voicegw.gateway.protocol.max-message-bytes = 0"),
        "voicegw.gateway.protocol.max-message-bytes");
  }

  @Test
  void hugeMessageBytesNamesItsKey() {
    assertNames(invalid("voicegw.gateway.protocol.max-message-bytes = 1GiB"),
        "voicegw.gateway.protocol.max-message-bytes");
  }

  @Test
  void nonNumericMessageBytesNamesItsKey() {
    assertNames(invalid("voicegw.gateway.protocol.max-message-bytes = lots"),
        "voicegw.gateway.protocol.max-message-bytes");
  }

  @Test
  void zeroTextLengthNamesItsKey() {
    assertNames(invalid("voicegw.gateway.protocol.max-text-length = 0"),
        "voicegw.gateway.protocol.max-text-length");
  }

  @Test
  void textLengthNotBelowMessageBytesNamesBothKeys() {
    IllegalArgumentException e = invalid("voicegw.gateway.protocol { max-message-bytes = 5000,"
        + " max-text-length = 65536 }");
    assertNames(e, "voicegw.gateway.protocol.max-text-length");
    assertNames(e, "voicegw.gateway.protocol.max-message-bytes");
  }

  @Test
  void zeroRateNamesItsKey() {
    assertNames(invalid("voicegw.gateway.protocol.rate.messages-per-second = 0"),
        "voicegw.gateway.protocol.rate.messages-per-second");
  }

  @Test
  void nonNumericRateNamesItsKey() {
    assertNames(invalid("voicegw.gateway.protocol.rate.messages-per-second = fast"),
        "voicegw.gateway.protocol.rate.messages-per-second");
  }

  @Test
  void zeroBurstNamesItsKey() {
    assertNames(invalid("voicegw.gateway.protocol.rate.burst = 0"),
        "voicegw.gateway.protocol.rate.burst");
  }

  @Test
  void fractionalBurstNamesItsKey() {
    assertNames(invalid("voicegw.gateway.protocol.rate.burst = 1.5"),
        "voicegw.gateway.protocol.rate.burst");
  }
}
