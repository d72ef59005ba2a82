package io.voicegateway.gateway.livekit;

import io.voicegateway.bridge.v1.GatewayMessage;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/**
 * One connected bridge stream, toward the bridge: a bounded queue in front of the gRPC response
 * stream. Audio is bounded upstream (each session's client window), so a full queue means a
 * bridge that stopped reading: the link fails and the supervisor restarts the bridge.
 *
 * <p>The queue can end under the link's feet: a bridge that dies cancels the gRPC response
 * stream, which completes the queue before the supervisor hears of it. {@link #close()} and the
 * failure in {@link #send} are therefore idempotent: ending an ended link does nothing (a
 * {@code BoundedSourceQueue} throws when completed twice, and that once stopped the supervisor).
 */
public final class BridgeLink {

  /** Messages that may wait toward the bridge; far more than every room's window together. */
  static final int CAPACITY = 8192;

  private final BoundedSourceQueue<GatewayMessage> queue;
  private final long id;

  BridgeLink(BoundedSourceQueue<GatewayMessage> queue, long id) {
    this.queue = queue;
    this.id = id;
  }

  /** Which connection of the node's bridge this is (1, 2, … one per bridge start). */
  public long id() {
    return id;
  }

  /** Sends a message; false when the link is gone or full (then it is failed). */
  public boolean send(GatewayMessage message) {
    QueueOfferResult result = queue.offer(message);
    if (result == QueueOfferResult.enqueued()) return true;
    if (result == QueueOfferResult.dropped()) {
      end(new IllegalStateException("the bridge did not read " + CAPACITY
          + " messages in a row"));
    }
    return false;
  }

  /** Ends the stream toward the bridge (the bridge then leaves its rooms and exits). */
  void close() {
    end(null);
  }

  /** Completes (failure null) or fails the queue, unless it has ended already. */
  private void end(Throwable failure) {
    try {
      if (failure == null) {
        queue.complete();
      } else {
        queue.fail(failure);
      }
    } catch (IllegalStateException alreadyEnded) {
      // completed, failed or cancelled before: the stream is over either way
    }
  }
}
