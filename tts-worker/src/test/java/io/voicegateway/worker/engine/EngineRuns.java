package io.voicegateway.worker.engine;

import io.voicegateway.worker.audio.AudioPipeline;
import io.voicegateway.worker.audio.FrameCutter.Frame;
import io.voicegateway.worker.audio.Spectrum;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;

/** Test helpers: run an engine through the real pipeline, and a meter that counts. */
final class EngineRuns {

  private EngineRuns() {}

  static List<Frame> frames(SpeechEngine engine, String text, ActorSystem system) throws Exception {
    return engine
        .synthesize(text, SynthesisMeter.NONE)
        .via(AudioPipeline.toFrames(engine.nativeSampleRate()))
        .runWith(Sink.seq(), system)
        .toCompletableFuture()
        .get(120, TimeUnit.SECONDS);
  }

  static short[] samples(List<Frame> frames) {
    short[] all = new short[frames.size() * 960];
    for (int i = 0; i < frames.size(); i++) {
      System.arraycopy(Spectrum.decodeLe(frames.get(i).pcm()), 0, all, i * 960, 960);
    }
    return all;
  }

  static final class CountingMeter implements SynthesisMeter {
    final AtomicLong samples = new AtomicLong();
    final AtomicLong nanos = new AtomicLong();

    @Override
    public void record(long computeNanos, long samples, int sampleRate) {
      this.nanos.addAndGet(computeNanos);
      this.samples.addAndGet(samples);
    }
  }
}
