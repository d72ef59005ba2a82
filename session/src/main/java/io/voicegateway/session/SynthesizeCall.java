package io.voicegateway.session;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.voicegateway.tts.v1.AudioFrame;
import io.voicegateway.tts.v1.TTSService;
import io.voicegateway.tts.v1.TextChunk;

/**
 * One Synthesize call (WIRE.md §2) on grpc-java directly, with manual flow control: the worker's
 * frames are read one {@link #request} at a time, and every frame and the call's end go to a
 * {@link Listener} on the transport's thread. The one text chunk is sent and the request side
 * half-closed at once.
 *
 * <p>Why not the pekko-grpc client, which the other calls use: a Synthesize call carries every
 * audio frame, 50 a second per session. Through pekko-grpc each utterance materialized a Pekko
 * stream and each frame crossed it under an extra acknowledgement; its marshaller parsed each
 * frame through a fresh 4 KiB stream buffer. grpc-java's protobuf marshaller reads a frame of
 * known length into a reused buffer. (docs/BENCHMARKS.md, "Allocation per frame".)
 */
final class SynthesizeCall {

  /** The same method as the generated client's, with grpc-java's protobuf marshallers. */
  static final MethodDescriptor<TextChunk, AudioFrame> METHOD =
      MethodDescriptor.<TextChunk, AudioFrame>newBuilder()
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(TTSService.name, "Synthesize"))
          .setRequestMarshaller(ProtoUtils.marshaller(TextChunk.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(AudioFrame.getDefaultInstance()))
          .build();

  /** What the call reports, on the transport's thread, one callback at a time. */
  interface Listener {
    void onFrame(AudioFrame frame);

    /** The call ended: OK when the worker completed it, else why it failed or was cancelled. */
    void onClose(Status status);
  }

  private final ClientCall<TextChunk, AudioFrame> call;

  private SynthesizeCall(ClientCall<TextChunk, AudioFrame> call) {
    this.call = call;
  }

  /** Starts the call, sends {@code chunk}, half-closes, and asks for the first frame. */
  static SynthesizeCall start(Channel channel, TextChunk chunk, Listener listener) {
    ClientCall<TextChunk, AudioFrame> call = channel.newCall(METHOD, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(AudioFrame frame) {
        listener.onFrame(frame);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        listener.onClose(status);
      }
    }, new Metadata());
    call.sendMessage(chunk);
    call.halfClose();
    call.request(1);
    return new SynthesizeCall(call);
  }

  /** Lets one more frame through. */
  void request() {
    call.request(1);
  }

  /** Ends the call toward the worker (RST_STREAM CANCEL); a no-op once it has ended. */
  void cancel(String why) {
    call.cancel(why, null);
  }
}
