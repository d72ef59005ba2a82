package io.voicegateway.worker.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.worker.audio.FrameCutter.Frame;
import io.voicegateway.worker.engine.PcmChunk;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AudioPipelineTest {

  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("pipeline-test");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  private static List<Frame> run(int rate, List<PcmChunk> chunks) throws Exception {
    return Source.from(chunks).via(AudioPipeline.toFrames(rate)).runWith(Sink.seq(), system)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void anEngineFailureFailsTheStreamInsteadOfEndingItWithAFinalFrame() {
    short[] tone = Spectrum.sine(1000, 10000, 16000, 320);
    var result = Source.single(new PcmChunk(tone, false))
        .concat(Source.failed(new IllegalStateException("engine crashed")))
        .via(AudioPipeline.toFrames(16000))
        .runWith(Sink.seq(), system)
        .toCompletableFuture();
    var e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
    assertEquals("engine crashed", e.getCause().getMessage());
  }

  @Test
  void upstreamCompletionWithoutLastFlushesTheTailIntoAFinalFrame() throws Exception {
    // 1 s at 16 kHz in 20 ms chunks, none flagged last: 48 000 samples = exactly 50 frames
    short[] tone = Spectrum.sine(1000, 10000, 16000, 320);
    List<PcmChunk> chunks = java.util.Collections.nCopies(50, new PcmChunk(tone, false));
    List<Frame> frames = run(16000, chunks);
    // the resampler still held ~150 samples back; the flush completes frame 50, marked final
    assertEquals(50, frames.size());
    assertEquals(1, frames.stream().filter(Frame::last).count());
    assertTrue(frames.get(49).last());
  }

  @Test
  void lastChunkOnAFrameBoundaryMarksTheLastAudioFrameFinal() throws Exception {
    short[] tone = Spectrum.sine(1000, 10000, 16000, 320);
    List<PcmChunk> chunks = new java.util.ArrayList<>(java.util.Collections.nCopies(49, new PcmChunk(tone, false)));
    chunks.add(new PcmChunk(tone, true));
    List<Frame> frames = run(16000, chunks);
    assertEquals(50, frames.size());
    assertTrue(frames.get(49).last());
    assertEquals(1000, Spectrum.peakFrequency(Spectrum.decodeLe(frames.get(10).pcm()), 900, 1100, 10, 48000), 10);
  }

  @Test
  void emptyStreamStillEndsWithOneFinalFrame() throws Exception {
    List<Frame> frames = run(22050, List.of());
    assertEquals(1, frames.size());
    assertTrue(frames.get(0).last());
  }

  @Test
  void chunksAfterTheLastAreIgnored() throws Exception {
    short[] s = new short[441];
    List<Frame> frames = run(22050, List.of(new PcmChunk(s, true), new PcmChunk(new short[44100], false)));
    assertEquals(1, frames.size());
    assertTrue(frames.get(0).last());
  }
}
