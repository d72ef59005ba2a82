package io.voicegateway.gateway.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.protocol.AudioTransport;
import io.voicegateway.gateway.protocol.ErrorCode;
import io.voicegateway.gateway.protocol.ServerMessages;
import io.voicegateway.gateway.protocol.SessionEndReason;
import io.voicegateway.gateway.protocol.UtteranceEndReason;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every server message, rendered by the gateway's own {@link ServerMessages}, read back. */
class ServerEventParserTest {

  private static final long NANOS = 123_456_789L;

  private static ServerEvent parse(String json) {
    return ServerEventParser.parseText(json, NANOS);
  }

  private static MalformedServerMessageException malformed(String json) {
    return assertThrows(MalformedServerMessageException.class, () -> parse(json));
  }

  @Test
  void sessionStartOfVersion1HasVersion0AndJsonTransport() {
    var start = assertInstanceOf(ServerEvent.SessionStart.class,
        parse(ServerMessages.sessionStart("ws-3f9a0c12be47")));
    assertEquals(new ServerEvent.SessionStart("ws-3f9a0c12be47", 0, Optional.empty(),
        AudioTransport.JSON, NANOS), start);
  }

  @Test
  void sessionStartOfVersion2HasVersionTransportAndToken() {
    String token = "q3VxY2hhbmdlLW1lLXRoaXMtaXMtYS10ZXN0LXRva2Vu";
    var start = assertInstanceOf(ServerEvent.SessionStart.class, parse(
        ServerMessages.sessionStart("ws-000000000001", AudioTransport.BINARY, Optional.of(token))));
    assertEquals("ws-000000000001", start.sessionId());
    assertEquals(ServerMessages.PROTOCOL_VERSION, start.protocolVersion());
    assertEquals(AudioTransport.BINARY, start.transport());
    assertEquals(Optional.of(token), start.resumeToken());
    assertEquals(NANOS, start.receivedNanos());
    assertFalse(start.toString().contains(token), start.toString());
    assertTrue(start.toString().contains("<redacted>"), start.toString());
  }

  @Test
  void jsonAudioCarriesPcmSequenceAndFormat() {
    byte[] pcm = randomFrame(1);
    var audio = assertInstanceOf(ServerEvent.Audio.class, parse(ServerMessages.audio(pcm, 42)));
    assertArrayEquals(pcm, audio.pcm());
    assertEquals(42, audio.sequence());
    assertEquals(48_000, audio.sampleRate());
    assertEquals(20, audio.frameMs());
    assertFalse(audio.binary());
    assertEquals(NANOS, audio.receivedNanos());
  }

  @Test
  void jsonAudioLaidOutOtherwiseReadsTheSameAsTheGatewaysOwnLayout() {
    byte[] pcm = randomFrame(3);
    String pcm64 = java.util.Base64.getEncoder().encodeToString(pcm);
    String spaced = "{ \"sequence\": 9007199254740993, \"type\": \"audio\", \"frame_ms\": 20,"
        + " \"sample_rate\": 48000, \"pcm\": \"" + pcm64 + "\" }";
    var fast = assertInstanceOf(ServerEvent.Audio.class,
        parse(ServerMessages.audio(pcm, 9_007_199_254_740_993L)));
    var full = assertInstanceOf(ServerEvent.Audio.class, parse(spaced));
    assertEquals(full.sequence(), fast.sequence());
    assertArrayEquals(full.pcm(), fast.pcm());
    assertEquals(full.sampleRate(), fast.sampleRate());
    assertEquals(full.frameMs(), fast.frameMs());
  }

  @Test
  void jsonAudioInTheGatewaysLayoutWithAShortFrameIsMalformed() {
    String shortPcm = java.util.Base64.getEncoder().encodeToString(new byte[1_917]);
    String json = ServerMessages.audio(randomFrame(4), 5)
        .replaceFirst("\"pcm\":\"[^\"]+\"", "\"pcm\":\"" + shortPcm + "\"");
    var e = assertThrows(MalformedServerMessageException.class, () -> parse(json));
    assertTrue(e.getMessage().contains("1920"), e.getMessage());
  }

