package io.voicegateway.worker;

import static io.voicegateway.worker.WorkerFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.voicegateway.tts.v1.GetCapabilitiesRequest;
import org.junit.jupiter.api.Test;

/**
 * The worker answers uncompressed even to clients that accept gzip (grpc-java advertises it):
 * gzip of every PCM frame cost more CPU than the rest of the worker (docs/BENCHMARKS.md).
 */
class ResponseCompressionTest {

  @Test
  void responsesAreNotGzippedWhenTheClientAcceptsGzip() {
    try (WorkerFixture fx = WorkerFixture.start("")) {
      var response = await(fx.client.getCapabilities()
          .invokeWithMetadata(GetCapabilitiesRequest.getDefaultInstance()));
      String encoding = response.getHeaders().getText("grpc-encoding").orElse("identity");
      assertEquals("identity", encoding);
    }
  }
}
