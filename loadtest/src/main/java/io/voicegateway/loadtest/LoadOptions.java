package io.voicegateway.loadtest;

import io.voicegateway.gateway.client.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What {@code voicegw loadtest} is asked to do.
 *
 * @param url the gateway's WebSocket URL as given ({@link #connectUri()} adds {@code audio=binary})
 * @param sessions concurrent WebSocket sessions
 * @param duration the whole run, ramp included; no utterance starts after it
 * @param ramp sessions start linearly over this time
 * @param ratePerMinute texts per session per minute; empty: speak, wait 0.5–1.5 s after
 *     {@code utterance_end}, speak again
 * @param bargeIn probability that an utterance is interrupted (PAUSE then RESUME, or STOP)
 * @param binary receive audio as binary frames ({@code ?audio=binary})
 * @param out directory for summary.json, report.html and the charts
 * @param metrics the gateway's Prometheus endpoint; null: do not sample
 * @param soak long-run mode: charts of heap, threads and sessions over the whole run, 10 s windows
 * @param messagesPerSession texts and controls one connection sends before the harness replaces it
 *     with a new one (the gateway ends a session after {@code voicegw.session.max-messages})
 * @param text what each utterance says; {@code %d} becomes the utterance's number
 * @param warmup from the start of the run, sessions run but nothing is recorded (part of the
 *     duration)
 * @param clients how many {@code HttpClient}s (each with its own selector thread) the sessions
 *     are spread over, round-robin
 * @param speechRatio share of each session's time spent speaking: after an utterance of T
 *     seconds the session waits T·(1−R)/R on average; 1 is continuous speech. Empty: the default
 *     pattern (or {@code ratePerMinute})
 * @param lead the gateway's {@code voicegw.session.pacing.lead}, for the playout model
 *     ({@link PlayoutMeter})
 */
