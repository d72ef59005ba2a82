package io.voicegateway.worker.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.worker.audio.FrameCutter.Frame;
import io.voicegateway.worker.audio.Spectrum;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real FreeTTS; one engine for the class because allocating a voice takes a while. */
class FreeTtsEngineTest {

  static final String LONG_TEXT =
      "The quick brown fox jumps over the lazy dog near the river bank. ".repeat(12);
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static ActorSystem system;
  private static FreeTtsEngine engine;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create("freetts-test");
    engine = new FreeTtsEngine(4);
    engine.load();
  }

  @AfterAll
  static void stop() {
    engine.unload();
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void helloWorldIsAudible() throws Exception {
    List<Frame> frames = EngineRuns.frames(engine, "Hello world", system);
    assertTrue(frames.size() > 10, "only " + frames.size() + " frames");
    assertTrue(frames.get(frames.size() - 1).last());
    assertEquals(1, frames.stream().filter(Frame::last).count());
    frames.forEach(f -> assertEquals(1920, f.pcm().length));
    double rms = Spectrum.rms(EngineRuns.samples(frames));
    assertTrue(rms > 300, "rms " + rms);
  }

  @Test
  void longerTextGivesClearlyMoreAudio() throws Exception {
    int shortFrames = EngineRuns.frames(engine, "Hello world", system).size();
    int longFrames =
        EngineRuns.frames(engine, "Hello world, this is a much longer sentence to say.", system)
            .size();
    assertTrue(longFrames > 2 * shortFrames, shortFrames + " vs " + longFrames);
  }

  @Test
  void streamsAndStaysABoundedDistanceAheadOfItsConsumer() throws Exception {
    EngineRuns.CountingMeter meter = new EngineRuns.CountingMeter();
    TestSubscriber.Probe<PcmChunk> probe =
        engine.synthesize(LONG_TEXT, meter).runWith(TestSink.create(system), system);
    PcmChunk first = probe.requestNext(PATIENCE);
    assertTrue(first.samples().length > 0);
    // give the engine every chance to run ahead (not a timing assertion: the bound must hold)
    Thread.sleep(500);
    long producedWhileWaiting = meter.samples.get();
    int blockSamples = 512; // FreeTTS writes 1024-byte blocks
    assertTrue(
        producedWhileWaiting <= (FreeTtsEngine.QUEUE_CHUNKS + 3) * blockSamples,
        "ran " + producedWhileWaiting + " samples ahead");
    List<PcmChunk> rest = probe.toStrict(PATIENCE.multipliedBy(2));
    long total = first.samples().length + rest.stream().mapToLong(c -> c.samples().length).sum();
    int chunks = 1 + rest.size();
    assertTrue(chunks > 10, chunks + " chunks");
    assertTrue(total > 20 * producedWhileWaiting, "first chunk came before the utterance was done");
  }

  @Test
  void cancellingStopsTheEngineAndFreesTheVoice() throws Exception {
    EngineRuns.CountingMeter meter = new EngineRuns.CountingMeter();
    List<PcmChunk> three =
        engine.synthesize(LONG_TEXT.repeat(4), meter).take(3).runWith(Sink.seq(), system)
            .toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertEquals(3, three.size());
    await().atMost(PATIENCE).until(() -> engine.activeSyntheses() == 0);
    // the whole text is several minutes of speech; only a few blocks were ever made
    assertTrue(meter.samples.get() < 16000 * 5, "produced " + meter.samples.get());
    // and the voice is usable again
    assertTrue(EngineRuns.frames(engine, "Again", system).size() > 5);
  }

  @Test
  void fourSynthesesAtOnceAllComplete() throws Exception {
    String[] texts = {
      "One little voice.", "Two little voices.", "Three little voices.", "Four little voices."
    };
    List<CompletableFuture<List<Frame>>> runs = new ArrayList<>();
    for (String text : texts) {
      runs.add(CompletableFuture.supplyAsync(() -> {
        try {
          return EngineRuns.frames(engine, text, system);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
    }
    int reference = EngineRuns.frames(engine, texts[0], system).size();
    for (CompletableFuture<List<Frame>> run : runs) {
      List<Frame> frames = run.get(120, TimeUnit.SECONDS);
      assertTrue(frames.get(frames.size() - 1).last());
      assertTrue(Spectrum.rms(EngineRuns.samples(frames)) > 300);
      // same-length sentences: similar durations, nothing lost or mixed between voices
      assertTrue(Math.abs(frames.size() - reference) < reference / 2,
          frames.size() + " frames vs " + reference);
    }
  }

  @Test
  void meterSeesAllSamplesAndSomeComputeTime() throws Exception {
    EngineRuns.CountingMeter meter = new EngineRuns.CountingMeter();
    List<PcmChunk> chunks = engine.synthesize("Hello world", meter).runWith(Sink.seq(), system)
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    long samples = chunks.stream().mapToLong(c -> c.samples().length).sum();
    assertEquals(samples, meter.samples.get());
    assertTrue(meter.nanos.get() > 0);
    assertFalse(chunks.stream().anyMatch(c -> c.samples().length == 0));
  }
}
