package io.voicegateway.worker.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.worker.audio.FrameCutter.Frame;
import io.voicegateway.worker.audio.Spectrum;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real espeak-ng 1.51 subprocesses (Debian package espeak-ng). */
class EspeakEngineTest {

  private static final String LONG_TEXT =
      "The quick brown fox jumps over the lazy dog near the river bank. ".repeat(40);
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static ActorSystem system;
  private static EspeakEngine engine;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create("espeak-test");
    engine = new EspeakEngine();
    engine.load();
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  private static long espeakChildren() {
    return ProcessHandle.current()
        .descendants()
        .filter(p -> p.info().command().map(c -> c.contains("espeak")).orElse(false))
        .count();
  }

  @Test
  void loadLearnsTheNativeRateFromTheWavHeader() {
    assertEquals("espeak-ng-en", engine.modelId());
    assertEquals(22050, engine.nativeSampleRate());
  }

  @Test
  void helloWorldIsAudible() throws Exception {
    List<Frame> frames = EngineRuns.frames(engine, "Hello world", system);
    assertTrue(frames.size() > 10, "only " + frames.size() + " frames");
    assertEquals(1, frames.stream().filter(Frame::last).count());
    assertTrue(frames.get(frames.size() - 1).last());
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
  void textStartingWithADashIsSpokenNotTakenAsAnOption() throws Exception {
    List<Frame> frames = EngineRuns.frames(engine, "--version -v xx hello", system);
    assertTrue(frames.size() > 20, "only " + frames.size() + " frames");
    assertTrue(Spectrum.rms(EngineRuns.samples(frames)) > 300);
  }

  @Test
  void firstChunksArriveWhileEspeakIsStillWorking() throws Exception {
    EngineRuns.CountingMeter meter = new EngineRuns.CountingMeter();
    TestSubscriber.Probe<PcmChunk> probe =
        engine.synthesize(LONG_TEXT, meter).runWith(TestSink.create(system), system);
    PcmChunk first = probe.requestNext(PATIENCE);
    PcmChunk second = probe.requestNext(PATIENCE);
    assertTrue(first.samples().length > 0 && second.samples().length > 0);
    // we stopped pulling: the pipe fills and espeak-ng must still be there, blocked in write
    Thread.sleep(300);
    assertTrue(engine.activeSyntheses() >= 1, "espeak-ng finished without being read");
    long readSoFar = meter.samples.get();
    List<PcmChunk> rest = probe.toStrict(PATIENCE.multipliedBy(2));
    long total = first.samples().length + second.samples().length
        + rest.stream().mapToLong(c -> c.samples().length).sum();
    assertTrue(rest.size() > 10, rest.size() + " more chunks");
    assertTrue(total > 10 * readSoFar, readSoFar + " of " + total + " samples before we pulled");
  }

  @Test
  void cancellingKillsTheSubprocess() throws Exception {
    List<PcmChunk> three =
        engine.synthesize(LONG_TEXT.repeat(5), SynthesisMeter.NONE).take(3)
            .runWith(Sink.seq(), system).toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertEquals(3, three.size());
    await().atMost(PATIENCE).until(() -> engine.activeSyntheses() == 0 && espeakChildren() == 0);
  }

  @Test
  void missingBinaryIsReportedWithTheInstallHint() {
    EspeakEngine missing = new EspeakEngine("/nonexistent/espeak-ng", "en");
    EngineUnavailableException e = assertThrows(EngineUnavailableException.class, missing::load);
    assertTrue(e.getMessage().contains("espeak-ng not found: apt-get install espeak-ng"));
  }

  @Test
  void unknownVoiceIsReportedAtLoad() {
    EspeakEngine bad = new EspeakEngine("espeak-ng", "zzz");
    EngineUnavailableException e = assertThrows(EngineUnavailableException.class, bad::load);
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }
}
