package io.voicegateway.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.worker.audio.FrameCutter.Frame;
import io.voicegateway.worker.audio.Spectrum;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ToneEngineTest {

  private static ActorSystem system;
  private static final ToneEngine engine = new ToneEngine();

  @BeforeAll
  static void start() {
    system = ActorSystem.create("tone-test");
    engine.load();
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void givesExactly25FramesOf440HzEndingWithTheFinalFrame() throws Exception {
    List<Frame> frames = EngineRuns.frames(engine, "anything", system);
    assertEquals(25, frames.size());
    for (int i = 0; i < frames.size(); i++) {
      assertEquals(1920, frames.get(i).pcm().length);
      assertEquals(i == 24, frames.get(i).last());
    }
    short[] audio = EngineRuns.samples(frames);
    assertEquals(440.0, Spectrum.peakFrequency(audio, 300, 600, 1, 48000), 5.0);
    double amplitude = Spectrum.amplitude(audio, 440, 48000) / 32767;
    assertEquals(0.3, amplitude, 0.03);
  }

  @Test
  void emits20msChunksLazilyWithTheLastOneFlagged() throws Exception {
    EngineRuns.CountingMeter meter = new EngineRuns.CountingMeter();
    List<PcmChunk> chunks =
        engine.synthesize("x", meter).runWith(Sink.seq(), system).toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertEquals(25, chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      assertEquals(960, chunks.get(i).samples().length);
      assertEquals(i == 24, chunks.get(i).last());
    }
    assertEquals(24000, meter.samples.get());
  }

  @Test
  void sineIsPhaseContinuousAcrossChunks() throws Exception {
    short[] audio = EngineRuns.samples(EngineRuns.frames(engine, "x", system));
    // a continuous 440 Hz sine at 0.3 FS moves at most 2π·440/48000·0.3·32767 ≈ 566 per sample
    for (int i = 1; i < audio.length; i++) {
      assertTrue(Math.abs(audio[i] - audio[i - 1]) < 600, "discontinuity at " + i);
    }
  }

  @Test
  void refusesToSynthesizeWhenNotLoaded() {
    ToneEngine fresh = new ToneEngine();
    assertFalse(fresh.isLoaded());
    var result = fresh.synthesize("x", SynthesisMeter.NONE).runWith(Sink.seq(), system);
    assertTrue(result.toCompletableFuture().isCompletedExceptionally()
        || result.toCompletableFuture().handle((v, e) -> e != null).join());
  }
}
