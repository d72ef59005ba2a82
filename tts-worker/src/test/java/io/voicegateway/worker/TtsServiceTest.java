package io.voicegateway.worker;

import static io.voicegateway.worker.FrameAssertions.assertEndMarker;
import static io.voicegateway.worker.FrameAssertions.assertWellFormedUtterance;
import static io.voicegateway.worker.FrameAssertions.dominantFrequency;
import static io.voicegateway.worker.FrameAssertions.rms;
import static io.voicegateway.worker.FrameAssertions.samples;
import static io.voicegateway.worker.WorkerFixture.await;
import static io.voicegateway.worker.WorkerFixture.chunk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.voicegateway.tts.v1.AudioFrame;
import io.voicegateway.tts.v1.ControlCommand;
import io.voicegateway.tts.v1.ControlRequest;
import io.voicegateway.tts.v1.EndSessionRequest;
import io.voicegateway.tts.v1.GetCapabilitiesRequest;
import io.voicegateway.tts.v1.GetCapabilitiesResponse;
import io.voicegateway.tts.v1.ListModelsRequest;
import io.voicegateway.tts.v1.LoadModelRequest;
import io.voicegateway.tts.v1.ModelInfo;
import io.voicegateway.tts.v1.StartSessionResponse;
import io.voicegateway.tts.v1.UnloadModelRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The worker's gRPC service over loopback, with its real engines. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TtsServiceTest {

  private static final String TONE = ModelCatalog.TONE;
  private WorkerFixture fx;

  @BeforeAll
  void startWorker() {
    fx = WorkerFixture.start("voicegw.worker { max-concurrent-sessions = 40, max-text-length = 200 }");
  }

  @AfterAll
  void stopWorker() {
    fx.close();
  }

  @Test
  void toneModelSpeaksTwentyFiveFramesOfA440HzTonePerChunk() {
    assertTrue(fx.startSession("tone-1", TONE).getSuccess());
    List<AudioFrame> frames = fx.synthesize("tone-1", "Hello world");
    assertWellFormedUtterance(frames, "tone-1");
    assertEquals(25, frames.size());
    assertEquals(440.0, dominantFrequency(samples(frames), 48000), 5.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {ModelCatalog.FREETTS, ModelCatalog.ESPEAK})
  void speechModelsSpeakAudibleAudioThatGrowsWithTheText(String model) {
    String id = "speech-" + model;
    StartSessionResponse started = fx.startSession(id, model);
    assertTrue(started.getSuccess(), started.getMessage());

    List<AudioFrame> shortUtterance = fx.synthesize(id, "Hello world");
    assertWellFormedUtterance(shortUtterance, id);
    assertTrue(rms(samples(shortUtterance)) > 300, "speech is not silent");

    List<AudioFrame> longUtterance = fx.synthesize(id,
        "Hello world, this sentence is a good deal longer than the first one we spoke.");
    assertWellFormedUtterance(longUtterance, id);
    assertTrue(longUtterance.size() > 2 * shortUtterance.size(),
        "longer text gives longer audio: " + shortUtterance.size() + " vs " + longUtterance.size());
    fx.client.endSession(EndSessionRequest.newBuilder().setSessionId(id).build());
  }

  @Test
  void emptyModelIdMeansTheDefaultModel() {
    assertTrue(fx.startSession("default-1", "").getSuccess());
    assertEquals(25, fx.synthesize("default-1", "hi").size());
  }

  @Test
  void chunksOfOneCallAreSpokenInOrderUnderOneSequence() {
    fx.startSession("chunks-1", TONE);
    WorkerFixture.OpenSynthesis call = fx.open();
    call.send(chunk("chunks-1", "one", false));
    call.send(chunk("chunks-1", "two", true));
    List<AudioFrame> frames = drain(call);
    assertWellFormedUtterance(frames, "chunks-1");
    assertEquals(50, frames.size());
  }

  @Test
  void pauseHoldsFramesUntilResumeAndTheSequenceGoesOnWithoutAGap() {
    fx.startSession("pause-1", TONE);
    WorkerFixture.OpenSynthesis call = fx.open();
    call.send(chunk("pause-1", "first half", false));
    List<AudioFrame> frames = new ArrayList<>();
    for (int i = 0; i < 25; i++) frames.add(call.next());

    assertTrue(control("pause-1", ControlCommand.PAUSE));
    call.send(chunk("pause-1", "second half", true));
    assertTrue(call.silentFor(Duration.ofMillis(700)), "a frame left while paused");

    assertTrue(control("pause-1", ControlCommand.RESUME));
    frames.addAll(drain(call));
    assertWellFormedUtterance(frames, "pause-1");
    assertEquals(50, frames.size());
  }

  @Test
  void stopEndsTheSynthesisWithAFinalFrameAndTheSessionSpeaksAgain() {
    fx.startSession("stop-1", TONE);
    WorkerFixture.OpenSynthesis call = fx.open();
    call.send(chunk("stop-1", "keep talking", false));
    for (int i = 0; i < 25; i++) assertFalse(call.next().getIsFinal());

    assertTrue(control("stop-1", ControlCommand.STOP));
    AudioFrame last = call.next();
    assertEndMarker(last);
    assertEquals(26, last.getSequenceNumber());
    assertTrue(call.poll().isEmpty(), "the call ends after the final frame");

    List<AudioFrame> again = fx.synthesize("stop-1", "and again");
    assertWellFormedUtterance(again, "stop-1");
    assertEquals(25, again.size());
  }

  @Test
  void stoppingOneSessionLeavesTheOtherToComplete() {
    fx.startSession("pair-a", TONE);
    fx.startSession("pair-b", TONE);
    WorkerFixture.OpenSynthesis a = fx.open();
    WorkerFixture.OpenSynthesis b = fx.open();
    a.send(chunk("pair-a", "a one", false));
    b.send(chunk("pair-b", "b one", false));
    for (int i = 0; i < 25; i++) {
      a.next();
      b.next();
    }

    assertTrue(control("pair-a", ControlCommand.STOP));
    assertEndMarker(a.next());

    b.send(chunk("pair-b", "b two", true));
    List<AudioFrame> rest = drain(b);
    assertEquals(25, rest.size());
    assertEquals(50, rest.get(24).getSequenceNumber());
    assertTrue(rest.get(24).getIsFinal());
  }

  @Test
  void pausingOneSessionDoesNotHoldAnother() {
    fx.startSession("hold-a", TONE);
    fx.startSession("hold-b", TONE);
    assertTrue(control("hold-a", ControlCommand.PAUSE));
    assertEquals(25, fx.synthesize("hold-b", "free to speak").size());
    assertTrue(control("hold-a", ControlCommand.RESUME));
  }

  @Test
  void synthesizeOnAnUnknownSessionIsNotFound() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> fx.synthesize("never-started", "hello"));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("never-started"));
  }

  @Test
  void synthesizeWithoutSessionIdIsInvalidArgument() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> fx.synthesize("", "hello"));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("session_id"));
  }

  @Test
  void textOverTheLimitIsInvalidArgumentAndTheSessionGoesOn() {
    fx.startSession("long-1", TONE);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> fx.synthesize("long-1", "x".repeat(201)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("200"), e.getStatus().getDescription());
    assertEquals(25, fx.synthesize("long-1", "short again").size());
  }

  @Test
  void unknownModelIsRefusedWithTheModelsTheWorkerHas() {
    StartSessionResponse r = fx.startSession("model-x", "no-such-model");
    assertFalse(r.getSuccess());
    assertTrue(r.getMessage().contains(TONE) && r.getMessage().contains(ModelCatalog.ESPEAK),
        r.getMessage());
  }

  @Test
  void startSessionBeyondMaxConcurrentSessionsIsRefusedAndNothingElseSuffers() {
    try (WorkerFixture small = WorkerFixture.start("voicegw.worker.max-concurrent-sessions = 2")) {
      assertTrue(small.startSession("cap-1", TONE).getSuccess());
      assertTrue(small.startSession("cap-2", TONE).getSuccess());
      StartSessionResponse third = small.startSession("cap-3", TONE);
      assertFalse(third.getSuccess());
      assertTrue(third.getMessage().contains("max_concurrent_sessions=2"), third.getMessage());
      assertEquals(25, small.synthesize("cap-1", "still here").size());
      assertEquals(25, small.synthesize("cap-2", "me too").size());

      await(small.client.endSession(EndSessionRequest.newBuilder().setSessionId("cap-1").build()));
      assertTrue(small.startSession("cap-3", TONE).getSuccess(), "a freed slot is usable");
    }
  }

  @Test
  void capabilitiesReportConfiguredLimitsResidentModelsAndRunningSyntheses() {
    GetCapabilitiesResponse caps = capabilities();
    assertEquals(40, caps.getCapabilities().getMaxConcurrentSessions());
    assertEquals(List.of("en"), caps.getCapabilities().getLanguagesList());
    assertTrue(caps.getCapabilities().getStreaming());
    assertTrue(caps.getResidentModelsList().contains(TONE));
    assertTrue(caps.getMetricsMap().containsKey("rtf"));

    fx.startSession("depth-1", TONE);
    WorkerFixture.OpenSynthesis call = fx.open();
    call.send(chunk("depth-1", "open", false));
    call.next();
    assertEquals(1.0, capabilities().getMetricsMap().get("queue_depth"));
    call.endRequests();
    drain(call);
  }

  @Test
  void loadAndUnloadChangeWhatListModelsAndCapabilitiesReport() {
    assertTrue(await(fx.client.loadModel(
        LoadModelRequest.newBuilder().setModelId(ModelCatalog.ESPEAK).build())).getSuccess());
    assertTrue(loaded().get(ModelCatalog.ESPEAK));
    assertTrue(capabilities().getResidentModelsList().contains(ModelCatalog.ESPEAK));

    assertTrue(await(fx.client.unloadModel(
        UnloadModelRequest.newBuilder().setModelId(ModelCatalog.ESPEAK).build())).getSuccess());
    assertFalse(loaded().get(ModelCatalog.ESPEAK));
    assertFalse(capabilities().getResidentModelsList().contains(ModelCatalog.ESPEAK));

    assertFalse(await(fx.client.loadModel(
        LoadModelRequest.newBuilder().setModelId("no-such-model").build())).getSuccess());
  }

  @Test
  void aSessionWhoseModelWasUnloadedSpeaksAfterLoadingItAgain() {
    try (WorkerFixture own = WorkerFixture.start("")) {
      assertTrue(own.startSession("unload-1", TONE).getSuccess());
      assertTrue(await(own.client.unloadModel(
          UnloadModelRequest.newBuilder().setModelId(TONE).build())).getSuccess());
      assertEquals(25, own.synthesize("unload-1", "still speaking").size());
      assertTrue(await(own.client.getCapabilities(GetCapabilitiesRequest.getDefaultInstance()))
          .getResidentModelsList().contains(TONE));
    }
  }

  @Test
  void controlOnAnUnknownSessionSaysSo() {
    var r = await(fx.client.control(ControlRequest.newBuilder()
        .setSessionId("nobody").setCommand(ControlCommand.PAUSE).build()));
    assertFalse(r.getSuccess());
    assertTrue(r.getMessage().contains("nobody"));
    assertTrue(r.getTimestampMs() > 0);
  }

  private boolean control(String id, ControlCommand command) {
    return await(fx.client.control(
        ControlRequest.newBuilder().setSessionId(id).setCommand(command).build())).getSuccess();
  }

  private GetCapabilitiesResponse capabilities() {
    return await(fx.client.getCapabilities(GetCapabilitiesRequest.getDefaultInstance()));
  }

  private Map<String, Boolean> loaded() {
    return await(fx.client.listModels(ListModelsRequest.getDefaultInstance())).getModelsList()
        .stream().collect(Collectors.toMap(ModelInfo::getModelId, ModelInfo::getIsLoaded));
  }

  private static List<AudioFrame> drain(WorkerFixture.OpenSynthesis call) {
    List<AudioFrame> frames = new ArrayList<>();
    for (var f = call.poll(); f.isPresent(); f = call.poll()) frames.add(f.get());
    return frames;
  }
}
