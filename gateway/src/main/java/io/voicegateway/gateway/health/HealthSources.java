package io.voicegateway.gateway.health;

import io.voicegateway.gateway.warmup.NodeWarmUp;

/** What the health endpoints report, read fresh at every request. */
public interface HealthSources {

  RedisProbe.Status redis();

  /** Workers in the registry mirror. */
  int workersKnown();

  /** Workers whose heartbeat is fresh enough to be selected. */
  int workersHealthy();

  int activeSessions();

  /**
   * This node's cluster member status as Pekko names it ({@code Joining}, {@code Up},
   * {@code Leaving}, …); the node takes sessions only while {@code Up}.
   */
  String clusterMemberStatus();

  /** The start-up warm-up ({@link NodeWarmUp}); the node is ready only once it is done. */
  default NodeWarmUp.Status warmUp() {
    return new NodeWarmUp.Status(true, "warm-up off");
  }
}
