package io.voicegateway.registry;

import java.util.List;

/**
 * The latest {@link WorkerSnapshot}, readable from any thread without an actor ask or a Redis round
 * trip. {@link RegistryMirror} is its only writer.
 */
public final class WorkerDirectory {

  /** Snapshot plus its records in name order, swapped as one so readers never see a mix. */
  private record Published(WorkerSnapshot snapshot, WorkerRecord[] ordered) {}

  private volatile Published current = new Published(WorkerSnapshot.EMPTY, new WorkerRecord[0]);

  public WorkerSnapshot snapshot() {
    return current.snapshot();
  }

  /** The current records in name order; callers must not modify the array. */
  WorkerRecord[] orderedWorkers() {
    return current.ordered();
  }

  /** Identity of the current publication, so a selector can notice a change cheaply. */
  Object version() {
    return current;
  }

  public void publish(WorkerSnapshot snapshot) {
    List<WorkerRecord> sorted = snapshot.sortedByName();
    current = new Published(snapshot, sorted.toArray(new WorkerRecord[0]));
  }
}