  @Test
  void binaryAudioFrameIsBigEndianSequenceThenPcm() {
    byte[] pcm = randomFrame(2);
    byte[] wire = ServerMessages.binaryAudio(pcm, 0x0102030405060708L).toArray();
    ServerEvent.Audio audio = ServerEventParser.parseBinary(wire, NANOS);
    assertEquals(0x0102030405060708L, audio.sequence());
    assertArrayEquals(pcm, audio.pcm());
    assertEquals(ServerMessages.SAMPLE_RATE, audio.sampleRate());
    assertEquals(ServerMessages.FRAME_MS, audio.frameMs());
    assertTrue(audio.binary());
  }

  @Test
  void binaryMessageOfAnotherLengthIsMalformed() {
    var e = assertThrows(MalformedServerMessageException.class,
        () -> ServerEventParser.parseBinary(new byte[1920], NANOS));
    assertTrue(e.getMessage().contains("1928 bytes") && e.getMessage().contains("got 1920"),
        e.getMessage());
  }

  @Test
  void utteranceEventsCarryIdFramesAndReason() {
    assertEquals(new ServerEvent.UtteranceStart("u1", NANOS),
        parse(ServerMessages.utteranceStart("u1")));
    assertEquals(new ServerEvent.UtteranceEnd("u1", 57, "stopped", NANOS),
        parse(ServerMessages.utteranceEnd("u1", 57, UtteranceEndReason.STOPPED)));
    assertEquals(new ServerEvent.WorkerChanged("u1", "worker_failed", NANOS),
        parse(ServerMessages.workerChanged("u1", "worker_failed")));
  }

  @Test
  void playbackEventsHaveNoFields() {
    assertEquals(new ServerEvent.Paused(NANOS), parse(ServerMessages.paused()));
    assertEquals(new ServerEvent.Resumed(NANOS), parse(ServerMessages.resumed()));
    assertEquals(new ServerEvent.Clear(NANOS), parse(ServerMessages.clear()));
  }

  @Test
  void errorKeepsTheWireCodeAndMapsUnknownCodesToInternalError() {
    var error = assertInstanceOf(ServerEvent.Error.class,
        parse(ServerMessages.error(ErrorCode.RATE_LIMITED, "slow down")));
    assertEquals("RATE_LIMITED", error.code());
    assertEquals("slow down", error.message());
    assertEquals(ErrorCode.RATE_LIMITED, error.errorCode());

    var future = assertInstanceOf(ServerEvent.Error.class,
        parse("{\"type\":\"error\",\"message\":\"m\",\"code\":\"QUOTA_EXCEEDED\"}"));
    assertEquals("QUOTA_EXCEEDED", future.code());
    assertEquals(ErrorCode.INTERNAL_ERROR, future.errorCode());
  }

  @Test
  void sessionEndCarriesIdAndReason() {
    assertEquals(new ServerEvent.SessionEnd("ws-1", "slow_consumer", NANOS),
        parse(ServerMessages.sessionEnd("ws-1", SessionEndReason.SLOW_CONSUMER)));
  }

  @Test
  void unknownTypeIsKeptWithTheRawJson() {
    String json = "{\"type\":\"karaoke\",\"lyrics\":[1,2]}";
    assertEquals(new ServerEvent.Unknown("karaoke", json, NANOS), parse(json));
  }

  @Test
  void unknownFieldsAreIgnored() {
    assertEquals(new ServerEvent.UtteranceStart("u1", NANOS),
        parse("{\"type\":\"utterance_start\",\"id\":\"u1\",\"lang\":\"en\"}"));
  }

