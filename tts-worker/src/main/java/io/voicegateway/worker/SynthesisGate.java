package io.voicegateway.worker;

import com.google.protobuf.ByteString;
import io.voicegateway.tts.v1.AudioFrame;
import io.voicegateway.worker.audio.FrameCutter;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The last stage of one Synthesize call: numbers the 48 kHz frames into {@link AudioFrame}s
 * (sequence from 1) and obeys the session's control commands.
 *
 * <p>PAUSE stops pulling, so back-pressure holds the engine; at most the one frame already in
 * flight is held here. RESUME continues with the next sequence number. STOP cancels the engine
 * and ends the call with an end marker (empty audio, is_final, WIRE.md §2).
 */
final class SynthesisGate extends GraphStage<FlowShape<FrameCutter.Frame, AudioFrame>> {

  static final int SAMPLE_RATE = 48_000;
  static final int FRAME_MS = 20;

  private final Inlet<FrameCutter.Frame> in = Inlet.create("SynthesisGate.in");
  private final Outlet<AudioFrame> out = Outlet.create("SynthesisGate.out");
  private final FlowShape<FrameCutter.Frame, AudioFrame> shape = FlowShape.of(in, out);
  private final WorkerSession session;
  private final WorkerSessions sessions;

  SynthesisGate(WorkerSession session, WorkerSessions sessions) {
    this.session = session;
    this.sessions = sessions;
  }

  @Override
  public FlowShape<FrameCutter.Frame, AudioFrame> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      private boolean paused;
      private boolean stopped;
      private FrameCutter.Frame held;
      private long sequence;
      private WorkerSession.Synthesis handle;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            FrameCutter.Frame frame = grab(in);
            if (paused) {
              held = frame;
            } else {
              emitFrame(frame);
            }
          }

          @Override
          public void onUpstreamFinish() {
            // The frame pipeline always ends with a final frame; this covers an engine that
            // produced nothing at all, so the caller still gets its is_final.
            if (held == null) finishWithMarker();
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (stopped) {
              finishWithMarker();
            } else if (!paused) {
              pullIfPossible();
            }
          }
        });
      }

      @Override
      public void preStart() {
        AsyncCallback<Boolean> onPause = createAsyncCallback(this::setPaused);
        AsyncCallback<Boolean> onStop = createAsyncCallback(ignored -> stop());
        handle = new WorkerSession.Synthesis() {
          @Override
          public void pause() {
            onPause.invoke(true);
          }

          @Override
          public void resume() {
            onPause.invoke(false);
          }

          @Override
          public void stop() {
            onStop.invoke(true);
          }
        };
        paused = session.attach(handle);
        sessions.synthesisStarted();
      }

      @Override
      public void postStop() {
        session.detach(handle);
        sessions.synthesisEnded();
      }

      private void setPaused(boolean pause) {
        paused = pause;
        if (pause || !isAvailable(out)) return;
        if (held != null) {
          FrameCutter.Frame frame = held;
          held = null;
          emitFrame(frame);
          if (!isClosed(out) && isClosed(in)) finishWithMarker();
        } else {
          pullIfPossible();
        }
      }

      private void stop() {
        stopped = true;
        held = null;
        if (!isClosed(in)) cancel(in);
        if (isAvailable(out)) finishWithMarker();
      }

      private void pullIfPossible() {
        if (!isClosed(in) && !hasBeenPulled(in)) pull(in);
      }

      private void emitFrame(FrameCutter.Frame frame) {
        push(out, audioFrame(ByteString.copyFrom(frame.pcm()), frame.last()));
        if (frame.last()) completeStage();
      }

      private void finishWithMarker() {
        emit(out, audioFrame(ByteString.EMPTY, true));
        complete(out); // deferred by Pekko until the marker has been emitted
        if (!isClosed(in)) cancel(in);
      }

      private AudioFrame audioFrame(ByteString pcm, boolean last) {
        return AudioFrame.newBuilder()
            .setSessionId(session.id())
            .setAudioData(pcm)
            .setSampleRate(SAMPLE_RATE)
            .setFrameDurationMs(FRAME_MS)
            .setSequenceNumber(++sequence)
            .setIsFinal(last)
            .build();
      }
    };
  }
}