record LoadOptions(URI url, int sessions, Duration duration, Duration ramp,
    OptionalDouble ratePerMinute, double bargeIn, boolean binary, Path out, URI metrics,
    boolean soak, int messagesPerSession, String text, Duration warmup, int clients,
    OptionalDouble speechRatio, Duration lead) {

  static final URI DEFAULT_URL = URI.create("ws://127.0.0.1:8080/");
  static final int DEFAULT_SESSIONS = 10;
  static final Duration DEFAULT_DURATION = Duration.ofSeconds(60);
  static final Duration DEFAULT_SOAK_DURATION = Duration.ofMinutes(30);
  static final Duration DEFAULT_RAMP = Duration.ofSeconds(10);
  static final Path DEFAULT_OUT = Path.of("loadtest-out");
  static final int DEFAULT_MESSAGES_PER_SESSION = 90;
  static final String DEFAULT_TEXT = "Load test utterance %d.";
  static final int MAX_SESSIONS = 100_000;
  static final int MAX_CLIENTS = 256;
  static final Duration DEFAULT_LEAD = Duration.ofMillis(100);
  static final Duration MAX_LEAD = Duration.ofSeconds(10);
  /** What is left of the duration after the warm-up: at least this. */
  static final Duration MIN_MEASURED = Duration.ofSeconds(1);

  /** One {@code HttpClient} per available processor. */
  static int defaultClients() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  static final String USAGE = """
      Usage: voicegw loadtest [options]

      Opens N WebSocket sessions to a gateway (started linearly over --ramp); each speaks,
      optionally interrupts itself, and speaks again until --duration is over. Measures at the
      client playout underruns and frame lateness, frame jitter, first-audio and barge-in
      latency, lost/duplicated/out-of-order frames, errors and its own CPU per frame; samples
      the gateway's /metrics every second. Nothing is recorded during --warmup. Writes
      DIR/summary.json, DIR/report.html and the charts (DIR/*.png); progress goes to stderr.

      Options:
        --url URL             gateway WebSocket URL (default %s)
        --sessions N          concurrent sessions (default %d)
        --duration TIME       length of the run, ramp and warm-up included, e.g. 60s, 30m
                              (default %s; with --soak %s)
        --ramp TIME           start the sessions linearly over this time (default %s, at most
                              the duration)
        --warmup TIME         sessions run but nothing is recorded (statistics, counts, CPU)
                              for this long from the start; shorter than the duration
                              (default 0)
        --rate R              texts per session per minute: an utterance starts 60/R s after
                              the previous one started, or when it ended if it ran longer
                              (default: speak, wait a random 0.5–1.5 s after utterance_end,
                              speak again)
        --speech-ratio R      0 < R <= 1: share of the time each session speaks; after an
                              utterance of T s it waits a random 0..2·T·(1−R)/R s (mean
                              T·(1−R)/R); not with --rate
        --continuous          speak back to back (--speech-ratio 1): about 50 frames a second
                              per session
        --barge-in P          probability 0..1 that an utterance is interrupted at a random frame
                              (1..20) with PAUSE (RESUME 100 ms after paused) or STOP, half each
                              (default 0)
        --binary              binary audio frames (?audio=binary) instead of JSON
        --clients N           HTTP clients (each one selector thread) the sessions are spread
                              over, round-robin, 1..%d (default: the available processors, %d
                              here)
        --lead TIME           the gateway's voicegw.session.pacing.lead, for the playout model
                              (underruns, lateness), 0..%s (default %s)
        --out DIR             output directory (default %s)
        --metrics URL         gateway Prometheus endpoint (default: the --url host, its port + 1,
                              /metrics); "none" to not sample
        --soak                long run: also charts heap, live threads and active sessions over
                              the whole run; series aggregated per 10 s
        --messages-per-session N
                              texts and controls per connection before it is replaced by a new
                              one, below the gateway's voicegw.session.max-messages (default %d)
        --text TEXT           what each utterance says, %%d = its number (default "%s")
        --help                show this help

      Playout model: a client that starts playing an utterance at its first frame and holds only
      the lead the gateway sends ahead. A frame arriving after the previous one has played out is
      an underrun (the client stalls once, then plays on). Lateness is how much later than the
      gateway's pacing schedule a frame arrived (early = 0); a frame underruns when its lateness
      exceeds the lead. Details in docs/BENCHMARKS.md ("Harness: underruns, lateness and
      warm-up").

      Exit status: 0 the run completed (whether or not targets were met); 1 the gateway is
      unreachable; 2 usage error.
      """.formatted(DEFAULT_URL, DEFAULT_SESSIONS, Durations.format(DEFAULT_DURATION),
      Durations.format(DEFAULT_SOAK_DURATION), Durations.format(DEFAULT_RAMP), MAX_CLIENTS,
      defaultClients(), Durations.format(MAX_LEAD), Durations.format(DEFAULT_LEAD), DEFAULT_OUT,
      DEFAULT_MESSAGES_PER_SESSION, DEFAULT_TEXT);

  LoadOptions {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(ramp, "ramp");
    Objects.requireNonNull(ratePerMinute, "ratePerMinute");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(warmup, "warmup");
    Objects.requireNonNull(speechRatio, "speechRatio");
    Objects.requireNonNull(lead, "lead");
  }

  /** The outcome of reading the command line. */
  sealed interface Parsed permits Run, Help, UsageError {}

  record Run(LoadOptions options) implements Parsed {}

  record Help() implements Parsed {}

  /** The message names the bad option. */
  record UsageError(String message) implements Parsed {}

  /** The part of the duration that is recorded: the duration less the warm-up. */
  Duration measured() {
    return duration.minus(warmup);
  }

  /** The speaking pattern in words, for the report. */
  String pattern() {
    if (ratePerMinute.isPresent()) {
      return Report.fmt(ratePerMinute.getAsDouble()) + " texts per session per minute";
    }
    if (speechRatio.isPresent()) {
      double r = speechRatio.getAsDouble();
      return r == 1 ? "continuous: the next text as soon as utterance_end arrives"
          : "speech ratio " + Report.fmt(r) + ": after an utterance of T s, wait a random 0.."
              + Report.fmt(2 * (1 - r) / r) + "·T s";
    }
    return "speak, wait 0.5–1.5 s after utterance_end, speak again";
  }

  /** "json" or "binary". */
  String transport() {
    return binary ? "binary" : "json";
  }

  /** The URI sessions connect to. */
  URI connectUri() {
    if (!binary) {
      return url;
    }
    String query = url.getRawQuery();
    if (query != null && query.contains("audio=binary")) {
      return url;
    }
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    return URI.create(url.getScheme() + "://" + url.getRawAuthority() + path + "?"
        + (query == null ? "" : query + "&") + "audio=binary");
  }

  /** The default metrics URL: the WebSocket URL's host, its port + 1, {@code /metrics}. */
  static URI derivedMetrics(URI ws) {
    int port = ws.getPort() >= 0 ? ws.getPort() : "wss".equals(ws.getScheme()) ? 443 : 80;
    String scheme = "wss".equals(ws.getScheme()) ? "https" : "http";
    String host = ws.getHost().contains(":") ? "[" + ws.getHost() + "]" : ws.getHost();
    return URI.create(scheme + "://" + host + ":" + (port + 1) + "/metrics");
  }

  /** Reads the command line; never throws. */
  static Parsed parse(String[] args) {
    URI url = DEFAULT_URL;
    int sessions = DEFAULT_SESSIONS;
    Duration duration = null;
    Duration ramp = null;
    OptionalDouble rate = OptionalDouble.empty();
    double bargeIn = 0;
    boolean binary = false;
    Path out = DEFAULT_OUT;
    String metrics = null;
    boolean soak = false;
    int messagesPerSession = DEFAULT_MESSAGES_PER_SESSION;
    String text = DEFAULT_TEXT;
    Duration warmup = Duration.ZERO;
    int clients = defaultClients();
    OptionalDouble speechRatio = OptionalDouble.empty();
    boolean continuous = false;
    Duration lead = DEFAULT_LEAD;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        return new UsageError("unexpected argument \"" + arg + "\"; options start with --");
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String inline = eq < 0 ? null : arg.substring(eq + 1);
      switch (name) {
        case "--help" -> {
          return new Help();
        }
        case "--binary", "--soak", "--continuous" -> {
          if (inline != null) {
            return new UsageError(name + " takes no value, got \"" + arg + "\"");
          }
          switch (name) {
            case "--binary" -> binary = true;
            case "--soak" -> soak = true;
            default -> continuous = true;
          }
        }
        case "--url", "--sessions", "--duration", "--ramp", "--rate", "--barge-in", "--out",
            "--metrics", "--messages-per-session", "--text", "--warmup", "--clients",
            "--speech-ratio", "--lead" -> {
          String value = inline;
          if (value == null) {
            if (i + 1 >= args.length) {
              return new UsageError(name + " needs a value");
            }
            value = args[++i];
          }
          try {
            switch (name) {
              case "--url" -> url = wsUrl(value);
              case "--sessions" -> sessions = intIn(value, 1, MAX_SESSIONS);
              case "--duration" -> {
                duration = Durations.parse(value);
                if (duration.toMillis() < 1_000) {
                  throw new IllegalArgumentException("must be at least 1s, got \"" + value + "\"");
                }
              }
              case "--ramp" -> ramp = Durations.parse(value);
              case "--rate" -> {
                double r = number(value);
                if (!(r > 0) || r > 6_000) {
                  throw new IllegalArgumentException(
                      "must be above 0 and at most 6000 texts per minute, got " + value);
                }
                rate = OptionalDouble.of(r);
              }
              case "--barge-in" -> {
                double p = number(value);
                if (!(p >= 0 && p <= 1)) {
                  throw new IllegalArgumentException("must be a probability 0..1, got " + value);
                }
                bargeIn = p;
              }
              case "--out" -> out = path(value);
              case "--metrics" -> metrics = value;
              case "--messages-per-session" -> messagesPerSession = intIn(value, 2, 1_000_000);
              case "--warmup" -> warmup = Durations.parse(value);
              case "--clients" -> clients = intIn(value, 1, MAX_CLIENTS);
              case "--speech-ratio" -> {
                double r = number(value);
                if (!(r > 0 && r <= 1)) {
                  throw new IllegalArgumentException(
                      "must be above 0 and at most 1 (1: continuous speech), got " + value);
                }
                speechRatio = OptionalDouble.of(r);
              }
              case "--lead" -> {
                lead = Durations.parse(value);
                if (lead.compareTo(MAX_LEAD) > 0) {
                  throw new IllegalArgumentException("must be 0.." + Durations.format(MAX_LEAD)
                      + ", got \"" + value + "\"");
                }
              }
              default -> {
                if (value.isBlank()) {
                  throw new IllegalArgumentException("the text is empty");
                }
                text = value;
              }
            }
          } catch (IllegalArgumentException e) {
            return new UsageError(name + ": " + e.getMessage());
          }
        }
        default -> {
          return new UsageError("unknown option " + name);
        }
      }
    }
    if (duration == null) {
      duration = soak ? DEFAULT_SOAK_DURATION : DEFAULT_DURATION;
    }
    if (ramp == null) {
      ramp = DEFAULT_RAMP.compareTo(duration) < 0 ? DEFAULT_RAMP : Duration.ZERO;
    } else if (ramp.compareTo(duration) >= 0) {
      return new UsageError("--ramp: " + Durations.format(ramp)
          + " must be shorter than --duration " + Durations.format(duration));
    }
    if (duration.minus(warmup).compareTo(MIN_MEASURED) < 0) {
      return new UsageError("--warmup: " + Durations.format(warmup) + " must be shorter than"
          + " --duration " + Durations.format(duration) + " by at least "
          + Durations.format(MIN_MEASURED) + " (the measured part)");
    }
    if (continuous) {
      if (speechRatio.isPresent() && speechRatio.getAsDouble() != 1) {
        return new UsageError("--continuous: cannot be combined with --speech-ratio "
            + speechRatio.getAsDouble() + " (it is --speech-ratio 1)");
      }
      speechRatio = OptionalDouble.of(1);
    }
    if (speechRatio.isPresent() && rate.isPresent()) {
      return new UsageError((continuous ? "--continuous" : "--speech-ratio")
          + ": cannot be combined with --rate (both set when the next utterance starts)");
    }
    URI metricsUri;
    if (metrics == null) {
      metricsUri = derivedMetrics(url);
    } else if (metrics.equals("none")) {
      metricsUri = null;
    } else {
      try {
        metricsUri = httpUrl(metrics);
      } catch (IllegalArgumentException e) {
        return new UsageError("--metrics: " + e.getMessage());
      }
    }
    return new Run(new LoadOptions(url, sessions, duration, ramp, rate, bargeIn, binary, out,
        metricsUri, soak, messagesPerSession, text, warmup, clients, speechRatio, lead));
  }

  private static URI wsUrl(String value) {
    URI uri = uri(value);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException("\"" + value + "\" is not a ws:// or wss:// URL");
    }
    return uri;
  }

  private static URI httpUrl(String value) {
    URI uri = uri(value);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("\"" + value + "\" is not an http:// or https:// URL");
    }
    return uri;
  }

  private static URI uri(String value) {
    try {
      URI uri = new URI(value);
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("\"" + value + "\" has no host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("\"" + value + "\" is not a URL: " + e.getReason());
    }
  }

  private static int intIn(String value, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + value + "\" is not a whole number");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("must be " + min + ".." + max + ", got " + n);
    }
    return n;
  }

  private static double number(String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + value + "\" is not a number");
    }
  }

  private static Path path(String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("the path is empty");
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("\"" + value + "\" is not a path: " + e.getReason());
    }
  }
}
