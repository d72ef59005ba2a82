package io.voicegateway.worker.engine;

import com.sun.speech.freetts.OutputQueue;
import com.sun.speech.freetts.Voice;
import com.sun.speech.freetts.audio.AudioPlayer;
import com.sun.speech.freetts.en.us.cmu_us_kal.KevinVoiceDirectory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sound.sampled.AudioFormat;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * FreeTTS with its built-in diphone voice {@code kevin16} (16 kHz), pure Java.
 *
 * <p>Each synthesis runs on a dedicated fixed pool of {@code maxConcurrentSyntheses} threads (never
 * a Pekko dispatcher: FreeTTS blocks) with a voice taken from a pool; {@code Voice} is not
 * thread-safe and slow to allocate, so voices are reused, allocated lazily up to the pool size.
 * The voice renders in the calling thread (no FreeTTS output thread) into an {@link AudioPlayer}
 * that hands each block to a {@code Source.queue} with back-pressure and waits until the stream
 * takes it: FreeTTS never runs more than {@value #QUEUE_CHUNKS} blocks (32 ms each) ahead of the
 * consumer. Cancelling the stream makes the player refuse the next write, which aborts FreeTTS's
 * utterance and returns the voice to the pool.
 */
public final class FreeTtsEngine implements SpeechEngine {

  public static final String MODEL_ID = "freetts-kevin16";
  public static final String VOICE = "kevin16";
  public static final int SAMPLE_RATE = 16_000;

  static final int QUEUE_CHUNKS = 4;

  static {
    // for code that finds voices through VoiceManager; this engine asks the directory directly
    if (System.getProperty("freetts.voices") == null) {
      System.setProperty("freetts.voices", KevinVoiceDirectory.class.getName());
    }
  }

  private final int maxConcurrent;
  private final LinkedBlockingDeque<Voice> idleVoices = new LinkedBlockingDeque<>();
  private final AtomicInteger allocatedVoices = new AtomicInteger();
  private final AtomicInteger activeSyntheses = new AtomicInteger();
  private volatile ExecutorService executor;
  private volatile boolean loaded;

  /** An engine running at most 4 syntheses at once. */
  public FreeTtsEngine() {
    this(4);
  }

  /**
   * @param maxConcurrentSyntheses threads and voices at most; further syntheses wait their turn
   */
  public FreeTtsEngine(int maxConcurrentSyntheses) {
    if (maxConcurrentSyntheses < 1) {
      throw new IllegalArgumentException("maxConcurrentSyntheses must be at least 1");
    }
    this.maxConcurrent = maxConcurrentSyntheses;
  }

  @Override
  public String modelId() {
    return MODEL_ID;
  }

  @Override
  public String family() {
    return "freetts";
  }

  @Override
  public List<String> languages() {
    return List.of("en");
  }

  @Override
  public int nativeSampleRate() {
    return SAMPLE_RATE;
  }

  @Override
  public Map<String, String> metadata() {
    return Map.of(
        "voice", VOICE,
        "sample_rate", Integer.toString(SAMPLE_RATE),
        "max_concurrent", Integer.toString(maxConcurrent),
        "voices_allocated", Integer.toString(allocatedVoices.get()));
  }

  /** Syntheses started and not yet finished, including those waiting for a thread. */
  public int activeSyntheses() {
    return activeSyntheses.get();
  }

  @Override
  public boolean isLoaded() {
    return loaded;
  }

  /** Allocates one voice now (the slow part) and starts the synthesis threads. */
  @Override
  public synchronized void load() throws EngineUnavailableException {
    if (loaded) {
      return;
    }
    try {
      idleVoices.add(allocateVoice());
    } catch (Throwable e) { // FreeTTS reports load failures as java.lang.Error
      throw new EngineUnavailableException("FreeTTS voice " + VOICE + " failed to allocate: " + e, e);
    }
    allocatedVoices.incrementAndGet();
    AtomicInteger threadNumber = new AtomicInteger();
    executor =
        new ThreadPoolExecutor(
            maxConcurrent,
            maxConcurrent,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "freetts-synthesis-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    loaded = true;
  }

  /** Frees idle voices now and busy ones when their synthesis ends; running syntheses finish. */
  @Override
  public synchronized void unload() {
    if (!loaded) {
      return;
    }
    loaded = false;
    executor.shutdown();
    Voice v;
    while ((v = idleVoices.poll()) != null) {
      v.deallocate();
      allocatedVoices.decrementAndGet();
    }
  }

  @Override
  public Source<PcmChunk, NotUsed> synthesize(String text, SynthesisMeter meter) {
    ExecutorService pool = executor;
    if (!loaded || pool == null) {
      return Source.failed(new IllegalStateException(MODEL_ID + " is not loaded"));
    }
    return Source.<PcmChunk>queue(QUEUE_CHUNKS, OverflowStrategy.backpressure())
        .mapMaterializedValue(
            queue -> {
              Synthesis job = new Synthesis(text, queue, meter);
              activeSyntheses.incrementAndGet();
              try {
                pool.execute(job);
              } catch (RuntimeException rejected) {
                activeSyntheses.decrementAndGet();
                queue.fail(new IllegalStateException(MODEL_ID + " is not loaded", rejected));
              }
              return NotUsed.getInstance();
            });
  }

  /**
   * Class-wide synchronized: FreeTTS's letter-to-sound loader keeps static state, and two voices
   * allocated at once fail with IndexOutOfBoundsException (seen when 4 syntheses start together).
   */
  private static synchronized Voice allocateVoice() {
    // a fresh directory per voice: each voice gets its own lexicon
    Voice voice = null;
    for (Voice v : new KevinVoiceDirectory().getVoices()) {
      if (VOICE.equals(v.getName())) {
        voice = v;
      }
    }
    if (voice == null) {
      throw new IllegalStateException("voice " + VOICE + " is not in KevinVoiceDirectory");
    }
    // allocate() starts an output thread unless a queue is set; with no queue afterwards the
    // voice renders audio in the thread that calls speak(), i.e. ours
    voice.setOutputQueue(new OutputQueue());
    voice.allocate();
    voice.setOutputQueue(null);
    return voice;
  }

  private Voice acquireVoice() throws InterruptedException {
    Voice v = idleVoices.poll();
    if (v != null) {
      return v;
    }
    while (true) {
      int n = allocatedVoices.get();
      if (n >= maxConcurrent) {
        return idleVoices.take();
      }
      if (allocatedVoices.compareAndSet(n, n + 1)) {
        try {
          return allocateVoice();
        } catch (RuntimeException | Error e) {
          allocatedVoices.decrementAndGet();
          throw e;
        }
      }
    }
  }

  private void releaseVoice(Voice v) {
    if (loaded) {
      idleVoices.add(v);
    } else {
      v.deallocate();
      allocatedVoices.decrementAndGet();
    }
  }

  /** One text on one pool thread. */
  private final class Synthesis implements Runnable {
    private final String text;
    private final SourceQueueWithComplete<PcmChunk> queue;
    private final CompletableFuture<Done> streamDone;
    private final SynthesisMeter meter;
    private volatile boolean cancelled;
    private long computeSince;

    Synthesis(String text, SourceQueueWithComplete<PcmChunk> queue, SynthesisMeter meter) {
      this.text = text;
      this.queue = queue;
      this.meter = meter;
      this.streamDone = queue.watchCompletion().toCompletableFuture();
      streamDone.whenComplete((d, e) -> cancelled = true);
    }

    @Override
    public void run() {
      try {
        speak();
      } finally {
        activeSyntheses.decrementAndGet();
      }
    }

    private void speak() {
      if (cancelled) {
        return; // cancelled while waiting for a thread
      }
      Voice voice;
      try {
        voice = acquireVoice();
      } catch (Throwable e) {
        queue.fail(new IllegalStateException("FreeTTS voice unavailable: " + e, e));
        return;
      }
      try {
        voice.setAudioPlayer(new StreamingPlayer(this));
        computeSince = System.nanoTime();
        boolean ok = voice.speak(text);
        meter.record(System.nanoTime() - computeSince, 0, SAMPLE_RATE);
        if (cancelled) {
          return;
        }
        if (ok) {
          queue.complete();
        } else {
          queue.fail(new IllegalStateException("FreeTTS could not speak the text"));
        }
      } catch (Throwable e) {
        queue.fail(e);
      } finally {
        releaseVoice(voice);
      }
    }

    /** Hands one block to the stream and waits until it is taken; false once cancelled. */
    boolean offer(short[] samples) {
      if (cancelled) {
        return false;
      }
      meter.record(System.nanoTime() - computeSince, samples.length, SAMPLE_RATE);
      CompletableFuture<QueueOfferResult> offered =
          queue.offer(new PcmChunk(samples, false)).toCompletableFuture();
      try {
        CompletableFuture.anyOf(offered, streamDone).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cancelled = true;
        return false;
      } catch (ExecutionException e) {
        cancelled = true;
        return false;
      } finally {
        computeSince = System.nanoTime();
      }
      if (!offered.isDone() || offered.isCompletedExceptionally()) {
        cancelled = true;
        return false;
      }
      QueueOfferResult result = offered.join();
      if (result != QueueOfferResult.enqueued()) {
        cancelled = true;
        return false;
      }
      return true;
    }

    boolean isCancelled() {
      return cancelled;
    }
  }

  /** FreeTTS's audio sink: decodes each block with the format FreeTTS announces and forwards it. */
  private static final class StreamingPlayer implements AudioPlayer {
    private final Synthesis synthesis;
    private AudioFormat format = new AudioFormat(SAMPLE_RATE, 16, 1, true, true);
    private float volume = 1.0f;

    StreamingPlayer(Synthesis synthesis) {
      this.synthesis = synthesis;
    }

    @Override
    public void setAudioFormat(AudioFormat format) {
      if (format.getSampleSizeInBits() != 16
          || format.getChannels() != 1
          || (int) format.getSampleRate() != SAMPLE_RATE) {
        throw new IllegalArgumentException("unexpected FreeTTS audio format " + format);
      }
      this.format = format;
    }

    @Override
    public AudioFormat getAudioFormat() {
      return format;
    }

    @Override
    public boolean write(byte[] audioData) {
      return write(audioData, 0, audioData.length);
    }

    @Override
    public boolean write(byte[] bytes, int offset, int size) {
      // FreeTTS reuses its buffer after write returns: decode into a new array now
      boolean bigEndian = format.isBigEndian();
      boolean signed = format.getEncoding() == AudioFormat.Encoding.PCM_SIGNED;
      short[] samples = new short[size / 2];
      for (int i = 0; i < samples.length; i++) {
        int a = bytes[offset + 2 * i] & 0xff;
        int b = bytes[offset + 2 * i + 1] & 0xff;
        int v = bigEndian ? (a << 8) | b : (b << 8) | a;
        samples[i] = signed ? (short) v : (short) (v - 0x8000);
      }
      return samples.length == 0 || synthesis.offer(samples);
    }

    @Override
    public void begin(int size) {}

    @Override
    public boolean end() {
      return !synthesis.isCancelled();
    }

    @Override
    public boolean drain() {
      return !synthesis.isCancelled();
    }

    @Override
    public void cancel() {}

    @Override
    public void pause() {}

    @Override
    public void resume() {}

    @Override
    public void reset() {}

    @Override
    public void close() {}

    @Override
    public float getVolume() {
      return volume;
    }

    @Override
    public void setVolume(float volume) {
      this.volume = volume;
    }

    @Override
    public long getTime() {
      return 0;
    }

    @Override
    public void resetTime() {}

    @Override
    public void startFirstSampleTimer() {}

    @Override
    public void showMetrics() {}
  }
}
