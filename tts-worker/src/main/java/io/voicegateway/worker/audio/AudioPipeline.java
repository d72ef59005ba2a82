package io.voicegateway.worker.audio;

import io.voicegateway.audio.Resampler;
import io.voicegateway.worker.engine.PcmChunk;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;

/** Turns an engine's native-rate PCM into the 48 kHz 20 ms wire frames of WIRE.md §1. */
public final class AudioPipeline {

  private AudioPipeline() {}

  /**
   * Resamples to 48 kHz and cuts into frames. The resampler is flushed when a {@code last} chunk
   * arrives or, failing that, when upstream completes; either way exactly one final frame ends the
   * stream. Chunks after a {@code last} chunk are ignored. One element in gives zero or more frames
   * out, with ordinary stream demand, so back-pressure passes straight through.
   */
  public static Flow<PcmChunk, FrameCutter.Frame, NotUsed> toFrames(int nativeSampleRate) {
    // The end of input travels as an empty element, so only a normal completion flushes: a
    // failed engine must fail the stream, not end it with a well-formed final frame.
    return Flow.<PcmChunk>create()
        .map(Optional::of)
        .concat(Source.single(Optional.<PcmChunk>empty()))
        .statefulMapConcat(() -> {
          State state = new State(nativeSampleRate);
          return chunk -> chunk.isPresent() ? state.accept(chunk.get()) : state.complete();
        });
  }

  private static final class State {
    private final Resampler resampler;
    private final FrameCutter cutter = new FrameCutter();

    State(int nativeSampleRate) {
      this.resampler = new Resampler(nativeSampleRate, FrameCutter.SAMPLE_RATE);
    }

    List<FrameCutter.Frame> accept(PcmChunk chunk) {
      if (cutter.isFinished()) {
        return List.of();
      }
      short[] out = resampler.process(chunk.samples());
      if (!chunk.last()) {
        return cutter.accept(out, false);
      }
      // one call with last=true, so a whole last frame is itself marked final
      short[] tail = resampler.flush();
      short[] all = Arrays.copyOf(out, out.length + tail.length);
      System.arraycopy(tail, 0, all, out.length, tail.length);
      return cutter.accept(all, true);
    }

    List<FrameCutter.Frame> complete() {
      if (cutter.isFinished()) {
        return List.of();
      }
      return cutter.accept(resampler.flush(), true);
    }
  }
}
