package io.voicegateway.worker.engine;

import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.dispatch.Dispatchers;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;

/**
 * espeak-ng as a subprocess: {@code espeak-ng --stdout -v <voice>} with the text on stdin (never
 * on the command line, where text starting with '-' would be read as an option). The WAV on stdout
 * is parsed and streamed as it arrives; stdout is read only on demand, so a slow consumer fills the
 * pipe and espeak-ng blocks in its write. The process is killed when the stream is cancelled or
 * fails. Time spent blocked reading stdout (espeak-ng computing) is reported to the meter.
 */
public final class EspeakEngine implements SpeechEngine {

  public static final String DEFAULT_BINARY = "espeak-ng";
  public static final String DEFAULT_VOICE = "en";

  private static final int READ_CHUNK_BYTES = 4096;
  private static final int STDERR_LIMIT = 2000;
  private static final long VERSION_TIMEOUT_SECONDS = 10;

  private final String binary;
  private final String voice;
  private volatile boolean loaded;
  private volatile int sampleRate = 22_050; // espeak-ng's usual rate; load() reads the real one
  private volatile String version = "";
  private final AtomicInteger liveProcesses = new AtomicInteger();

  /** espeak-ng from the PATH with voice {@code en}: model {@code espeak-ng-en}. */
  public EspeakEngine() {
    this(DEFAULT_BINARY, DEFAULT_VOICE);
  }

  /**
   * @param binary path or name of the espeak-ng executable
   * @param voice an espeak-ng voice name ({@code -v}); the model id is {@code espeak-ng-<voice>}
   */
  public EspeakEngine(String binary, String voice) {
    if (binary == null || binary.isBlank() || voice == null || voice.isBlank()) {
      throw new IllegalArgumentException("espeak-ng binary and voice must be non-empty");
    }
    this.binary = binary;
    this.voice = voice;
  }

  @Override
  public String modelId() {
    return "espeak-ng-" + voice;
  }

  @Override
  public String family() {
    return "espeak-ng";
  }

  @Override
  public List<String> languages() {
    return List.of(voice);
  }

  @Override
  public int nativeSampleRate() {
    return sampleRate;
  }

  @Override
  public Map<String, String> metadata() {
    return Map.of(
        "voice", voice,
        "binary", binary,
        "sample_rate", Integer.toString(sampleRate),
        "version", version);
  }

  /** espeak-ng processes started by syntheses and not yet exited. */
  public int activeSyntheses() {
    return liveProcesses.get();
  }

  @Override
  public boolean isLoaded() {
    return loaded;
  }

  /** Checks that the binary runs and that the voice speaks, and learns its sample rate. */
  @Override
  public synchronized void load() throws EngineUnavailableException {
    if (loaded) {
      return;
    }
    String out;
    try {
      Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
      p.getOutputStream().close();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new EngineUnavailableException(
            "espeak-ng not found: apt-get install espeak-ng (" + binary + " --version failed: " + out + ")");
      }
    } catch (IOException e) {
      throw new EngineUnavailableException("espeak-ng not found: apt-get install espeak-ng", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineUnavailableException("interrupted while checking espeak-ng", e);
    }
    version = out;
    sampleRate = probeSampleRate();
    loaded = true;
  }

