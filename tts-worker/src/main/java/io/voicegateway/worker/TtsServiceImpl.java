package io.voicegateway.worker;

import io.grpc.Status;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.tts.v1.AudioFrame;
import io.voicegateway.tts.v1.Capabilities;
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
import io.voicegateway.tts.v1.ModelInfo;
import io.voicegateway.tts.v1.StartSessionRequest;
import io.voicegateway.tts.v1.StartSessionResponse;
import io.voicegateway.tts.v1.TTSService;
import io.voicegateway.tts.v1.TextChunk;
import io.voicegateway.tts.v1.UnloadModelRequest;
import io.voicegateway.tts.v1.UnloadModelResponse;
import io.voicegateway.worker.audio.AudioPipeline;
import io.voicegateway.worker.engine.PcmChunk;
import io.voicegateway.worker.engine.SpeechEngine;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The worker's implementation of {@code tts.TTSService} (WIRE.md §2).
 *
 * <p>One Synthesize call is one utterance: its text chunks are spoken in order as they arrive,
 * frames are numbered from 1, and the call ends with exactly one is_final frame, after the chunk
 * marked is_final (or the end of the request stream), or at once on STOP.
 */
public final class TtsServiceImpl implements TTSService {

  private static final Logger log = LoggerFactory.getLogger(TtsServiceImpl.class);

  private final WorkerSettings settings;
  private final ModelCatalog catalog;
  private final WorkerSessions sessions;
  private final RtfMeter rtf = new RtfMeter();

  public TtsServiceImpl(WorkerSettings settings, ModelCatalog catalog) {
    this.settings = settings;
    this.catalog = catalog;
    this.sessions = new WorkerSessions(settings.maxConcurrentSessions());
  }

  /** Sessions open on this worker now (StartSession .. EndSession). */
  public int activeSessions() {
    return sessions.count();
  }

  /** Ends the sessions idle beyond {@code session-idle-timeout} (see reference.conf). */
  void reapIdleSessions() {
    for (String id : sessions.reapIdle(settings.sessionIdleTimeout().toNanos())) {
      MDC.put("sessionId", id);
      try {
        log.info("session ended: idle for {} s (its client never sent EndSession)",
            settings.sessionIdleTimeout().toSeconds());
      } finally {
        MDC.remove("sessionId");
      }
    }
  }

  @Override
  public CompletionStage<StartSessionResponse> startSession(StartSessionRequest in) {
    return rejectingInvalid(() -> doStartSession(in));
  }

  private CompletionStage<StartSessionResponse> doStartSession(StartSessionRequest in) {
    String id = requireSessionId(in.getSessionId());
    Optional<SpeechEngine> engine = catalog.find(in.getModelId());
    if (engine.isEmpty()) {
      return started(false, "unknown model \"" + in.getModelId() + "\"; this worker has: "
          + catalog.describeModels());
    }
    return catalog.load(engine.get())
        .thenApply(loadMs -> switch (sessions.start(id, engine.get())) {
          case STARTED, RESTARTED -> {
            withSession(id, () -> log.info("session started, model {}", engine.get().modelId()));
            yield startResponse(true, "session " + id + " started with model " + engine.get().modelId());
          }
          case AT_CAPACITY -> startResponse(false, "worker at capacity: max_concurrent_sessions="
              + sessions.maxSessions() + " sessions are active");
        })
        .exceptionally(e -> startResponse(false, "model " + engine.get().modelId()
            + " cannot be loaded: " + rootMessage(e)));
  }

  @Override
  public CompletionStage<EndSessionResponse> endSession(EndSessionRequest in) {
    return rejectingInvalid(() -> doEndSession(in));
  }

  private CompletionStage<EndSessionResponse> doEndSession(EndSessionRequest in) {
    String id = requireSessionId(in.getSessionId());
    boolean ended = sessions.end(id);
    if (ended) withSession(id, () -> log.info("session ended"));
    return CompletableFuture.completedFuture(EndSessionResponse.newBuilder().setSuccess(ended).build());
  }