  /** Rows of "message | problem"; single quotes in the message stand for double quotes. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{'type':'paused'              | invalid JSON at line 1, column 17",
      "{'type':'paused'} {}          | invalid JSON at line 1",
      "{'type':'paused','type':'clear'} | Duplicate field 'type'",
      "[1,2]                         | expected a JSON object, got an array",
      "``                            | expected a JSON object, got nothing",
      "{'id':'u1'}                   | missing field \"type\"",
      "{'type':7}                    | field \"type\" must be a string, got an integer",
      "{'type':'session_start'}      | session_start message: missing field \"session_id\"",
      "{'type':'session_start','session_id':'s','protocol_version':'2'}"
          + "| session_start message: field \"protocol_version\" must be a 32-bit integer,"
          + " got a string",
      "{'type':'session_start','session_id':'s','audio':{}}"
          + "| session_start message: missing field \"audio.transport\"",
      "{'type':'session_start','session_id':'s','audio':{'transport':'opus'}}"
          + "| session_start message: field \"audio.transport\" must be json or binary,"
          + " got \"opus\"",
      "{'type':'audio','pcm':'AAAA','sample_rate':48000,'frame_ms':20,'sequence':1}"
          + "| audio message: field \"pcm\" must hold one frame of 1920 bytes, got 3 bytes",
      "{'type':'audio','pcm':'%%%','sample_rate':48000,'frame_ms':20,'sequence':1}"
          + "| audio message: field \"pcm\" is not valid base64",
      "{'type':'worker_changed','id':'u','reason':5}"
          + "| worker_changed message: field \"reason\" must be a string, got an integer",
      "{'type':'utterance_end','id':'u','frames':1.5,'reason':'completed'}"
          + "| utterance_end message: field \"frames\" must be an integer, got a number with a"
          + " fraction",
      "{'type':'error','message':'m'} | error message: missing field \"code\"",
      "{'type':'session_end','session_id':null,'reason':'completed'}"
          + "| session_end message: field \"session_id\" must be a string, got null",
  })
  void malformedMessagesNameTheProblem(String message, String problem) {
    var e = malformed(message.replace('\'', '"'));
    assertTrue(e.problem().contains(problem), "problem: " + e.problem());
    assertTrue(e.getMessage().startsWith("malformed server message: "), e.getMessage());
    assertEquals(NANOS, e.receivedNanos());
  }

  @Test
  void audioWithAFractionalSampleRateIsMalformed() {
    String json = ServerMessages.audio(randomFrame(4), 1).replace("48000", "48000.0");
    assertEquals("audio message: field \"sample_rate\" must be a 32-bit integer, got a number"
        + " with a fraction", malformed(json).problem());
  }

  @Test
  void nullOptionalFieldsOfSessionStartMeanAbsent() {
    assertEquals(new ServerEvent.SessionStart("ws-1", 0, Optional.empty(), AudioTransport.JSON,
        NANOS), parse("{\"type\":\"session_start\",\"session_id\":\"ws-1\","
        + "\"protocol_version\":null,\"resume_token\":null,\"audio\":null}"));
  }

  @Test
  void audioWithoutSequenceIsMalformed() {
    String json = ServerMessages.audio(randomFrame(3), 1).replace(",\"sequence\":1", "");
    assertEquals("audio message: missing field \"sequence\"", malformed(json).problem());
  }

  @Test
  void malformedMessageNeverShowsAResumeToken() {
    var e = malformed("{\"type\":\"session_start\",\"resume_token\":\"s3cr\\\"et-token\","
        + "\"protocol_version\":2}");
    assertFalse(e.getMessage().contains("s3cr"), e.getMessage());
    assertFalse(e.getMessage().contains("et-token"), e.getMessage());
    assertTrue(e.excerpt().contains("\"resume_token\":\"<redacted>\""), e.excerpt());
  }

  @Test
  void malformedMessageQuotesOnlyTheStartOfALongMessage() {
    String json = "{\"type\":\"clear\",\"x\":\"" + "a".repeat(10_000) + "\"";
    var e = malformed(json);
    assertTrue(e.excerpt().length() < 300, e.excerpt());
    assertTrue(e.excerpt().endsWith("(" + json.length() + " chars)"), e.excerpt());
  }

  @Test
  void typeNamesAreTheWireNames() {
    assertEquals("utterance_end", ServerEventParser.typeName(ServerEvent.UtteranceEnd.class));
    assertEquals("server event", ServerEventParser.typeName(ServerEvent.class));
  }

  static byte[] randomFrame(long seed) {
    byte[] pcm = new byte[ServerMessages.FRAME_BYTES];
    new Random(seed).nextBytes(pcm);
    return pcm;
  }
}
