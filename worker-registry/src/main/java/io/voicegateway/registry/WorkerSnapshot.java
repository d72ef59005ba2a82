package io.voicegateway.registry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable view of every registered worker at one moment.
 *
 * @param workers worker name → record
 * @param takenAt when the mirror produced this view
 */
public record WorkerSnapshot(Map<String, WorkerRecord> workers, Instant takenAt) {

  public static final WorkerSnapshot EMPTY = new WorkerSnapshot(Map.of(), Instant.EPOCH);

  /** Sorted by name, for selectors that iterate in a stable order without sorting per call. */
  private static final Comparator<WorkerRecord> BY_NAME = Comparator.comparing(WorkerRecord::name);

  public WorkerSnapshot {
    workers = Map.copyOf(workers);
  }

  public static WorkerSnapshot of(Instant takenAt, List<WorkerRecord> records) {
    Map<String, WorkerRecord> m = new TreeMap<>();
    for (WorkerRecord r : records) {
      m.put(r.name(), r);
    }
    return new WorkerSnapshot(m, takenAt);
  }

  public boolean isEmpty() {
    return workers.isEmpty();
  }

  public int size() {
    return workers.size();
  }

  /** The records ordered by name; a fresh list each call. */
  public List<WorkerRecord> sortedByName() {
    List<WorkerRecord> l = new ArrayList<>(workers.values());
    l.sort(BY_NAME);
    return l;
  }
}
