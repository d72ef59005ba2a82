package io.voicegateway.gateway.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.gateway.protocol.AudioTransport;
import io.voicegateway.gateway.protocol.ErrorCode;
import io.voicegateway.gateway.protocol.ServerMessages;
import io.voicegateway.gateway.protocol.UtteranceEndReason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SayCommandTest {

  private static ActorSystem<Void> system;
  private ScriptedServer server;

  @TempDir
  Path dir;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create(Behaviors.empty(), "say-command-test");
  }

  @AfterAll
  static void stopSystem() {
    system.terminate();
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private int run(String... args) {
    return SayCommand.run(args, out, err);
  }

  // --- the command line -------------------------------------------------------------------------

  @Test
  void defaultsAreLocalGatewaySayWavAndOneMinute() {
    var run = assertInstanceOf(SayCommand.Run.class, SayCommand.parse(new String[] {"Hello."}));
    assertEquals(new SayCommand.Options("Hello.", URI.create("ws://127.0.0.1:8080/"),
        Path.of("say.wav"), false, Duration.ofSeconds(60)), run.options());
  }

  @Test
  void everyOptionInBothSpellings() {
    var run = assertInstanceOf(SayCommand.Run.class, SayCommand.parse(new String[] {
        "--url=ws://gw:9000/tts", "--out", "x.wav", "--binary", "--timeout=500ms", "Hi there"}));
    assertEquals(new SayCommand.Options("Hi there", URI.create("ws://gw:9000/tts"),
        Path.of("x.wav"), true, Duration.ofMillis(500)), run.options());
    assertEquals(URI.create("ws://gw:9000/tts?audio=binary"), run.options().connectUri());
  }

  @Test
  void binaryKeepsOtherQueryParametersAndAddsAPath() {
    assertEquals(URI.create("ws://gw:9000/?x=1&audio=binary"), options("ws://gw:9000?x=1", true)
        .connectUri());
    assertEquals(URI.create("ws://gw/?audio=binary"), options("ws://gw/?audio=binary", true)
        .connectUri());
    assertEquals(URI.create("ws://gw/"), options("ws://gw/", false).connectUri());
  }

  private static SayCommand.Options options(String url, boolean binary) {
    return new SayCommand.Options("t", URI.create(url), Path.of("o.wav"), binary,
        Duration.ofSeconds(1));
  }

  @Test
  void aTextStartingWithADashFollowsTheDoubleDash() {
    var run = assertInstanceOf(SayCommand.Run.class,
        SayCommand.parse(new String[] {"--", "-5 degrees"}));
    assertEquals("-5 degrees", run.options().text());
  }

  @Test
  void helpPrintsUsageWithDefaultsAndExits0() {
    assertEquals(0, run("--help"));
    assertTrue(out().startsWith("Usage: voicegw say \"text\" [options]"), out());
    assertTrue(out().contains("(default ws://127.0.0.1:8080/)"), out());
    assertTrue(out().contains("(default say.wav)"), out());
    assertTrue(out().contains("(default 60s)"), out());
    assertTrue(out().contains("--binary"), out());
    assertEquals("", err());
    assertEquals(0, run("hello", "-h"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--loud hello                       | say: unknown option --loud",
      "hello --url                        | say: --url needs a value",
      "hello --url http://gw/  | say: --url: expected ws://HOST:PORT/ or wss://HOST:PORT/",
      "hello --url ws://gw/?audio=mp3 | say: --url: query parameter audio must be json or binary",
      "hello --url ws://gw/#frag          | say: --url: a WebSocket URL has no #fragment",
      "hello --timeout soon               | say: --timeout: \"soon\" is not a duration",
      "hello --timeout 0s                 | say: --timeout: must be more than 0",
      "hello --timeout 2d                 | say: --timeout: \"2d\" is not a duration",
      "hello --binary=yes                 | say: --binary takes no value",
      "hello --binary --url ws://gw/?audio=json | say: --binary conflicts with audio=json in --url",
      "hello world                        | say: unexpected argument \"world\"",
      "--binary                           | say: no text given",
  })
  void usageErrorsExit2AndNameTheProblem(String commandLine, String expected) {
    assertEquals(2, run(commandLine.split(" ")));
    assertTrue(err().startsWith(expected), err());
    assertTrue(err().contains("Try 'voicegw say --help'."), err());
    assertEquals("", out());
  }

  @Test
  void aBlankTextIsAUsageError() {
    assertEquals(2, run(" \t "));
    assertTrue(err().startsWith("say: the text is empty"), err());
  }

  // --- against a scripted server ----------------------------------------------------------------

  /** A version 2 gateway that speaks every text as {@code frames} frames. */
  private void startGateway(int frames) throws Exception {
    startServer(true, (c, m) -> {
      String id = m.text().replaceAll(".*\"id\":\"([^\"]*)\".*", "$1");
      c.sendText(ServerMessages.utteranceStart(id));
      sendFrames(c, frames);
      c.sendText(ServerMessages.utteranceEnd(id, frames, UtteranceEndReason.COMPLETED));
    });
  }

  private void startServer(boolean v2, BiConsumer<ScriptedServer.Connection,
      ScriptedServer.Received> onMessage) throws Exception {
    server = ScriptedServer.start(system,
        c -> c.sendText(v2 ? ServerMessages.sessionStart("ws-00000000abcd",
            c.binaryAudio() ? AudioTransport.BINARY : AudioTransport.JSON)
            : ServerMessages.sessionStart("ws-00000000abcd")),
        onMessage);
  }

  private static void sendFrames(ScriptedServer.Connection c, int frames) {
    for (int i = 0; i < frames; i++) {
      long seq = c.sequence.incrementAndGet();
      byte[] pcm = ServerEventParserTest.randomFrame(seq);
      if (c.binaryAudio()) {
        c.sendBinary(ServerMessages.binaryAudio(pcm, seq).toArray());
      } else {
        c.sendText(ServerMessages.audio(pcm, seq));
      }
    }
  }

  private static byte[] expectedPcm(int frames) {
    ByteArrayOutputStream pcm = new ByteArrayOutputStream();
    for (int seq = 1; seq <= frames; seq++) {
      pcm.writeBytes(ServerEventParserTest.randomFrame(seq));
    }
    return pcm.toByteArray();
  }

  private int say(String... options) {
    String[] args = new String[options.length + 3];
    args[0] = "Hello there.";
    args[1] = "--url=" + server.uri();
    args[2] = "--out=" + dir.resolve("say.wav");
    System.arraycopy(options, 0, args, 3, options.length);
    return run(args);
  }

  @Test
  void speaksUntilUtteranceEndAndWritesTheWav() throws Exception {
    startGateway(25);
    assertEquals(0, say(), err());
    assertEquals("{\"type\":\"text\",\"text\":\"Hello there.\",\"is_final\":true,\"id\":\"say-1\"}",
        server.nextConnection().next().text());
    String[] lines = out().split("\n");
    assertEquals("session: ws-00000000abcd (protocol version 2, audio json)", lines[0]);
    assertTrue(lines[1].matches("first audio: \\d+\\.\\d ms"), lines[1]);
    assertEquals("frames: 25", lines[2]);
    assertEquals("audio: 0.500 s", lines[3]);
    assertTrue(lines[4].matches("wall time: \\d+\\.\\d{3} s"), lines[4]);
    assertEquals("wrote: " + dir.resolve("say.wav"), lines[5]);
    WavFile wav = WavFile.read(dir.resolve("say.wav"));
    assertEquals(48_000, wav.sampleRate());
    assertEquals(1, wav.channels());
    assertArrayEquals(expectedPcm(25), wav.pcm());
    assertEquals("", err());
  }

  @Test
  void binaryAudioGivesTheSameWav() throws Exception {
    startGateway(3);
    assertEquals(0, say("--binary"), err());
    assertTrue(server.nextConnection().binaryAudio());
    assertTrue(out().startsWith("session: ws-00000000abcd (protocol version 2, audio binary)"),
        out());
    assertArrayEquals(expectedPcm(3), WavFile.read(dir.resolve("say.wav")).pcm());
  }

  @Test
  void aVersion1ServerIsDoneTwoSecondsAfterTheLastFrame() throws Exception {
    startServer(false, (c, m) -> sendFrames(c, 4));
    long start = System.nanoTime();
    assertEquals(0, say(), err());
    long took = System.nanoTime() - start;
    assertFalse(server.nextConnection().next().text().contains("\"id\""),
        "a version 1 server gets no utterance id");
    assertTrue(took >= SayCommand.V1_QUIET_PERIOD.toNanos(), "took " + took / 1_000_000 + " ms");
    assertTrue(out().startsWith("session: ws-00000000abcd (protocol version 1, audio json)"),
        out());
    assertTrue(out().contains("frames: 4\n"), out());
    assertArrayEquals(expectedPcm(4), WavFile.read(dir.resolve("say.wav")).pcm());
  }

  @Test
  void aServerErrorExits1WithItsCodeAndMessage() throws Exception {
    startServer(true, (c, m) -> c.sendText(ServerMessages.error(ErrorCode.WORKER_UNAVAILABLE,
        "no TTS worker is available")));
    assertEquals(1, say());
    assertEquals("say: server error WORKER_UNAVAILABLE: no TTS worker is available\n", err());
    assertFalse(Files.exists(dir.resolve("say.wav")));
  }

  @Test
  void aGapInTheSequenceExits1() throws Exception {
    startServer(true, (c, m) -> {
      sendFrames(c, 2);
      c.sequence.incrementAndGet();
      sendFrames(c, 1);
    });
    assertEquals(1, say());
    assertEquals("say: audio sequence is not contiguous: expected 3, got 4\n", err());
  }

  @Test
  void anUtteranceThatFailedExits1() throws Exception {
    startServer(true, (c, m) -> {
      sendFrames(c, 2);
      c.sendText(ServerMessages.utteranceEnd("say-1", 2, UtteranceEndReason.FAILED));
    });
    assertEquals(1, say());
    assertEquals("say: the utterance ended as failed after 2 frames\n", err());
  }

  @Test
  void aFrameCountThatDisagreesExits1() throws Exception {
    startServer(true, (c, m) -> {
      sendFrames(c, 2);
      c.sendText(ServerMessages.utteranceEnd("say-1", 3, UtteranceEndReason.COMPLETED));
    });
    assertEquals(1, say());
    assertEquals("say: utterance_end counts 3 frames, 2 arrived\n", err());
  }

  @Test
  void noUtteranceEndInTimeExits1NamingTheTimeout() throws Exception {
    startServer(true, (c, m) -> sendFrames(c, 1));
    assertEquals(1, say("--timeout", "300ms"));
    assertEquals("say: timed out after 300 ms waiting for utterance_end of say-1 (1 frames"
        + " received)\n", err());
  }

  @Test
  void aClosedConnectionExits1() throws Exception {
    startServer(true, (c, m) -> c.complete());
    assertEquals(1, say());
    assertTrue(err().startsWith("say: connection closed (1000) while waiting for server event"),
        err());
  }

  @Test
  void nobodyListeningExits1WithConnectionRefused() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String url = "ws://127.0.0.1:" + port + "/";
    assertEquals(1, SayCommand.say(new SayCommand.Options("hi", URI.create(url),
        dir.resolve("x.wav"), false, Duration.ofSeconds(5)), HttpClient.newHttpClient(), out, err));
    assertEquals("say: cannot connect to " + url + ": connection refused\n", err());
  }
}
