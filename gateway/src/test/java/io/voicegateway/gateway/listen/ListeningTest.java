package io.voicegateway.gateway.listen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import io.voicegateway.gateway.testkit.RawWebSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway hears the user over WebSocket: real speech (espeak-ng) streamed at real time as the
 * client's microphone, real Silero VAD in the gateway, a real worker (mock-440hz: 25 frames, half
 * a second, per text) as the agent's voice. The agent is interrupted when the user talks over it,
 * goes on where it stopped after a short sound, and the user's turns end; bad audio is named and
 * loses nothing else.
 */
class ListeningTest {

  private static final Duration WAIT = GatewayFixture.WAIT;
  private static final int RATE = 16_000;
  private static final int MOCK_FRAMES = 25;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();

  private static GatewayFixture fixture;

  @BeforeAll
  static void start() {
    fixture = GatewayFixture.start("mock-440hz", "");
    fixture.awaitWorkers(1);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static GatewayClient connect(String query) throws Exception {
    return GatewayClient.connect(http, fixture.wsUri(query)).get(30, TimeUnit.SECONDS);
  }

  private static boolean is(ServerEvent e, String type) {
    return e instanceof ServerEvent.Unknown u && u.type().equals(type);
  }

  private static JsonNode json(ServerEvent e) throws Exception {
    return JSON.readTree(((ServerEvent.Unknown) e).rawJson());
  }

  /** Events until one matches {@code last} (included). */
  private static List<ServerEvent> until(GatewayClient c, Predicate<ServerEvent> last)
      throws Exception {
    List<ServerEvent> events = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      ServerEvent e = c.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (e == null) throw new AssertionError("no matching event within " + WAIT + ": " + events);
      events.add(e);
      if (last.test(e)) return events;
    }
  }

  private static CompletableFuture<Void> play(GatewayClient c, short[] samples) {
    return CompletableFuture.runAsync(() -> SpeechAudio.playInRealTime(samples, RATE, 20,
        frame -> c.sendBinary(frame).join()));
  }

