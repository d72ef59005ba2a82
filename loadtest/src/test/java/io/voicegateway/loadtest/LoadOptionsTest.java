package io.voicegateway.loadtest;

import io.voicegateway.gateway.client.Durations;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadOptionsTest {

  private static LoadOptions ok(String... args) {
    LoadOptions.Parsed p = LoadOptions.parse(args);
    return assertInstanceOf(LoadOptions.Run.class, p, () -> p.toString()).options();
  }

  private static String usageError(String... args) {
    return assertInstanceOf(LoadOptions.UsageError.class, LoadOptions.parse(args)).message();
  }

  @Test
  void defaults() {
    LoadOptions o = ok();
    assertEquals(URI.create("ws://127.0.0.1:8080/"), o.url());
    assertEquals(10, o.sessions());
    assertEquals(Duration.ofSeconds(60), o.duration());
    assertEquals(Duration.ofSeconds(10), o.ramp());
    assertTrue(o.ratePerMinute().isEmpty());
    assertEquals(0, o.bargeIn());
    assertFalse(o.binary());
    assertEquals(Path.of("loadtest-out"), o.out());
    assertEquals(URI.create("http://127.0.0.1:8081/metrics"), o.metrics());
    assertFalse(o.soak());
    assertEquals("json", o.transport());
    assertEquals(Duration.ZERO, o.warmup());
    assertEquals(Runtime.getRuntime().availableProcessors(), o.clients());
    assertTrue(o.speechRatio().isEmpty());
    assertEquals(Duration.ofMillis(100), o.lead());
  }

  @Test
  void warmUpClientsLeadAndSpeechPattern() {
    LoadOptions o = ok("--duration", "50s", "--warmup", "20s", "--clients", "3", "--lead",
        "60ms", "--speech-ratio", "0.25");
    assertEquals(Duration.ofSeconds(20), o.warmup());
    assertEquals(Duration.ofSeconds(30), o.measured());
    assertEquals(3, o.clients());
    assertEquals(Duration.ofMillis(60), o.lead());
    assertEquals(0.25, o.speechRatio().getAsDouble());
    assertTrue(o.pattern().startsWith("speech ratio 0.25"), o.pattern());
    LoadOptions c = ok("--continuous");
    assertEquals(1.0, c.speechRatio().getAsDouble());
    assertTrue(c.pattern().startsWith("continuous"), c.pattern());
    assertEquals(1.0, ok("--continuous", "--speech-ratio", "1").speechRatio().getAsDouble());
  }

  @Test
  void everyOption() {
    LoadOptions o = ok("--url", "ws://gw.example:9000/tts", "--sessions", "2000", "--duration",
        "2m", "--ramp=30s", "--rate", "12", "--barge-in", "0.2", "--binary", "--out", "/tmp/x",
        "--messages-per-session", "50", "--text", "Hi %d");
    assertEquals(2000, o.sessions());
    assertEquals(Duration.ofMinutes(2), o.duration());
    assertEquals(Duration.ofSeconds(30), o.ramp());
    assertEquals(12, o.ratePerMinute().getAsDouble());
    assertEquals(0.2, o.bargeIn());
    assertEquals(URI.create("ws://gw.example:9000/tts?audio=binary"), o.connectUri());
    assertEquals(URI.create("http://gw.example:9001/metrics"), o.metrics());
    assertEquals("binary", o.transport());
    assertEquals(50, o.messagesPerSession());
    assertEquals("Hi %d", o.text());
  }

  @Test
  void soakDefaultsToThirtyMinutes() {
    LoadOptions o = ok("--soak");
    assertTrue(o.soak());
    assertEquals(Duration.ofMinutes(30), o.duration());
    assertEquals(Duration.ofMinutes(45), ok("--soak", "--duration", "45m").duration());
  }

  @Test
  void metricsCanBeGivenOrSwitchedOff() {
    assertEquals(URI.create("http://h:1/m"), ok("--metrics", "http://h:1/m").metrics());
    assertNull(ok("--metrics", "none").metrics());
    assertEquals(URI.create("http://localhost:81/metrics"),
        LoadOptions.derivedMetrics(URI.create("ws://localhost/")));
  }

  @Test
  void aShortDurationHasNoDefaultRamp() {
    assertEquals(Duration.ZERO, ok("--duration", "5s").ramp());
    assertEquals(Duration.ofMillis(1500), ok("--duration", "5s", "--ramp", "1.5s").ramp());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--bogus|unknown option --bogus",
      "--sessions,0|--sessions: must be",
      "--sessions,many|--sessions: \"many\" is not a whole number",
      "--duration,soon|--duration: \"soon\" is not a duration",
      "--duration,500ms|--duration: must be at least 1s",
      "--ramp,90s|--ramp: 90s must be shorter than --duration 60s",
      "--rate,0|--rate: must be above 0",
      "--barge-in,1.5|--barge-in: must be a probability",
      "--url,http://x/|--url: \"http://x/\" is not a ws:// or wss:// URL",
      "--metrics,ftp://x/|--metrics: \"ftp://x/\" is not an http:// or https:// URL",
      "--binary=yes|--binary takes no value",
      "--sessions|--sessions needs a value",
      "stray|unexpected argument \"stray\"",
      "--warmup,60s|--warmup: 60s must be shorter than --duration 60s by at least 1s",
      "--warmup,soon|--warmup: \"soon\" is not a duration",
      "--clients,0|--clients: must be 1..256, got 0",
      "--clients,257|--clients: must be 1..256, got 257",
      "--speech-ratio,0|--speech-ratio: must be above 0 and at most 1",
      "--speech-ratio,1.2|--speech-ratio: must be above 0 and at most 1",
      "--lead,11s|--lead: must be 0..10s",
      "--continuous=1|--continuous takes no value",
      "--continuous,--speech-ratio,0.5|--continuous: cannot be combined with --speech-ratio 0.5",
      "--speech-ratio,0.5,--rate,10|--speech-ratio: cannot be combined with --rate",
      "--continuous,--rate,10|--continuous: cannot be combined with --rate",
  })
  void badOptionsAreNamed(String args, String expected) {
    String message = usageError(args.split(","));
    assertTrue(message.startsWith(expected), message);
  }

  @Test
  void mainExitsTwoNamingTheBadOption() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LoadTestMain.run(new String[] {"--sessions", "5", "--frobnicate", "1"},
        new PrintStream(out), new PrintStream(err), false);
    assertEquals(2, code);
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("unknown option --frobnicate"), e);
    assertTrue(e.contains("--help"), e);
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpListsEveryOptionWithDefaults() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = LoadTestMain.run(new String[] {"--help"}, new PrintStream(out),
        new PrintStream(new ByteArrayOutputStream()), false);
    assertEquals(0, code);
    String help = out.toString(StandardCharsets.UTF_8);
    for (String option : new String[] {"--url", "--sessions", "--duration", "--ramp", "--rate",
        "--barge-in", "--binary", "--out", "--metrics", "--soak", "--messages-per-session",
        "--text", "--warmup", "--clients", "--speech-ratio", "--continuous", "--lead",
        "--help"}) {
      assertTrue(help.contains(option), option);
    }
    assertTrue(help.contains("default ws://127.0.0.1:8080/"), help);
    assertTrue(help.contains("default 10)"), help);
    assertTrue(help.contains("default 60s"), help);
    assertTrue(help.contains("Load test utterance %d."), help);
  }

  @Test
  void unreachableGatewayExitsOne() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LoadTestMain.run(new String[] {"--url", "ws://127.0.0.1:" + port + "/",
        "--duration", "2s", "--out", "target/unreachable"},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), false);
    assertEquals(1, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("gateway unreachable"),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void durations() {
    assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
    assertEquals(Duration.ofSeconds(60), Durations.parse("60"));
    assertEquals(Duration.ofMinutes(30), Durations.parse("30m"));
    assertEquals(Duration.ofHours(1), Durations.parse("1h"));
    assertEquals("1.5s", Durations.format(Duration.ofMillis(1500)));
    assertEquals("30m", Durations.format(Duration.ofMinutes(30)));
  }
}
