package io.voicegateway.session;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.tts.v1.AudioFrame;
import io.voicegateway.tts.v1.ControlRequest;
import io.voicegateway.tts.v1.ControlResponse;
import io.voicegateway.tts.v1.EndSessionRequest;
import io.voicegateway.tts.v1.EndSessionResponse;
import io.voicegateway.tts.v1.GetCapabilitiesRequest;
import io.voicegateway.tts.v1.GetCapabilitiesResponse;
import io.voicegateway.tts.v1.ListModelsRequest;
import io.voicegateway.tts.v1.ListModelsResponse;
import io.voicegateway.tts.v1.LoadModelRequest;
import io.voicegateway.tts.v1.LoadModelResponse;
import io.voicegateway.tts.v1.StartSessionRequest;
import io.voicegateway.tts.v1.StartSessionResponse;
import io.voicegateway.tts.v1.TTSService;
import io.voicegateway.tts.v1.TTSServiceHandlerFactory;
import io.voicegateway.tts.v1.TextChunk;
import io.voicegateway.tts.v1.UnloadModelRequest;
import io.voicegateway.tts.v1.UnloadModelResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A gRPC server that breaks WIRE.md §2 on purpose, served over real loopback gRPC. A fake is
 * needed here because the reference worker never sends malformed frames. The text of the one
 * chunk names the script: tokens {@code ok} (a 1920-byte frame), {@code short} (1000 bytes),
 * {@code empty} (empty, not final), {@code final} (a final 1920-byte frame), {@code marker}
 * (empty, final); the call ends after the last token. A session whose id starts with
 * {@value #SLOW_START} is started {@link #SLOW_START_DELAY} late; {@link #ended()} lists the
 * sessions ended by EndSession.
 */
final class MisbehavingWorker implements AutoCloseable {

  static final String SLOW_START = "slow-start";
  static final java.time.Duration SLOW_START_DELAY = java.time.Duration.ofMillis(800);

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final java.util.Set<String> ended;

  private MisbehavingWorker(ActorSystem<Void> system, ServerBinding binding,
      java.util.Set<String> ended) {
    this.system = system;
    this.binding = binding;
    this.ended = ended;
  }

  /** The session ids EndSession was called for. */
  java.util.Set<String> ended() {
    return ended;
  }

  static MisbehavingWorker start() {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "misbehaving-worker",
        ConfigFactory.parseString("pekko.http.server.enable-http2 = on")
            .withFallback(ConfigFactory.load()));
    java.util.Set<String> ended = java.util.concurrent.ConcurrentHashMap.newKeySet();
    ServerBinding binding = LoopbackWorker.await(Http.get(system)
        .newServerAt("127.0.0.1", 0)
        .bind(TTSServiceHandlerFactory.create(new Scripted(system, ended), system)));
    return new MisbehavingWorker(system, binding, ended);
  }

  WorkerRecord record() {
    return record("misbehaving");
  }

  /** Its registration under {@code name} (workers are told apart by name). */
  WorkerRecord record(String name) {
    return new WorkerRecord(name, "grpc://127.0.0.1:" + binding.localAddress().getPort(),
        null, null, null, 0);
  }

  @Override
  public void close() {
    system.terminate();
    LoopbackWorker.await(system.getWhenTerminated());
  }

  private static final class Scripted implements TTSService {

    private final ActorSystem<Void> system;
    private final java.util.Set<String> ended;

    Scripted(ActorSystem<Void> system, java.util.Set<String> ended) {
      this.system = system;
      this.ended = ended;
    }

    @Override
    public CompletionStage<StartSessionResponse> startSession(StartSessionRequest in) {
      StartSessionResponse ok =
          StartSessionResponse.newBuilder().setSuccess(true).setMessage("ok").build();
      if (!in.getSessionId().startsWith(SLOW_START)) return done(ok);
      return org.apache.pekko.pattern.Patterns.after(SLOW_START_DELAY,
          system.classicSystem().scheduler(), system.executionContext(), () -> done(ok));
    }

    @Override
    public CompletionStage<EndSessionResponse> endSession(EndSessionRequest in) {
      ended.add(in.getSessionId());
      return done(EndSessionResponse.newBuilder().setSuccess(true).build());
    }

    @Override
    public Source<AudioFrame, NotUsed> synthesize(Source<TextChunk, NotUsed> in) {
      return in.take(1).mapConcat(chunk -> script(chunk.getSessionId(), chunk.getText()));
    }

    private static List<AudioFrame> script(String sessionId, String text) {
      List<AudioFrame> frames = new ArrayList<>();
      long seq = 0;
      for (String token : text.trim().split("\\s+")) {
        int bytes = switch (token) {
          case "ok", "final" -> 1920;
          case "short" -> 1000;
          default -> 0;
        };
        frames.add(AudioFrame.newBuilder()
            .setSessionId(sessionId)
            .setAudioData(ByteString.copyFrom(new byte[bytes]))
            .setSampleRate(48000)
            .setFrameDurationMs(20)
            .setSequenceNumber(++seq)
            .setIsFinal(token.equals("final") || token.equals("marker"))
            .build());
      }
      return frames;
    }

    @Override
    public CompletionStage<ControlResponse> control(ControlRequest in) {
      return done(ControlResponse.newBuilder().setSuccess(true).setMessage("ok").build());
    }

    @Override
    public CompletionStage<ListModelsResponse> listModels(ListModelsRequest in) {
      return done(ListModelsResponse.getDefaultInstance());
    }

    @Override
    public CompletionStage<LoadModelResponse> loadModel(LoadModelRequest in) {
      return done(LoadModelResponse.getDefaultInstance());
    }

    @Override
    public CompletionStage<UnloadModelResponse> unloadModel(UnloadModelRequest in) {
      return done(UnloadModelResponse.getDefaultInstance());
    }

    @Override
    public CompletionStage<GetCapabilitiesResponse> getCapabilities(GetCapabilitiesRequest in) {
      return done(GetCapabilitiesResponse.getDefaultInstance());
    }

    private static <T> CompletionStage<T> done(T value) {
      return CompletableFuture.completedFuture(value);
    }
  }
}
