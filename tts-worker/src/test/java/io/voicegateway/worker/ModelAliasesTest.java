package io.voicegateway.worker;

import static io.voicegateway.worker.WorkerFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.voicegateway.tts.v1.ListModelsRequest;
import io.voicegateway.tts.v1.ModelInfo;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the existing system's clients ask of a worker, against a real worker over gRPC: the
 * orchestrator's hard-coded {@code piper-en-us-lessac-medium} is spoken by an English voice
 * (a default alias), the tone model's family is {@code mock}, unknown ids are refused naming what
 * the worker has, or spoken by the default model when the operator opts in.
 */
class ModelAliasesTest {

  private static final String PIPER = "piper-en-us-lessac-medium";

  private static Map<String, ModelInfo> models(WorkerFixture fx) {
    return await(fx.client.listModels(ListModelsRequest.getDefaultInstance())).getModelsList()
        .stream().collect(Collectors.toMap(ModelInfo::getModelId, Function.identity()));
  }

  @Test
  void theExistingOrchestratorsPiperModelIsSpokenByTheEnglishEspeakVoice() {
    try (WorkerFixture fx = WorkerFixture.start("")) {
      var started = fx.startSession("orchestrator-1", PIPER);
      assertTrue(started.getSuccess(), started.getMessage());
      assertTrue(started.getMessage().contains(ModelCatalog.ESPEAK), started.getMessage());
      assertFalse(fx.synthesize("orchestrator-1", "Hello from the orchestrator.").isEmpty());
      assertEquals(PIPER, models(fx).get(ModelCatalog.ESPEAK).getMetadataMap().get("aliases"));
    }
  }

  @Test
  void theToneModelsFamilyIsMockAsTheExistingWorkerReportsIt() {
    try (WorkerFixture fx = WorkerFixture.start("")) {
      assertEquals("mock", models(fx).get(ModelCatalog.TONE).getFamily());
    }
  }

  @Test
  void anUnknownModelIsRefusedNamingTheModelsAndAliases() {
    try (WorkerFixture fx = WorkerFixture.start("")) {
      var refused = fx.startSession("unknown-1", "no-such-model");
      assertFalse(refused.getSuccess());
      assertTrue(refused.getMessage().contains("unknown model \"no-such-model\""),
          refused.getMessage());
      assertTrue(refused.getMessage().contains(PIPER + " → " + ModelCatalog.ESPEAK),
          refused.getMessage());
    }
  }

  @Test
  void withTheFallbackOnAnUnknownModelIsSpokenByTheDefaultModel() {
    try (WorkerFixture fx = WorkerFixture.start("voicegw.worker.unknown-model-fallback = on")) {
      var started = fx.startSession("fallback-1", "no-such-model");
      assertTrue(started.getSuccess(), started.getMessage());
      assertEquals(25, fx.synthesize("fallback-1", "tone please").size(), "the mock's 25 frames");
    }
  }

  @Test
  void anAliasOfAModelTheWorkerDoesNotOfferIsLeftOut() {
    try (WorkerFixture fx = WorkerFixture.start("voicegw.worker.models = [\"mock-440hz\"]")) {
      var refused = fx.startSession("piper-1", PIPER);
      assertFalse(refused.getSuccess(), refused.getMessage());
      assertFalse(refused.getMessage().contains("aliases"), refused.getMessage());
    }
  }

  @Test
  void anAliasThatShadowsAModelIsAConfigurationErrorNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        WorkerSettings.fromConfig(ConfigFactory.parseString(
                "voicegw.worker.model-aliases { \"mock-440hz\" = \"espeak-ng-en\" }")
            .withFallback(ConfigFactory.load()).resolve()));
    assertTrue(e.getMessage().contains("model-aliases"), e.getMessage());
    assertTrue(e.getMessage().contains("mock-440hz"), e.getMessage());
  }
}
