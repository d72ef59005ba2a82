package io.voicegateway.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ServerMessagesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static byte[] frame(long seed) {
    byte[] pcm = new byte[1920];
    new Random(seed).nextBytes(pcm);
    return pcm;
  }

  /** The audio message as Jackson renders it, with Jackson's own base64 of the bytes. */
  private static String jacksonAudio(byte[] pcm, long sequence) throws Exception {
    ObjectNode node = JSON.createObjectNode()
        .put("type", "audio")
        .put("pcm", pcm)
        .put("sample_rate", 48000)
        .put("frame_ms", 20)
        .put("sequence", sequence);
    return JSON.writeValueAsString(node);
  }

  @Test
  void audioEqualsTheJacksonRendering() throws Exception {
    for (long sequence : new long[] {1, 2, 50, 1_000_000, Long.MAX_VALUE}) {
      byte[] pcm = frame(sequence);
      assertEquals(jacksonAudio(pcm, sequence), ServerMessages.audio(pcm, sequence));
    }
  }

  @Test
  void audioOfSilenceAndOfAllOnesEqualsTheJacksonRendering() throws Exception {
    byte[] ones = new byte[1920];
    java.util.Arrays.fill(ones, (byte) 0xFF);
    assertEquals(jacksonAudio(new byte[1920], 7), ServerMessages.audio(new byte[1920], 7));
    assertEquals(jacksonAudio(ones, 8), ServerMessages.audio(ones, 8));
  }

  @Test
  void audioHasTheWireFieldsInWireOrder() throws Exception {
    String json = ServerMessages.audio(frame(1), 1);
    assertEquals(java.util.List.of("type", "pcm", "sample_rate", "frame_ms", "sequence"),
        fieldNames(JSON.readTree(json)));
  }

  @Test
  void audioBase64RoundTrips1920Bytes() throws Exception {
    byte[] pcm = frame(42);
    JsonNode node = JSON.readTree(ServerMessages.audio(pcm, 3));
    byte[] decoded = Base64.getDecoder().decode(node.get("pcm").textValue());
    assertEquals(1920, decoded.length);
    assertArrayEquals(pcm, decoded);
    assertEquals(3, node.get("sequence").longValue());
  }

  @Test
  void audioRefusesAnythingButOneWholeFrame() {
    assertThrows(IllegalArgumentException.class, () -> ServerMessages.audio(new byte[1919], 1));
    assertThrows(IllegalArgumentException.class, () -> ServerMessages.audio(new byte[3840], 1));
  }

  @Test
  void sessionStartOfTheExistingSystemHasOnlyTypeAndId() {
    assertEquals("{\"type\":\"session_start\",\"session_id\":\"ws-0123456789ab\"}",
        ServerMessages.sessionStart("ws-0123456789ab"));
  }

  @Test
  void sessionStartWithExtensionsAddsVersionAndAudioFormatAfterTheWireFields() {
    assertEquals("{\"type\":\"session_start\",\"session_id\":\"ws-0123456789ab\","
        + "\"protocol_version\":2,\"audio\":{\"sample_rate\":48000,\"frame_ms\":20,"
        + "\"encoding\":\"pcm_s16le\",\"channels\":1,\"transport\":\"binary\"}}",
        ServerMessages.sessionStart("ws-0123456789ab", AudioTransport.BINARY));
  }

  @Test
  void sessionStartCarriesTheResumeTokenWhenGiven() throws Exception {
    JsonNode node = JSON.readTree(ServerMessages.sessionStart("ws-0123456789ab",
        AudioTransport.JSON, Optional.of("tok")));
    assertEquals("tok", node.get("resume_token").textValue());
    assertEquals("json", node.get("audio").get("transport").textValue());
  }

  @Test
  void sessionEndRendersAsInWire() {
    assertEquals("{\"type\":\"session_end\",\"session_id\":\"ws-0123456789ab\","
        + "\"reason\":\"idle_timeout\"}",
        ServerMessages.sessionEnd("ws-0123456789ab", SessionEndReason.IDLE_TIMEOUT));
  }

  @Test
  void errorHasMessageBeforeCode() {
    assertEquals("{\"type\":\"error\",\"message\":\"no worker\",\"code\":\"WORKER_UNAVAILABLE\"}",
        ServerMessages.error(ErrorCode.WORKER_UNAVAILABLE, "no worker"));
  }

  @Test
  void errorEscapesItsMessage() throws Exception {
    String message = "quote \" backslash \\ newline \n tab \t nul \u0000 emoji 😀";
    JsonNode node = JSON.readTree(ServerMessages.error(ErrorCode.INVALID_MESSAGE, message));
    assertEquals(message, node.get("message").textValue());
  }

  @Test
  void utteranceEventsRender() {
    assertEquals("{\"type\":\"utterance_start\",\"id\":\"u1\"}",
        ServerMessages.utteranceStart("u1"));
    assertEquals("{\"type\":\"utterance_end\",\"id\":\"u1\",\"frames\":57,\"reason\":\"stopped\"}",
        ServerMessages.utteranceEnd("u1", 57, UtteranceEndReason.STOPPED));
  }

  @Test
  void playbackEventsRender() {
    assertEquals("{\"type\":\"paused\"}", ServerMessages.paused());
    assertEquals("{\"type\":\"resumed\"}", ServerMessages.resumed());
    assertEquals("{\"type\":\"clear\"}", ServerMessages.clear());
  }

  @Test
  void workerChangedRenders() {
    assertEquals("{\"type\":\"worker_changed\",\"id\":\"u1\",\"reason\":\"worker_failed\"}",
        ServerMessages.workerChanged("u1", "worker_failed"));
  }

  @Test
  void wireErrorCodesAreMarkedAsDocumented() {
    assertEquals(java.util.List.of("INVALID_MESSAGE", "WORKER_UNAVAILABLE", "SYNTHESIS_FAILED",
        "CONNECTION_ERROR", "INTERNAL_ERROR"),
        java.util.Arrays.stream(ErrorCode.values()).filter(ErrorCode::documentedInWire)
            .map(ErrorCode::wireName).toList());
  }

  private static java.util.List<String> fieldNames(JsonNode node) {
    java.util.List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
