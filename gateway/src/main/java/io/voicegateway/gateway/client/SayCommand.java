package io.voicegateway.gateway.client;

import io.voicegateway.gateway.protocol.AudioTransport;
import io.voicegateway.gateway.protocol.ConnectionOptions;
import io.voicegateway.gateway.protocol.ServerMessages;
import io.voicegateway.gateway.protocol.UtteranceEndReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code voicegw say "text"}: speaks a text through a running gateway and writes the audio to a
 * WAV file, printing the session id, the first-audio latency, the number of frames, the audio's
 * duration and the wall time.
 *
 * <p>With a version 2 gateway it collects audio until the utterance's {@code utterance_end}; with
 * a version 1 server (no {@code protocol_version} in {@code session_start}) it stops
 * {@link #V1_QUIET_PERIOD} after the last frame. Audio {@code sequence} numbers must run 1, 2, 3…
 * without a gap.
 *
 * <p>Exit status: {@link #EXIT_OK} 0, {@link #EXIT_FAILED} 1 (server error, connection failure,
 * timeout; the problem is named on stderr), {@link #EXIT_USAGE} 2 (the bad option is named).
 */
public final class SayCommand {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  static final URI DEFAULT_URL = URI.create("ws://127.0.0.1:8080/");
  static final Path DEFAULT_OUT = Path.of("say.wav");
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  /** How long a version 1 server may stay silent after a frame before the audio counts as done. */
  static final Duration V1_QUIET_PERIOD = Duration.ofSeconds(2);
  /** The utterance id sent to a version 2 gateway. */
  static final String UTTERANCE_ID = "say-1";
  private static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  static final String USAGE = """
      Usage: voicegw say "text" [options]

      Speaks the text through a running gateway and writes the audio to a WAV file
      (PCM s16le, 48 kHz, mono).

      Options:
        --url URL       gateway WebSocket URL (default %s)
        --out FILE      WAV file to write (default %s)
        --binary        receive audio as binary frames (?audio=binary) instead of JSON
        --timeout TIME  give up after this long, e.g. 500ms, 60s, 2m (default %s)
        --help          show this help

      Exit status: 0 ok; 1 server error, connection failure or timeout; 2 usage error.
      """.formatted(DEFAULT_URL, DEFAULT_OUT, DEFAULT_TIMEOUT.toSeconds() + "s");

  private SayCommand() {}

  /**
   * What the command line asks for.
   *
   * @param url as given; {@link #connectUri()} adds {@code audio=binary} when {@code binary}
   */
  record Options(String text, URI url, Path out, boolean binary, Duration timeout) {
    Options {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(out, "out");
      Objects.requireNonNull(timeout, "timeout");
    }

    /** The URI to connect to. */
    URI connectUri() {
      if (!binary || audioParameter(url).isPresent()) {
        return url; // a binary request already in the URL; a conflicting one is a usage error
      }
      String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      String query = (url.getRawQuery() == null ? "" : url.getRawQuery() + "&")
          + ConnectionOptions.AUDIO_PARAMETER + "=" + AudioTransport.BINARY.wireName();
      return URI.create(url.getScheme() + "://" + url.getRawAuthority() + path + "?" + query);
    }
  }

  /** The outcome of reading the command line. */
  sealed interface Parsed permits Run, Help, UsageError {}

  /** Run with these options. */
  record Run(Options options) implements Parsed {}

  /** Print the usage. */
  record Help() implements Parsed {}

  /** The command line is wrong; the message names what is wrong. */
  record UsageError(String message) implements Parsed {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Parses the arguments and runs; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Parsed parsed = parse(args);
    if (parsed instanceof Help) {
      out.print(USAGE);
      return EXIT_OK;
    }
    if (parsed instanceof UsageError usage) {
      err.println("say: " + usage.message());
      err.println("Try 'voicegw say --help'.");
      return EXIT_USAGE;
    }
    return say(((Run) parsed).options(), HttpClient.newHttpClient(), out, err);
  }

  /** Reads the command line; never throws. */
  static Parsed parse(String[] args) {
    List<String> texts = new ArrayList<>();
    URI url = DEFAULT_URL;
    Path out = DEFAULT_OUT;
    boolean binary = false;
    Duration timeout = DEFAULT_TIMEOUT;
    boolean optionsEnded = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
        texts.add(arg);
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String inline = eq < 0 ? null : arg.substring(eq + 1);
      switch (name) {
        case "--" -> optionsEnded = true;
        case "--help", "-h" -> {
          return new Help();
        }
        case "--binary" -> {
          if (inline != null) {
            return new UsageError("--binary takes no value, got \"" + arg + "\"");
          }
          binary = true;
        }
        case "--url", "--out", "--timeout" -> {
          String value = inline;
          if (value == null) {
            if (i + 1 >= args.length) {
              return new UsageError(name + " needs a value");
            }
            value = args[++i];
          }
          try {
            switch (name) {
              case "--url" -> url = url(value);
              case "--out" -> out = out(value);
              default -> timeout = timeout(value);
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
    if (texts.isEmpty()) {
      return new UsageError("no text given; usage: voicegw say \"text\" [options]");
    }
    if (texts.size() > 1) {
      return new UsageError("unexpected argument \"" + texts.get(1)
          + "\"; quote a text of several words: voicegw say \"hello world\"");
    }
    String text = texts.get(0);
    if (text.isBlank()) {
      return new UsageError("the text is empty");
    }
    Optional<String> audio = audioParameter(url);
    if (binary && audio.isPresent() && !audio.get().equals(AudioTransport.BINARY.wireName())) {
      return new UsageError(
          "--binary conflicts with audio=" + audio.get() + " in --url " + url);
    }
    return new Run(new Options(text, url, out, binary, timeout));
  }

  private static URI url(String value) {
    URI url;
    try {
      url = new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid URL: " + e.getMessage(), e);
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss") || url.getHost() == null) {
      throw new IllegalArgumentException(
          "expected ws://HOST:PORT/ or wss://HOST:PORT/, got \"" + value + "\"");
    }
    if (url.getRawFragment() != null) {
      throw new IllegalArgumentException("a WebSocket URL has no #fragment: \"" + value + "\"");
    }
    ConnectionOptions.fromRawQuery(Optional.ofNullable(url.getRawQuery())); // names a bad audio=
    return url;
  }

  private static Path out(String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException("empty file name");
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("not a valid file name: " + e.getMessage(), e);
    }
  }

  private static Duration timeout(String value) {
    Duration timeout = Durations.parse(value);
    if (timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException("must be more than 0 and at most 24h, got " + value);
    }
    return timeout;
  }

  /** The value of the URL's {@code audio} query parameter, if it has one. */
  private static Optional<String> audioParameter(URI url) {
    if (url.getRawQuery() == null) {
      return Optional.empty();
    }
    for (String pair : url.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq),
          StandardCharsets.UTF_8);
      if (name.equals(ConnectionOptions.AUDIO_PARAMETER)) {
        return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1),
            StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  /**
   * Speaks {@code options.text()} and writes the WAV file.
   *
   * @return {@link #EXIT_OK}, or {@link #EXIT_FAILED} with the problem printed on {@code err}
   */
  static int say(Options options, HttpClient http, PrintStream out, PrintStream err) {
    long startNanos = System.nanoTime();
    long deadline = startNanos + options.timeout().toNanos();
    GatewayClient client;
    try {
      Duration limit = GatewayClient.DEFAULT_CONNECT_TIMEOUT;
      Duration connectTimeout = options.timeout().compareTo(limit) < 0 ? options.timeout() : limit;
      client = GatewayClient.connect(http, options.connectUri(), connectTimeout).join();
    } catch (CompletionException e) {
      return fail(err, e.getCause() == null ? e.toString() : e.getCause().getMessage());
    }
    Speech speech;
    try (client) {
      speech = speak(client, options, deadline, out);
    } catch (GatewayClientException | SayFailure e) {
      return fail(err, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(err, "interrupted");
    }
    long wallNanos = speech.endNanos() - startNanos;
    WavFile wav = WavFile.ofGatewayAudio(speech.pcm());
    try {
      wav.write(options.out());
    } catch (IOException e) {
      return fail(err, "cannot write " + options.out() + ": " + e);
    }
    out.println("first audio: " + speech.firstAudioNanos()
        .map(nanos -> String.format(Locale.ROOT, "%.1f ms", nanos / 1e6)).orElse("none"));
    out.println("frames: " + speech.frames());
    out.println(String.format(Locale.ROOT, "audio: %.3f s", wav.duration().toNanos() / 1e9));
    out.println(String.format(Locale.ROOT, "wall time: %.3f s", wallNanos / 1e9));
    out.println("wrote: " + options.out());
    return EXIT_OK;
  }

  /**
   * The received audio.
   *
   * @param firstAudioNanos from handing the text to the WebSocket to the first frame's arrival
   * @param endNanos when the audio was complete
   */
  private record Speech(byte[] pcm, long frames, Optional<Long> firstAudioNanos, long endNanos) {}

  /** A problem that ends the command with {@link #EXIT_FAILED}. */
  private static final class SayFailure extends Exception {
    private static final long serialVersionUID = 1L;

    SayFailure(String message) {
      super(message);
    }
  }

  private static Speech speak(GatewayClient client, Options options, long deadline,
      PrintStream out) throws InterruptedException, SayFailure {
    ServerEvent.SessionStart start = client.expect(ServerEvent.SessionStart.class,
        remaining(deadline));
    boolean v2 = start.protocolVersion() >= 2;
    out.println("session: " + start.sessionId() + " (protocol version "
        + (v2 ? start.protocolVersion() : 1) + ", audio " + start.transport().wireName() + ")");
    GatewayClient.Sent sent = awaitSent(
        v2 ? client.sendText(options.text(), UTTERANCE_ID) : client.sendText(options.text()),
        deadline, options.timeout());

    ByteArrayOutputStream pcm = new ByteArrayOutputStream();
    long frames = 0;
    Optional<Long> firstAudio = Optional.empty();
    while (true) {
      Duration wait = remaining(deadline);
      boolean quietWait = !v2 && frames > 0 && V1_QUIET_PERIOD.compareTo(wait) < 0;
      ServerEvent event;
      try {
        event = client.next(quietWait ? V1_QUIET_PERIOD : wait);
      } catch (EventTimeoutException e) {
        if (quietWait) {
          return new Speech(pcm.toByteArray(), frames, firstAudio, System.nanoTime());
        }
        throw new SayFailure("timed out after " + Durations.describe(options.timeout())
            + " waiting for " + (v2 ? "utterance_end of " + UTTERANCE_ID : "audio") + " ("
            + frames + " frames received)");
      }
      if (event instanceof ServerEvent.Audio audio) {
        if (audio.sequence() != frames + 1) {
          throw new SayFailure("audio sequence is not contiguous: expected " + (frames + 1)
              + ", got " + audio.sequence());
        }
        if (audio.sampleRate() != ServerMessages.SAMPLE_RATE
            || audio.frameMs() != ServerMessages.FRAME_MS) {
          throw new SayFailure("audio frame " + audio.sequence() + " is " + audio.sampleRate()
              + " Hz, " + audio.frameMs() + " ms; expected " + ServerMessages.SAMPLE_RATE
              + " Hz, " + ServerMessages.FRAME_MS + " ms");
        }
        if (frames == 0) {
          firstAudio = Optional.of(audio.receivedNanos() - sent.startedNanos());
        }
        pcm.writeBytes(audio.pcm());
        frames++;
      } else if (event instanceof ServerEvent.UtteranceEnd end
          && end.id().equals(UTTERANCE_ID)) {
        if (!end.reason().equals(UtteranceEndReason.COMPLETED.wireName())) {
          throw new SayFailure("the utterance ended as " + end.reason() + " after "
              + frames + " frames");
        }
        if (end.frames() != frames) {
          throw new SayFailure("utterance_end counts " + end.frames() + " frames, "
              + frames + " arrived");
        }
        return new Speech(pcm.toByteArray(), frames, firstAudio, end.receivedNanos());
      } else if (event instanceof ServerEvent.Error error) {
        throw new SayFailure("server error " + error.code() + ": " + error.message());
      } else if (event instanceof ServerEvent.SessionEnd end) {
        throw new SayFailure("the session ended (" + end.reason() + ") before the audio was"
            + " complete (" + frames + " frames received)");
      } else if (event instanceof ServerEvent.WorkerChanged changed) {
        out.println("worker changed: " + changed.reason());
      }
    }
  }

  private static GatewayClient.Sent awaitSent(
      CompletableFuture<GatewayClient.Sent> sending, long deadline,
      Duration timeout) throws InterruptedException, SayFailure {
    try {
      return sending.get(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new SayFailure("cannot send the text: " + e.getCause());
    } catch (TimeoutException e) {
      throw new SayFailure("timed out after " + Durations.describe(timeout)
          + " sending the text");
    }
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  private static int fail(PrintStream err, String message) {
    err.println("say: " + message);
    return EXIT_FAILED;
  }
}