  @Override
  public Source<AudioFrame, NotUsed> synthesize(Source<TextChunk, NotUsed> in) {
    return in.prefixAndTail(1)
        .flatMapConcat(firstAndRest -> {
          if (firstAndRest.first().isEmpty()) return Source.<AudioFrame>empty();
          TextChunk first = firstAndRest.first().get(0);
          String id = requireSessionId(first.getSessionId());
          WorkerSession session = sessions.find(id).orElseThrow(() -> new GrpcServiceException(
              Status.NOT_FOUND.withDescription("unknown session_id \"" + id
                  + "\": call StartSession first")));
          SpeechEngine engine = session.engine();
          Source<TextChunk, NotUsed> chunks = Source.single(first)
              .concat(firstAndRest.second())
              .takeWhile(chunk -> !chunk.getIsFinal(), true)
              .map(chunk -> validate(chunk, id));
          // the model may have been unloaded since StartSession: load it again first (a no-op
          // when it is resident)
          return Source.completionStage(catalog.load(engine))
              .flatMapConcat(loadMs -> chunks
                  .flatMapConcat(chunk -> speak(engine, chunk))
                  .via(AudioPipeline.toFrames(engine.nativeSampleRate()))
                  .via(new SynthesisGate(session, sessions)));
        })
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /** The engine's audio for one chunk; only the chunk that ends the utterance may end the audio. */
  private Source<PcmChunk, NotUsed> speak(SpeechEngine engine, TextChunk chunk) {
    if (chunk.getText().isBlank()) return Source.empty();
    Source<PcmChunk, NotUsed> pcm = engine.synthesize(chunk.getText(), rtf);
    return chunk.getIsFinal() ? pcm : pcm.map(c -> c.last() ? new PcmChunk(c.samples(), false) : c);
  }

  private TextChunk validate(TextChunk chunk, String sessionId) {
    if (!chunk.getSessionId().isEmpty() && !chunk.getSessionId().equals(sessionId)) {
      throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(
          "session_id changed within one Synthesize call: \"" + chunk.getSessionId()
              + "\" after \"" + sessionId + "\""));
    }
    int length = chunk.getText().codePointCount(0, chunk.getText().length());
    if (length > settings.maxTextLength()) {
      throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(
          "text too long: " + length + " characters, the limit is " + settings.maxTextLength()));
    }
    return chunk;
  }

  @Override
  public CompletionStage<ControlResponse> control(ControlRequest in) {
    return rejectingInvalid(() -> doControl(in));
  }

  private CompletionStage<ControlResponse> doControl(ControlRequest in) {
    String id = requireSessionId(in.getSessionId());
    Optional<WorkerSession> found = sessions.find(id);
    if (found.isEmpty()) return controlled(false, "unknown session_id \"" + id + "\"");
    WorkerSession session = found.get();
    withSession(id, () -> log.debug("control {}", in.getCommand()));
    return switch (in.getCommand()) {
      case PAUSE -> {
        session.pause();
        yield controlled(true, "paused");
      }
      case RESUME -> {
        session.resume();
        yield controlled(true, "resumed");
      }
      case STOP -> {
        session.stop();
        yield controlled(true, "stopped");
      }
      // RELOAD makes the session's model resident again (after an UnloadModel, for example).
      case RELOAD -> catalog.load(session.engine())
          .thenCompose(ms -> controlled(true, "model " + session.engine().modelId() + " loaded"))
          .exceptionallyCompose(e -> controlled(false, "reload failed: " + rootMessage(e)));
      case UNRECOGNIZED -> controlled(false, "unknown control command value "
          + in.getCommandValue() + "; known: PAUSE, RESUME, STOP, RELOAD");
    };
  }

  @Override
  public CompletionStage<ListModelsResponse> listModels(ListModelsRequest in) {
    ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
    for (SpeechEngine e : catalog.all()) {
      ModelInfo.Builder info = ModelInfo.newBuilder()
          .setModelId(e.modelId())
          .setFamily(e.family())
          .setIsLoaded(e.isLoaded())
          .addAllLanguages(e.languages())
          .putAllMetadata(e.metadata())
          .putMetadata("native_sample_rate", Integer.toString(e.nativeSampleRate()))
          .putMetadata("default", Boolean.toString(e.modelId().equals(catalog.defaultModel())));
      String aliases = catalog.aliasesOf(e.modelId());
      if (!aliases.isEmpty()) info.putMetadata("aliases", aliases);
      b.addModels(info);
    }
    return CompletableFuture.completedFuture(b.build());
  }

  @Override
  public CompletionStage<LoadModelResponse> loadModel(LoadModelRequest in) {
    Optional<SpeechEngine> engine = catalog.find(in.getModelId());
    if (engine.isEmpty() || in.getModelId().isEmpty()) {
      return CompletableFuture.completedFuture(LoadModelResponse.newBuilder()
          .setSuccess(false)
          .setMessage("unknown model \"" + in.getModelId() + "\"; this worker has: "
              + catalog.describeModels())
          .build());
    }
    return catalog.load(engine.get())
        .thenApply(ms -> LoadModelResponse.newBuilder()
            .setSuccess(true)
            .setMessage("model " + in.getModelId() + " loaded")
            .setLoadDurationMs(ms)
            .build())
        .exceptionally(e -> LoadModelResponse.newBuilder()
            .setSuccess(false)
            .setMessage("model " + in.getModelId() + " cannot be loaded: " + rootMessage(e))
            .build());
  }

  @Override
  public CompletionStage<UnloadModelResponse> unloadModel(UnloadModelRequest in) {
    Optional<SpeechEngine> engine = catalog.find(in.getModelId());
    UnloadModelResponse.Builder b = UnloadModelResponse.newBuilder();
    if (engine.isEmpty() || in.getModelId().isEmpty()) {
      b.setSuccess(false).setMessage("unknown model \"" + in.getModelId() + "\"; this worker has: "
          + catalog.describeModels());
    } else {
      engine.get().unload();
      b.setSuccess(true).setMessage("model " + in.getModelId()
          + " unloaded; it loads again when a session next uses it");
    }
    return CompletableFuture.completedFuture(b.build());
  }

  @Override
  public CompletionStage<GetCapabilitiesResponse> getCapabilities(GetCapabilitiesRequest in) {
    return CompletableFuture.completedFuture(GetCapabilitiesResponse.newBuilder()
        .setCapabilities(capabilities())
        .addAllResidentModels(catalog.residentModels())
        .putAllMetrics(metrics())
        .build());
  }

  /** What this worker can do, as announced to clients and in its registration. */
  public Capabilities capabilities() {
    return Capabilities.newBuilder()
        .setStreaming(true)
        .setZeroShot(false)
        .setLora(false)
        .setCpuOk(true)
        .addAllLanguages(settings.languages())
        .setEmotiveZeroPrompt(false)
        .setMaxConcurrentSessions(settings.maxConcurrentSessions())
        .build();
  }

  /** {@code rtf} (measured), {@code queue_depth} (running syntheses), and session counts. */
  public Map<String, Double> metrics() {
    return Map.of(
        WorkerRecord.RTF, rtf.rtf(),
        WorkerRecord.QUEUE_DEPTH, (double) sessions.runningSyntheses(),
        "active_sessions", (double) sessions.count(),
        "max_concurrent_sessions", (double) sessions.maxSessions());
  }

  /** Forgets the measured real-time factor so far (after the start-up warm-up). */
  void resetRtf() {
    rtf.reset();
  }

  public ModelCatalog catalog() {
    return catalog;
  }

  private static String requireSessionId(String id) {
    if (id == null || id.isBlank()) {
      throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(
          "session_id is required and must not be empty"));
    }
    return id;
  }

  /** A request rejected by validation fails the call with its gRPC status instead of throwing. */
  private static <T> CompletionStage<T> rejectingInvalid(Supplier<CompletionStage<T>> call) {
    try {
      return call.get();
    } catch (GrpcServiceException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static CompletionStage<StartSessionResponse> started(boolean ok, String message) {
    return CompletableFuture.completedFuture(startResponse(ok, message));
  }

  private static StartSessionResponse startResponse(boolean ok, String message) {
    return StartSessionResponse.newBuilder().setSuccess(ok).setMessage(message).build();
  }

  private static CompletionStage<ControlResponse> controlled(boolean ok, String message) {
    return CompletableFuture.completedFuture(ControlResponse.newBuilder()
        .setSuccess(ok)
        .setMessage(message)
        .setTimestampMs(System.currentTimeMillis())
        .build());
  }

  /** The message of what actually went wrong, under the future's CompletionException wrapper. */
  private static String rootMessage(Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static void withSession(String id, Runnable logStatement) {
    MDC.put("sessionId", id);
    try {
      logStatement.run();
    } finally {
      MDC.remove("sessionId");
    }
  }
}