  private int probeSampleRate() throws EngineUnavailableException {
    File stderr = null;
    try {
      stderr = File.createTempFile("espeak-ng-", ".err");
      Process p = start(stderr);
      try (OutputStream in = p.getOutputStream()) {
        in.write("a".getBytes(StandardCharsets.UTF_8));
      }
      WavStreamParser parser = new WavStreamParser();
      parser.accept(p.getInputStream().readAllBytes());
      if (!p.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new EngineUnavailableException(
            "espeak-ng cannot speak voice '" + voice + "': " + readLimited(stderr));
      }
      parser.finish();
      return parser.sampleRate();
    } catch (IOException e) {
      throw new EngineUnavailableException(
          "espeak-ng voice '" + voice + "' gives no usable audio: " + e.getMessage()
              + " " + readLimited(stderr), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineUnavailableException("interrupted while probing espeak-ng", e);
    } finally {
      if (stderr != null) {
        stderr.delete();
      }
    }
  }

  @Override
  public synchronized void unload() {
    loaded = false; // nothing resident: each synthesis is its own process
  }

  @Override
  public Source<PcmChunk, NotUsed> synthesize(String text, SynthesisMeter meter) {
    if (!loaded) {
      return Source.failed(new IllegalStateException(modelId() + " is not loaded"));
    }
    int expectedRate = sampleRate;
    return Source.<PcmChunk, NotUsed>fromMaterializer(
            (mat, attributes) -> {
              Executor blocking =
                  mat.system().dispatchers().lookup(Dispatchers.DefaultBlockingDispatcherId());
              File stderr;
              Process process;
              try {
                stderr = File.createTempFile("espeak-ng-", ".err");
                process = start(stderr);
                liveProcesses.incrementAndGet();
                process.onExit().thenRun(liveProcesses::decrementAndGet);
              } catch (IOException e) {
                return Source.failed(new IllegalStateException("cannot start " + binary + ": " + e, e));
              }
              // on its own thread: a long text could otherwise fill the stdin pipe while we wait
              CompletableFuture.runAsync(() -> writeText(process, text), blocking);
              WavStreamParser parser = new WavStreamParser();
              return StreamConverters.fromInputStream(
                      () -> new MeteredInput(process.getInputStream(), meter, expectedRate),
                      READ_CHUNK_BYTES)
                  .map(bytes -> toChunk(parser, bytes.toArray(), expectedRate))
                  .filter(chunk -> chunk.samples().length > 0)
                  // concatLazy: plain concat pulls its second input at once, which would run the
                  // exit check before stdout was read whenever espeak-ng finishes first
                  .concatLazy(
                      Source.lazySource(
                          () ->
                              Source.completionStage(process.onExit())
                                  .flatMapConcat(p -> exitCheck(p, parser, stderr))))
                  .watchTermination(
                      (ioResult, done) -> {
                        done.whenComplete(
                            (ok, failure) -> {
                              if (process.isAlive()) {
                                process.destroyForcibly();
                              }
                              stderr.delete();
                            });
                        return NotUsed.getInstance();
                      });
            })
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  private Process start(File stderr) throws IOException {
    return new ProcessBuilder(binary, "--stdout", "-v", voice)
        .redirectError(stderr)
        .start();
  }

  private static void writeText(Process process, String text) {
    try (OutputStream in = process.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the process died or was killed; its exit status and stderr tell the story
    }
  }

  private static PcmChunk toChunk(WavStreamParser parser, byte[] bytes, int expectedRate)
      throws IOException {
    short[] samples = parser.accept(bytes);
    if (parser.sampleRate() > 0 && parser.sampleRate() != expectedRate) {
      throw new IOException(
          "espeak-ng switched to " + parser.sampleRate() + " Hz, expected " + expectedRate);
    }
    return new PcmChunk(samples, false);
  }

  private Source<PcmChunk, NotUsed> exitCheck(Process p, WavStreamParser parser, File stderr) {
    if (p.exitValue() != 0) {
      return Source.failed(
          new IllegalStateException(
              binary + " exited with " + p.exitValue() + ": " + readLimited(stderr)));
    }
    try {
      parser.finish();
    } catch (IOException e) {
      return Source.failed(new IllegalStateException(e.getMessage() + " " + readLimited(stderr), e));
    }
    return Source.empty();
  }

  private static String readLimited(File file) {
    if (file == null) {
      return "";
    }
    try {
      byte[] all = Files.readAllBytes(file.toPath());
      String s = new String(all, 0, Math.min(all.length, STDERR_LIMIT), StandardCharsets.UTF_8);
      return s.trim();
    } catch (IOException e) {
      return "(stderr unreadable: " + e.getMessage() + ")";
    }
  }

  /** Counts the time spent blocked in read, i.e. waiting for espeak-ng to compute. */
  private static final class MeteredInput extends FilterInputStream {
    private final SynthesisMeter meter;
    private final int rate;

    MeteredInput(InputStream in, SynthesisMeter meter, int rate) {
      super(in);
      this.meter = meter;
      this.rate = rate;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      long start = System.nanoTime();
      int n = super.read(b, off, len);
      meter.record(System.nanoTime() - start, Math.max(n, 0) / 2, rate);
      return n;
    }
  }
}