  @Test
  void sessionStartShowsTheDeclaredInputFormatAndListenChangesIt() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(fixture.wsUri("?input_rate=16000"), WAIT)) {
      JsonNode start = JSON.readTree(ws.readMessage(WAIT).text());
      assertEquals("session_start", start.path("type").asText(), start.toString());
      assertEquals(16000, start.path("input_audio").path("sample_rate").asInt(), start.toString());
      assertEquals("pcm_s16le", start.path("input_audio").path("encoding").asText());
      assertTrue(start.path("barge_in").asBoolean(), start.toString());

      ws.sendText("{\"type\":\"listen\",\"sample_rate\":48000,\"barge_in\":false}");
      JsonNode listening = JSON.readTree(ws.readMessage(WAIT).text());
      assertEquals("listening", listening.path("type").asText(), listening.toString());
      assertEquals(48000, listening.path("input_audio").path("sample_rate").asInt());
      assertFalse(listening.path("barge_in").asBoolean());
    }
  }

  @Test
  void anUnsupportedInputRateRefusesTheUpgradeNamingTheSupportedRates() {
    RawWebSocket.UpgradeRefusedException refused = assertThrows(
        RawWebSocket.UpgradeRefusedException.class,
        () -> RawWebSocket.connect(fixture.wsUri("?input_rate=44100"), WAIT));
    assertEquals(400, refused.status());
    assertTrue(refused.body().contains("supported rates: 8000, 16000, 24000, 32000, 48000 Hz"),
        refused.body());
  }

  @Test
  void theUserTalkingOverTheAgentInterruptsItAndTheTurnEnds() throws Exception {
    try (GatewayClient c = connect("?input_rate=16000")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      for (int i = 0; i < 12; i++) c.sendText("sentence " + i); // six seconds of agent speech
      until(c, e -> e instanceof ServerEvent.Audio);
      short[] speech = SpeechAudio.espeak(
          "Hello there, I would like to ask you about my order please", 150, RATE);
      CompletableFuture<Void> mic = play(c, SpeechAudio.concat(SpeechAudio.silence(RATE, 300),
          speech, SpeechAudio.silence(RATE, 1500)));

      List<ServerEvent> events = until(c, e -> is(e, "user_turn_end"));
      mic.get(30, TimeUnit.SECONDS);
      List<String> order = events.stream()
          .map(e -> e instanceof ServerEvent.Unknown u ? u.type()
              : e instanceof ServerEvent.Clear ? "clear"
              : e instanceof ServerEvent.UtteranceEnd u ? "utterance_end:" + u.reason() : "")
          .filter(s -> !s.isEmpty() && !s.equals("utterance_end:completed")).toList();
      int started = order.indexOf("speech_started");
      assertTrue(started >= 0, order.toString());
      assertEquals(List.of("speech_started", "clear", "interruption_started",
          "interruption_confirmed"), order.subList(started, started + 4), order.toString());
      assertEquals("utterance_end:interrupted", order.get(started + 4), order.toString());

      // after the interruption nothing of the agent is heard again: every queued text ended too
      int confirmedAt = indexOf(events, e -> is(e, "interruption_confirmed"));
      assertTrue(events.subList(confirmedAt, events.size()).stream()
          .noneMatch(e -> e instanceof ServerEvent.Audio), "audio after the confirmation");
      long interrupted = events.stream().filter(e -> e instanceof ServerEvent.UtteranceEnd u
          && u.reason().equals("interrupted")).count();
      long completed = events.stream().filter(e -> e instanceof ServerEvent.UtteranceEnd u
          && u.reason().equals("completed")).count();
      assertEquals(12, interrupted + completed, events.toString());
      JsonNode turn = json(events.get(events.size() - 1));
      assertTrue(turn.path("speech_ms").asLong() > 1000, turn.toString());

      // the session goes on: a new text is spoken in full
      c.sendText("after the interruption");
      List<ServerEvent> after = c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT);
      assertEquals(MOCK_FRAMES, after.stream().filter(e -> e instanceof ServerEvent.Audio).count());
    }
  }

  @Test
  void aShortSoundOverTheAgentPausesItAndItGoesOnWithNothingLost() throws Exception {
    try (GatewayClient c = connect("?input_rate=16000")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      for (int i = 0; i < 8; i++) c.sendText("sentence " + i, "s" + i); // four seconds
      until(c, e -> e instanceof ServerEvent.Audio);
      short[] shortWord = SpeechAudio.trimmed(SpeechAudio.espeak("yes", 220, RATE));
      assertTrue(shortWord.length < RATE * 45 / 100, "the word is shorter than min-interruption: "
          + shortWord.length * 1000 / RATE + " ms");
      CompletableFuture<Void> mic = play(c, SpeechAudio.concat(SpeechAudio.silence(RATE, 200),
          shortWord, SpeechAudio.silence(RATE, 2500)));

      List<ServerEvent> events = until(c, e -> e instanceof ServerEvent.UtteranceEnd u
          && u.id().equals("s7"));
      mic.get(30, TimeUnit.SECONDS);
      int startedAt = indexOf(events, e -> is(e, "interruption_started"));
      int falseAt = indexOf(events, e -> is(e, "false_interruption"));
      assertTrue(startedAt > 0 && falseAt > startedAt, events.toString());
      assertTrue(events.stream().noneMatch(e -> is(e, "interruption_confirmed")));
      JsonNode interruption = json(events.get(startedAt));
      String id = interruption.path("id").asText();
      long played = interruption.path("frames_played").asLong();
      assertTrue(events.get(startedAt - 1) instanceof ServerEvent.Clear, events.toString());

      // nothing lost or repeated for the listener: the frames of the interrupted utterance after
      // the false interruption are exactly those it had not heard
      long after = events.subList(falseAt, events.size()).stream()
          .takeWhile(e -> !(e instanceof ServerEvent.UtteranceEnd u && u.id().equals(id)))
          .filter(e -> e instanceof ServerEvent.Audio).count();
      assertEquals(MOCK_FRAMES - played, after, "frames after the false interruption");
      for (ServerEvent e : events) {
        if (e instanceof ServerEvent.UtteranceEnd u) {
          assertEquals("completed", u.reason(), u.toString());
          assertEquals(MOCK_FRAMES, u.frames(), u.toString());
        }
      }
      // sequences go on without a gap, replayed frames included
      long expected = -1;
      for (ServerEvent e : events) {
        if (e instanceof ServerEvent.Audio a) {
          if (expected > 0) assertEquals(expected, a.sequence());
          expected = a.sequence() + 1;
        }
      }
    }
  }

  @Test
  void aSessionResumedWhileInterruptedIsNotLeftPaused() throws Exception {
    String sessionId;
    String token;
    long lastSequence = 0;
    try (GatewayClient c = connect("?input_rate=16000")) {
      ServerEvent.SessionStart start = c.expect(ServerEvent.SessionStart.class, WAIT);
      sessionId = start.sessionId();
      token = start.resumeToken().orElseThrow();
      for (int i = 0; i < 6; i++) c.sendText("sentence " + i, "r" + i);
      until(c, e -> e instanceof ServerEvent.Audio);
      CompletableFuture<Void> mic = play(c, SpeechAudio.concat(SpeechAudio.silence(RATE, 200),
          SpeechAudio.trimmed(SpeechAudio.espeak("yes", 220, RATE)),
          SpeechAudio.silence(RATE, 400)));
      for (ServerEvent e : until(c, e -> is(e, "interruption_started"))) {
        if (e instanceof ServerEvent.Audio a) lastSequence = a.sequence();
      }
      mic.get(30, TimeUnit.SECONDS);
      c.abort(); // the connection breaks while the agent is paused by the interruption
    }
    try (GatewayClient c = connect("?input_rate=16000")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      c.sendResume(sessionId, token, lastSequence);
      ServerEvent.SessionResumed resumed = c.expect(ServerEvent.SessionResumed.class, WAIT);
      assertFalse(resumed.paused(), "the interruption's pause is not carried over: " + resumed);
      List<ServerEvent> events = until(c, e -> e instanceof ServerEvent.UtteranceEnd u
          && u.id().equals("r5"));
      assertTrue(events.stream().anyMatch(e -> e instanceof ServerEvent.Audio), events.toString());
      assertTrue(events.stream().allMatch(e -> !(e instanceof ServerEvent.UtteranceEnd u)
          || u.reason().equals("completed")), events.toString());
    }
  }

  @Test
  void withBargeInOffTheUserIsHeardButTheAgentGoesOn() throws Exception {
    try (GatewayClient c = connect("?input_rate=16000")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      c.sendRaw("{\"type\":\"listen\",\"barge_in\":false}");
      until(c, e -> is(e, "listening"));
      for (int i = 0; i < 8; i++) c.sendText("sentence " + i, "b" + i);
      until(c, e -> e instanceof ServerEvent.Audio);
      CompletableFuture<Void> mic = play(c, SpeechAudio.concat(SpeechAudio.silence(RATE, 200),
          SpeechAudio.espeak("Wait a moment, I have a question", 150, RATE),
          SpeechAudio.silence(RATE, 800)));
      List<ServerEvent> events = until(c, e -> e instanceof ServerEvent.UtteranceEnd u
          && u.id().equals("b7"));
      mic.get(30, TimeUnit.SECONDS);
      assertTrue(events.stream().anyMatch(e -> is(e, "speech_started")), events.toString());
      assertTrue(events.stream().noneMatch(e -> is(e, "interruption_started")
          || e instanceof ServerEvent.Clear), events.toString());
      assertTrue(events.stream().allMatch(e -> !(e instanceof ServerEvent.UtteranceEnd u)
          || u.reason().equals("completed")), events.toString());
    }
  }

  @Test
  void badAudioIsNamedAndLaterSpeechIsStillHeard() throws Exception {
    try (GatewayClient c = connect("?input_rate=16000&audio=json")) {
      c.expect(ServerEvent.SessionStart.class, WAIT);
      refused(c, () -> c.sendBinary(SpeechAudio.binaryFrame(1, new byte[321])), "INVALID_AUDIO",
          "odd number of bytes (321)");
      refused(c, () -> c.sendBinary(SpeechAudio.binaryFrame(1, new byte[64])), "INVALID_AUDIO",
          "frames must hold 10 to 40 ms (320 to 1280 bytes)");
      refused(c, () -> c.sendBinary(new byte[] {0, 0, 1}), "INVALID_AUDIO",
          "shorter than its 8-byte sequence header");
      refused(c, () -> c.sendBinary(SpeechAudio.binaryFrame(1, new byte[8000])), "INVALID_AUDIO",
          "larger than any allowed frame");
      refused(c, () -> c.sendRaw("{\"type\":\"audio\",\"pcm\":\"not base64!\"}"),
          "INVALID_AUDIO", "field \"pcm\" is not base64");
      refused(c, () -> c.sendRaw("{\"type\":\"audio\",\"pcm\":\"AAAA\",\"sample_rate\":44100}"),
          "INVALID_AUDIO", "44100 Hz is not supported");
      String frame48k = Base64.getEncoder().encodeToString(new byte[1920]);
      refused(c, () -> c.sendRaw("{\"type\":\"audio\",\"pcm\":\"" + frame48k
          + "\",\"sample_rate\":48000}"), "INVALID_AUDIO", "this session hears 16000 Hz");
      // a flood: ten seconds of audio at once
      byte[] silence20ms = new byte[640];
      for (int i = 0; i < 500; i++) {
        c.sendBinary(SpeechAudio.binaryFrame(i + 1, silence20ms)).join();
      }
      ServerEvent.Error flood = c.expect(ServerEvent.Error.class, WAIT);
      assertEquals("RATE_LIMITED", flood.code(), flood.toString());
      assertTrue(flood.message().contains("audio faster than real time"), flood.message());

      // the session goes on and hears speech sent as JSON audio
      short[] speech = SpeechAudio.concat(SpeechAudio.silence(RATE, 1200),
          SpeechAudio.espeak("Can you still hear me", 150, RATE), SpeechAudio.silence(RATE, 800));
      CompletableFuture<Void> mic = CompletableFuture.runAsync(() -> SpeechAudio.playInRealTime(
          speech, RATE, 20, f -> c.sendRaw("{\"type\":\"audio\",\"pcm\":\"" + Base64.getEncoder()
              .encodeToString(java.util.Arrays.copyOfRange(f, 8, f.length)) + "\"}").join()));
      List<ServerEvent> events = until(c, e -> is(e, "user_turn_end"));
      mic.get(30, TimeUnit.SECONDS);
      assertTrue(events.stream().anyMatch(e -> is(e, "speech_started")), events.toString());
      c.sendText("still speaking");
      assertEquals(MOCK_FRAMES, c.collectUntil(ServerEvent.UtteranceEnd.class, WAIT).stream()
          .filter(e -> e instanceof ServerEvent.Audio).count());
    }
  }

  private interface Send {
    CompletableFuture<?> send();
  }

  private static void refused(GatewayClient c, Send send, String code, String says)
      throws Exception {
    send.send().join();
    ServerEvent.Error e = c.expect(ServerEvent.Error.class, WAIT);
    assertEquals(code, e.code(), e.toString());
    assertTrue(e.message().contains(says), e.message());
  }

  private static int indexOf(List<ServerEvent> events, Predicate<ServerEvent> p) {
    for (int i = 0; i < events.size(); i++) if (p.test(events.get(i))) return i;
    return -1;
  }
}
