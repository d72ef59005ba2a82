package io.voicegateway.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class ClientMessageParserTest {

  private final ClientMessageParser parser = new ClientMessageParser(ProtocolLimits.DEFAULTS);

  private static ProtocolError error(ParseResult result, ErrorCode code) {
    ProtocolError error = assertInstanceOf(ProtocolError.class, result);
    assertEquals(code, error.code(), error.message());
    return error;
  }

  private static void assertMentions(ProtocolError error, String... parts) {
    for (String part : parts) {
      assertTrue(error.message().contains(part),
          "expected \"" + part + "\" in: " + error.message());
    }
  }

  // ---- good messages ----

  @Test
  void textOfTheExistingProtocolParses() {
    var text = assertInstanceOf(ClientMessage.Text.class,
        parser.parse("{\"type\":\"text\",\"text\":\"Hello there\",\"is_final\":false}"));
    assertEquals(new ClientMessage.Text("Hello there", false, Optional.empty()), text);
  }

  @Test
  void isFinalDefaultsToTrue() {
    var text = assertInstanceOf(ClientMessage.Text.class,
        parser.parse("{\"type\":\"text\",\"text\":\"Hi\"}"));
    assertTrue(text.isFinal());
  }

  @Test
  void utteranceIdIsRead() {
    var text = assertInstanceOf(ClientMessage.Text.class,
        parser.parse("{\"type\":\"text\",\"text\":\"Hi\",\"id\":\"greeting-1\"}"));
    assertEquals(Optional.of("greeting-1"), text.id());
  }

  @Test
  void nullOptionalFieldsMeanAbsent() {
    var text = assertInstanceOf(ClientMessage.Text.class,
        parser.parse("{\"type\":\"text\",\"text\":\"Hi\",\"is_final\":null,\"id\":null}"));
    assertEquals(new ClientMessage.Text("Hi", true, Optional.empty()), text);
  }

  @Test
  void unknownFieldsAreIgnored() {
    assertInstanceOf(ClientMessage.Text.class,
        parser.parse("{\"type\":\"text\",\"text\":\"Hi\",\"voice\":\"x\",\"extra\":{\"a\":[1]}}"));
  }

  @Test
  void textOfOneCharacterIsAccepted() {
    assertInstanceOf(ClientMessage.Text.class, parser.parse("{\"type\":\"text\",\"text\":\"a\"}"));
  }

  @Test
  void textExactlyAtTheLimitIsAccepted() {
    String text = "a".repeat(5000);
    assertInstanceOf(ClientMessage.Text.class,
        parser.parse("{\"type\":\"text\",\"text\":\"" + text + "\"}"));
  }

  @Test
  void textLimitCountsCharactersNotUtf16Units() {
    String emoji = "\uD83D\uDE00"; // one character, two UTF-16 units, four UTF-8 bytes
    assertInstanceOf(ClientMessage.Text.class,
        parser.parse("{\"type\":\"text\",\"text\":\"" + emoji.repeat(5000) + "\"}"));
  }

  @Test
  void everyControlCommandParses() {
    for (ClientMessage.Command command : ClientMessage.Command.values()) {
      var control = assertInstanceOf(ClientMessage.Control.class,
          parser.parse("{\"type\":\"control\",\"command\":\"" + command.name() + "\"}"));
      assertEquals(command, control.command());
    }
  }

  @Test
  void resumeParses() {
    String token = SessionIds.newResumeToken();
    var resume = assertInstanceOf(ClientMessage.Resume.class, parser.parse(
        "{\"type\":\"resume\",\"session_id\":\"ws-0123456789ab\",\"resume_token\":\"" + token
            + "\",\"last_sequence\":42}"));
    assertEquals(new ClientMessage.Resume("ws-0123456789ab", token, 42), resume);
  }

  @Test
  void resumeDoesNotShowItsTokenInToString() {
    String token = SessionIds.newResumeToken();
    var resume = new ClientMessage.Resume("ws-0123456789ab", token, 1);
    assertFalse(resume.toString().contains(token), resume.toString());
  }

  @Test
  void validUtf8TextFrameBytesParse() {
    byte[] bytes = "{\"type\":\"text\",\"text\":\"Grüße, 世界 😀\"}"
        .getBytes(StandardCharsets.UTF_8);
    var text = assertInstanceOf(ClientMessage.Text.class, parser.parseTextBytes(bytes));
    assertEquals("Grüße, 世界 😀", text.text());
  }

  @Test
  void binaryFrameWithJsonParsesWhenBinaryWasNegotiated() {
    ByteString frame = ByteString.fromString("{\"type\":\"control\",\"command\":\"STOP\"}");
    assertEquals(new ClientMessage.Control(ClientMessage.Command.STOP),
        parser.parseBinary(frame, AudioTransport.BINARY));
  }

  @Test
  void textFrameBytesCollectedInChunksSplitInsideACharacterParse() {
    byte[] bytes = "{\"type\":\"text\",\"text\":\"世界\"}".getBytes(StandardCharsets.UTF_8);
    int split = 24; // inside the three bytes of 世
    ByteString chunked = ByteString.fromArray(bytes, 0, split)
        .concat(ByteString.fromArray(bytes, split, bytes.length - split));
    var text = assertInstanceOf(ClientMessage.Text.class, parser.parseTextBytes(chunked));
    assertEquals("世界", text.text());
  }

  // ---- bad input: INVALID_MESSAGE ----

  @Test
  void invalidJsonIsRejectedWithItsPosition() {
    var error = error(parser.parse("{\"type\":\"text\",\"text\":}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "invalid JSON", "line 1", "column 23");
  }

  @Test
  void invalidJsonOnALaterLineNamesThatLine() {
    var error = error(parser.parse("{\n\"type\": \"text\",\n\"text\" \"x\"}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "invalid JSON", "line 3");
  }

  @Test
  void truncatedJsonIsRejected() {
    var error = error(parser.parse("{\"type\":\"text\""), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "invalid JSON");
  }

  @Test
  void anythingAfterTheObjectIsRejected() {
    var error = error(parser.parse("{\"type\":\"control\",\"command\":\"STOP\"} {}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "invalid JSON");
  }

  @Test
  void duplicateFieldsAreRejected() {
    var error = error(parser.parse("{\"type\":\"text\",\"text\":\"a\",\"text\":\"b\"}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "invalid JSON", "text");
  }

  @Test
  void deeplyNestedJsonIsRejectedAsInvalid() {
    String json = "[".repeat(20_000) + "]".repeat(20_000);
    var error = error(parser.parse(json), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "invalid JSON");
  }

  @Test
  void hugeNumberIsRejectedAsInvalid() {
    String json = "{\"type\":\"resume\",\"last_sequence\":" + "9".repeat(30_000) + "}";
    var error = error(parser.parse(json), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "invalid JSON");
  }

  @Test
  void emptyMessageIsRejected() {
    var error = error(parser.parse("   "), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "empty message");
  }

  @Test
  void jsonArrayIsNotAnObject() {
    var error = error(parser.parse("[1,2]"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "expected a JSON object", "an array");
  }

  @Test
  void jsonStringIsNotAnObject() {
    var error = error(parser.parse("\"hello\""), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "expected a JSON object", "a string");
  }

  @Test
  void jsonNullIsNotAnObject() {
    var error = error(parser.parse("null"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "expected a JSON object", "null");
  }

  @Test
  void missingTypeIsRejectedListingTheKnownTypes() {
    var error = error(parser.parse("{\"text\":\"hi\"}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "missing field \"type\"", "text, control, resume");
  }

  @Test
  void nonStringTypeIsRejected() {
    var error = error(parser.parse("{\"type\":7}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"type\" must be a string", "an integer", "text, control, resume");
  }

  @Test
  void unknownTypeIsRejectedListingTheKnownTypes() {
    var error = error(parser.parse("{\"type\":\"sing\"}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "unknown type \"sing\"", "text, control, resume");
  }

  @Test
  void hugeUnknownTypeIsQuotedOnlyInPart() {
    String type = "x".repeat(10_000);
    var error = error(parser.parse("{\"type\":\"" + type + "\"}"), ErrorCode.INVALID_MESSAGE);
    assertTrue(error.message().length() < 200, error.message());
  }

  @Test
  void missingTextIsRejected() {
    var error = error(parser.parse("{\"type\":\"text\"}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "missing field \"text\"");
  }

  @Test
  void nonStringTextIsRejected() {
    var error = error(parser.parse("{\"type\":\"text\",\"text\":42}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"text\" must be a string", "an integer");
  }

  @Test
  void nullTextIsRejected() {
    var error = error(parser.parse("{\"type\":\"text\",\"text\":null}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"text\" must be a string", "null");
  }

  @Test
  void emptyTextIsRejected() {
    var error = error(parser.parse("{\"type\":\"text\",\"text\":\"\"}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"text\" is empty");
  }

  @Test
  void whitespaceOnlyTextIsRejected() {
    var error = error(parser.parse("{\"type\":\"text\",\"text\":\" \\t\\n\\u00a0\\u3000 \"}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"text\" is only whitespace");
  }

  @Test
  void nonBooleanIsFinalIsRejected() {
    var error = error(parser.parse("{\"type\":\"text\",\"text\":\"hi\",\"is_final\":\"true\"}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"is_final\" must be true or false", "a string");
  }

  @Test
  void nonStringIdIsRejected() {
    var error = error(parser.parse("{\"type\":\"text\",\"text\":\"hi\",\"id\":5}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"id\" must be a string", "an integer");
  }

  @Test
  void overlongIdIsRejectedNamingItsLimit() {
    String id = "u".repeat(129);
    var error = error(parser.parse("{\"type\":\"text\",\"text\":\"hi\",\"id\":\"" + id + "\"}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"id\"", "1 to 128 characters", "129");
  }

  @Test
  void idWithControlCharactersIsRejected() {
    var error = error(parser.parse("{\"type\":\"text\",\"text\":\"hi\",\"id\":\"a\\u0000b\"}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"id\"", "control characters");
  }

  @Test
  void unknownControlCommandIsRejectedListingTheKnownOnes() {
    var error = error(parser.parse("{\"type\":\"control\",\"command\":\"REWIND\"}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "unknown command \"REWIND\"", "PAUSE, RESUME, STOP");
  }

  @Test
  void lowerCaseControlCommandIsRejectedWithAHint() {
    var error = error(parser.parse("{\"type\":\"control\",\"command\":\"pause\"}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "unknown command \"pause\"", "PAUSE, RESUME, STOP", "upper case");
  }

  @Test
  void missingControlCommandIsRejected() {
    var error = error(parser.parse("{\"type\":\"control\"}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "missing field \"command\"", "PAUSE, RESUME, STOP");
  }

  @Test
  void nonStringControlCommandIsRejected() {
    var error = error(parser.parse("{\"type\":\"control\",\"command\":[\"STOP\"]}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"command\" must be a string", "an array");
  }

  @Test
  void resumeWithMalformedSessionIdIsRejected() {
    var error = error(parser.parse("{\"type\":\"resume\",\"session_id\":\"ws-XYZ\","
        + "\"resume_token\":\"" + SessionIds.newResumeToken() + "\",\"last_sequence\":0}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"session_id\"", "12 lowercase hex digits");
  }

  @Test
  void resumeWithMalformedTokenIsRejectedWithoutEchoingIt() {
    String token = "not a token but a secret-looking thing!";
    var error = error(parser.parse("{\"type\":\"resume\",\"session_id\":\"ws-0123456789ab\","
        + "\"resume_token\":\"" + token + "\",\"last_sequence\":0}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"resume_token\"");
    assertFalse(error.message().contains(token), error.message());
  }

  @Test
  void resumeWithoutLastSequenceIsRejected() {
    var error = error(parser.parse("{\"type\":\"resume\",\"session_id\":\"ws-0123456789ab\","
        + "\"resume_token\":\"" + SessionIds.newResumeToken() + "\"}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "missing field \"last_sequence\"");
  }

  @Test
  void resumeWithFractionalLastSequenceIsRejected() {
    var error = error(parser.parse("{\"type\":\"resume\",\"session_id\":\"ws-0123456789ab\","
        + "\"resume_token\":\"" + SessionIds.newResumeToken() + "\",\"last_sequence\":1.5}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"last_sequence\" must be an integer", "a number");
  }

  @Test
  void resumeWithNegativeLastSequenceIsRejected() {
    var error = error(parser.parse("{\"type\":\"resume\",\"session_id\":\"ws-0123456789ab\","
        + "\"resume_token\":\"" + SessionIds.newResumeToken() + "\",\"last_sequence\":-1}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"last_sequence\" must be between 0 and");
  }

  @Test
  void resumeWithLastSequenceBeyondLongIsRejected() {
    var error = error(parser.parse("{\"type\":\"resume\",\"session_id\":\"ws-0123456789ab\","
        + "\"resume_token\":\"" + SessionIds.newResumeToken()
        + "\",\"last_sequence\":99999999999999999999999}"), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"last_sequence\" must be between 0 and");
  }

  @Test
  void textWithAnUnpairedSurrogateEscapeIsRejected() {
    var error = error(parser.parse("{\"type\":\"text\",\"text\":\"ab\\ud800c\"}"),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "\"text\" is not valid Unicode", "index 2");
  }

  // ---- bad input: limits ----

  @Test
  void textOverTheLimitIsRejectedNamingTheLimit() {
    String text = "a".repeat(5001);
    var error = error(parser.parse("{\"type\":\"text\",\"text\":\"" + text + "\"}"),
        ErrorCode.TEXT_TOO_LONG);
    assertMentions(error, "\"text\"", "5001 characters", "limit is 5000 characters");
  }

  @Test
  void messageOverTheByteLimitIsRejectedNamingTheLimit() {
    String json = "{\"type\":\"text\",\"text\":\"" + "a".repeat(65_536) + "\"}";
    var error = error(parser.parse(json), ErrorCode.MESSAGE_TOO_LARGE);
    assertMentions(error, "limit is 65536 bytes");
  }

  @Test
  void byteLimitCountsUtf8BytesNotCharacters() {
    // 30 000 characters of 3 bytes each: under the character count, over the byte limit.
    String json = "{\"type\":\"text\",\"text\":\"" + "世".repeat(30_000) + "\"}";
    error(parser.parse(json), ErrorCode.MESSAGE_TOO_LARGE);
  }

  @Test
  void twoMebibyteMessageIsRejectedBeforeParsing() {
    // Not JSON at all: had it been parsed, the answer would be INVALID_MESSAGE.
    String garbage = "[".repeat(2 * 1024 * 1024);
    var error = error(parser.parse(garbage), ErrorCode.MESSAGE_TOO_LARGE);
    assertMentions(error, "2097152 bytes", "limit is 65536 bytes");
  }

  @Test
  void twoMebibyteTextFrameBytesAreRejectedBeforeDecoding() {
    byte[] garbage = new byte[2 * 1024 * 1024];
    java.util.Arrays.fill(garbage, (byte) 0xFF); // invalid UTF-8 everywhere
    var error = error(parser.parseTextBytes(garbage), ErrorCode.MESSAGE_TOO_LARGE);
    assertMentions(error, "2097152 bytes", "limit is 65536 bytes");
  }

  @Test
  void configuredLimitsApply() {
    var small = new ClientMessageParser(new ProtocolLimits(100, 10, 20, 40));
    assertMentions(error(small.parse("{\"type\":\"text\",\"text\":\"" + "a".repeat(11) + "\"}"),
        ErrorCode.TEXT_TOO_LONG), "limit is 10 characters");
    assertMentions(error(small.parse("{\"type\":\"text\",\"text\":\"" + "a".repeat(90) + "\"}"),
        ErrorCode.MESSAGE_TOO_LARGE), "limit is 100 bytes");
  }

  // ---- bad input: bytes and frames ----

  @Test
  void invalidUtf8InTextFrameBytesIsRejectedWithItsOffset() {
    byte[] prefix = "{\"type\":\"text\",\"text\":\"ab".getBytes(StandardCharsets.US_ASCII);
    byte[] bytes = java.util.Arrays.copyOf(prefix, prefix.length + 3);
    bytes[prefix.length] = (byte) 0xC3; // lead byte followed by a non-continuation byte
    bytes[prefix.length + 1] = (byte) 'x';
    bytes[prefix.length + 2] = (byte) '"';
    var error = error(parser.parseTextBytes(ByteString.fromArray(bytes)),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "not valid UTF-8", "byte offset " + prefix.length);
  }

  @Test
  void overlongUtf8EncodingIsRejected() {
    // 0xC0 0xAF is an overlong '/', which lenient decoders accept.
    byte[] bytes = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"',
        '}'};
    var error = error(parser.parseTextBytes(bytes), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "not valid UTF-8");
  }

  @Test
  void encodedSurrogateIsRejected() {
    // 0xED 0xA0 0x80 is U+D800 in CESU style: not UTF-8.
    byte[] bytes = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
    var error = error(parser.parseTextBytes(bytes), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "not valid UTF-8", "byte offset 1");
  }

  @Test
  void truncatedUtf8AtTheEndIsRejected() {
    byte[] bytes = {'"', 'a', (byte) 0xE4, (byte) 0xB8};
    var error = error(parser.parseTextBytes(bytes), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "not valid UTF-8", "byte offset 2");
  }

  @Test
  void binaryFrameIsRejectedWhenBinaryWasNotNegotiated() {
    ByteString frame = ByteString.fromString("{\"type\":\"control\",\"command\":\"STOP\"}");
    var error = error(parser.parseBinary(frame, AudioTransport.JSON), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "binary frames are not accepted", "?audio=binary");
  }

  @Test
  void binaryGarbageIsRejectedEvenWhenBinaryWasNegotiated() {
    byte[] garbage = new byte[1920];
    java.util.Arrays.fill(garbage, (byte) 0x55);
    var error = error(parser.parseBinary(garbage, AudioTransport.BINARY),
        ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "starts with neither '{' nor a zero byte");
  }

  @Test
  void aBinaryFrameStartingWithAZeroByteIsTheUsersAudioOnAnyConnection() {
    byte[] frame = new byte[8 + 640];
    frame[7] = 1; // sequence 1
    frame[8] = 0x34;
    frame[9] = 0x12;
    for (AudioTransport transport : AudioTransport.values()) {
      ClientMessage.Audio audio = assertInstanceOf(ClientMessage.Audio.class,
          parser.parseBinary(frame, transport));
      assertEquals(640, audio.pcm().size(), "the header is not audio");
      assertEquals(0x1234, InputAudioFormat.samples(audio.pcm())[0], "little-endian samples");
      assertEquals(0, audio.sampleRate(), "the connection's rate applies");
    }
  }

  @Test
  void binaryAudioShorterThanItsHeaderOrLongerThanAnyFrameIsNamed() {
    assertMentions(error(parser.parseBinary(new byte[5], AudioTransport.JSON),
        ErrorCode.INVALID_AUDIO), "5 bytes", "8-byte sequence header");
    assertMentions(error(parser.parseBinary(new byte[8 + 3842], AudioTransport.JSON),
        ErrorCode.INVALID_AUDIO), "3850 bytes", "40 ms at 48 kHz");
  }

  @Test
  void jsonAudioCarriesBase64PcmAndAnOptionalSupportedRate() {
    ClientMessage.Audio audio = assertInstanceOf(ClientMessage.Audio.class,
        parser.parse("{\"type\":\"audio\",\"pcm\":\"NBI=\",\"sample_rate\":16000}"));
    assertEquals(16000, audio.sampleRate());
    assertEquals(0x1234, InputAudioFormat.samples(audio.pcm())[0]);
    assertMentions(error(parser.parse("{\"type\":\"audio\",\"pcm\":\"%%%\"}"),
        ErrorCode.INVALID_AUDIO), "field \"pcm\" is not base64");
    assertMentions(error(parser.parse("{\"type\":\"audio\"}"), ErrorCode.INVALID_AUDIO),
        "missing field \"pcm\"");
    assertMentions(error(parser.parse("{\"type\":\"audio\",\"pcm\":\"\",\"sample_rate\":11025}"),
        ErrorCode.INVALID_AUDIO), "11025 Hz is not supported", "16000");
  }

  @Test
  void listenMayNameARateAndBargeIn() {
    ClientMessage.Listen listen = assertInstanceOf(ClientMessage.Listen.class,
        parser.parse("{\"type\":\"listen\",\"sample_rate\":8000,\"barge_in\":false}"));
    assertEquals(java.util.OptionalInt.of(8000), listen.sampleRate());
    assertEquals(java.util.Optional.of(false), listen.bargeIn());
    ClientMessage.Listen empty = assertInstanceOf(ClientMessage.Listen.class,
        parser.parse("{\"type\":\"listen\"}"));
    assertTrue(empty.sampleRate().isEmpty() && empty.bargeIn().isEmpty());
    assertMentions(error(parser.parse("{\"type\":\"listen\",\"barge_in\":\"no\"}"),
        ErrorCode.INVALID_MESSAGE), "field \"barge_in\" must be true or false");
    assertMentions(error(parser.parse("{\"type\":\"listen\",\"sample_rate\":96000}"),
        ErrorCode.INVALID_AUDIO), "96000 Hz is not supported");
  }

  @Test
  void binaryFrameWithInvalidUtf8IsRejected() {
    byte[] bytes = {'{', '"', (byte) 0xFF, '"', ':', '1', '}'};
    var error = error(parser.parseBinary(bytes, AudioTransport.BINARY), ErrorCode.INVALID_MESSAGE);
    assertMentions(error, "binary frame is not valid UTF-8", "byte offset 2");
  }

  @Test
  void oversizedBinaryFrameIsRejectedBeforeDecoding() {
    byte[] bytes = new byte[2 * 1024 * 1024];
    bytes[0] = '{';
    error(parser.parseBinary(bytes, AudioTransport.BINARY), ErrorCode.MESSAGE_TOO_LARGE);
  }

  @Test
  void errorRendersAsTheWireErrorMessage() {
    var error = error(parser.parse("{\"type\":\"sing\"}"), ErrorCode.INVALID_MESSAGE);
    assertEquals("{\"type\":\"error\",\"message\":\"unknown type \\\"sing\\\"; known types: text,"
        + " control, resume, audio, listen\",\"code\":\"INVALID_MESSAGE\"}", error.toJson());
  }
}
