package io.voicegateway.registry;

import java.util.List;
import java.util.Map;

/** Worker records for tests. */
final class Workers {

  private Workers() {}

  static WorkerRecord worker(String name, double queueDepth, double rtf, double heartbeatTs) {
    return new WorkerRecord(
        name,
        "grpc://127.0.0.1:" + (7000 + Math.abs(name.hashCode() % 1000)),
        new WorkerCapabilities(true, false, false, true, List.of("en"), false),
        List.of("mock-440hz"),
        Map.of(WorkerRecord.QUEUE_DEPTH, queueDepth, WorkerRecord.RTF, rtf),
        heartbeatTs);
  }

  static WorkerRecord worker(String name) {
    return worker(name, 0, 0.5, System.currentTimeMillis() / 1000.0);
  }
}
