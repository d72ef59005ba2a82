package io.voicegateway.gateway;

import io.voicegateway.audio.vad.SileroModel;
import io.voicegateway.audio.vad.VadRunner;
import io.voicegateway.gateway.health.GatewayMetrics;
import io.voicegateway.session.VadSettings;

/**
 * The node's one {@link VadRunner}, started on first use (the node asks for it at start-up, so a
 * user's first word never waits for the model) and stopped with the node. A model that fails to
 * load is tried again at the next use.
 */
final class NodeVad implements AutoCloseable {

  private final VadSettings settings;
  private final GatewayMetrics metrics;
  private VadRunner runner;
  private boolean closed;

  NodeVad(VadSettings settings, GatewayMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  /**
   * @throws IllegalStateException if the model cannot load, or the node has stopped
   */
  synchronized VadRunner get() {
    if (closed) throw new IllegalStateException("the node is stopping: no voice activity runner");
    if (runner == null) {
      runner = settings.start(SileroModel.shared(), metrics::vadRan);
    }
    return runner;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (runner != null) runner.close();
  }
}
