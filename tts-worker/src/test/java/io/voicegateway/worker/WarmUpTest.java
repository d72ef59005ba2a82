package io.voicegateway.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A worker synthesizes its warm-up texts through its own gRPC server before {@link TtsWorker#start}
 * completes (and so before it registers), ends those sessions, and does not advertise the
 * real-time factor of that cold work.
 */
class WarmUpTest {

  @Test
  void theWorkerHasSpokenThroughItselfBeforeItStarts() {
    try (WorkerFixture f = WorkerFixture.start(
        "voicegw.worker { default-model = mock-440hz, warm-up-utterances = 3 }")) {
      TtsServiceImpl service = f.worker.service();
      assertEquals(3, f.worker.warmUp().utterances(), "texts spoken before start completed");
      assertTrue(f.worker.warmUp().frames() >= 3, "frames: " + f.worker.warmUp().frames());
      assertEquals(0.0, service.metrics().get("active_sessions"), "warm-up sessions ended");
      assertEquals(0.0, service.metrics().get("rtf"), "the warm-up's pace is not advertised");
    }
  }

  @Test
  void settingsAreChecked() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> WorkerSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString(
            "voicegw.worker.warm-up-utterances = -1").withFallback(
                com.typesafe.config.ConfigFactory.load()).resolve()));
    assertTrue(e.getMessage().contains("warm-up-utterances"), e.getMessage());
  }
}
