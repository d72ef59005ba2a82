package io.voicegateway.registry;

import io.voicegateway.registry.WorkerCapabilities.Capability;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * Picks a worker from the {@link WorkerDirectory}'s current snapshot. Thread-safe and lock-free;
 * many session actors call it at once.
 *
 * <p>Eligible: heartbeat younger than max-heartbeat-age, not excluded, speaks the language, has the
 * required capabilities. Among those, workers with the requested model resident are preferred
 * (all eligible ones if none has it). Load is the reported {@code queue_depth} plus the sessions
 * this selector assigned since the worker's last heartbeat, so a burst spreads out before the
 * workers report it. Ties rotate so equal workers share evenly.
 */
public final class WorkerSelector {

  /** Sessions assigned since a given heartbeat; replaced whole when the heartbeat changes. */
  private record Assigned(double heartbeatTs, int count) {}

  private final WorkerDirectory directory;
  private final SelectionStrategy strategy;
  private final double maxAgeSeconds;
  private final DoubleSupplier nowEpochSeconds;

  private final ConcurrentHashMap<String, AtomicReference<Assigned>> assigned =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> totals = new ConcurrentHashMap<>();
  private final AtomicLong rotation = new AtomicLong();
  private volatile Object prunedFor;

  /** Per-thread scratch buffers, so a selection allocates nothing proportional to the fleet. */
  private static final ThreadLocal<WorkerRecord[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new WorkerRecord[2][64]);

  public WorkerSelector(WorkerDirectory directory, RegistrySettings settings) {
    this(directory, settings.strategy(), settings.maxHeartbeatAge(), WorkerSelector::systemNow);
  }

  /** @param nowEpochSeconds the clock heartbeats are compared with (tests pass a fixed one) */
  public WorkerSelector(
      WorkerDirectory directory,
      SelectionStrategy strategy,
      Duration maxHeartbeatAge,
      DoubleSupplier nowEpochSeconds) {
    this.directory = directory;
    this.strategy = strategy;
    this.maxAgeSeconds = maxHeartbeatAge.toNanos() / 1e9;
    this.nowEpochSeconds = nowEpochSeconds;
  }

  public SelectionStrategy strategy() {
    return strategy;
  }

  /** The best worker for the request now, or empty if none is eligible. Counts as one assignment. */
  public Optional<WorkerRecord> select(SelectionRequest request) {
    Object version = directory.version();
    WorkerRecord[] all = directory.orderedWorkers();
    if (version != prunedFor) {
      prune(all, version);
    }
    WorkerRecord[][] scratch = SCRATCH.get();
    if (scratch[0].length < all.length) {
      scratch[0] = new WorkerRecord[all.length];
      scratch[1] = new WorkerRecord[all.length];
    }
    WorkerRecord[] eligible = scratch[0];
    WorkerRecord[] withModel = scratch[1];
    int n = 0;
    int m = 0;
    double now = nowEpochSeconds.getAsDouble();
    String model = request.model();
    for (WorkerRecord w : all) {
      if (isEligible(w, request, now)) {
        eligible[n++] = w;
        if (model != null && w.hasResidentModel(model)) {
          withModel[m++] = w;
        }
      }
    }
    if (n == 0) {
      return Optional.empty();
    }
    WorkerRecord[] pool = m > 0 ? withModel : eligible;
    int size = m > 0 ? m : n;
    WorkerRecord chosen =
        switch (strategy) {
          case ROUND_ROBIN -> pool[(int) Math.floorMod(rotation.getAndIncrement(), (long) size)];
          case RANDOM -> pool[ThreadLocalRandom.current().nextInt(size)];
          case LEAST_LOADED -> leastLoaded(pool, size);
          case LEAST_LATENCY -> leastLatency(pool, size);
        };
    java.util.Arrays.fill(eligible, 0, n, null); // do not pin old records through the scratch
    java.util.Arrays.fill(withModel, 0, m, null);
    recordAssignment(chosen);
    return Optional.of(chosen);
  }

  /** Tells the selector a session on this worker ended before the next heartbeat counted it. */
  public void sessionEnded(String workerName) {
    AtomicReference<Assigned> ref = assigned.get(workerName);
    if (ref != null) {
      ref.updateAndGet(a -> a.count() > 0 ? new Assigned(a.heartbeatTs(), a.count() - 1) : a);
    }
  }

  /** Total selections per worker name since this selector was created (operator API). */
  public Map<String, Long> selectionCounts() {
    Map<String, Long> out = new HashMap<>();
    totals.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Workers whose heartbeat is recent enough to be selected at all (for /health). */
  public int freshWorkers() {
    int n = 0;
    for (WorkerRecord w : directory.orderedWorkers()) {
      if (isFresh(w)) n++;
    }
    return n;
  }

  /** This worker's heartbeat is recent enough for it to be selected. */
  public boolean isFresh(WorkerRecord w) {
    return nowEpochSeconds.getAsDouble() - w.lastHeartbeatTs() < maxAgeSeconds;
  }

  /** The load the selector ranks a worker by: reported queue depth plus recent assignments. */
  public double effectiveLoad(WorkerRecord w) {
    return w.queueDepth() + assignedSinceHeartbeat(w);
  }

  private boolean isEligible(WorkerRecord w, SelectionRequest request, double now) {
    if (!(now - w.lastHeartbeatTs() < maxAgeSeconds)) {
      return false;
    }
    if (!request.excluded().isEmpty() && request.excluded().contains(w.name())) {
      return false;
    }
    WorkerCapabilities caps = w.capabilities();
    if (request.language() != null && !caps.speaks(request.language())) {
      return false;
    }
    for (Capability c : request.required()) {
      if (!caps.has(c)) {
        return false;
      }
    }
    return true;
  }

  private WorkerRecord leastLoaded(WorkerRecord[] pool, int size) {
    double best = Double.POSITIVE_INFINITY;
    int ties = 0;
    double[] loads = new double[size];
    for (int i = 0; i < size; i++) {
      double load = effectiveLoad(pool[i]);
      loads[i] = load;
      if (load < best) {
        best = load;
        ties = 1;
      } else if (load == best) {
        ties++;
      }
    }
    return nthWith(pool, size, loads, best, ties);
  }

  private WorkerRecord leastLatency(WorkerRecord[] pool, int size) {
    double bestRtf = Double.POSITIVE_INFINITY;
    for (int i = 0; i < size; i++) {
      bestRtf = Math.min(bestRtf, pool[i].rtf());
    }
    // ties by rtf broken by load, then by rotation
    double best = Double.POSITIVE_INFINITY;
    int ties = 0;
    double[] loads = new double[size];
    for (int i = 0; i < size; i++) {
      if (pool[i].rtf() != bestRtf) {
        loads[i] = Double.NaN;
        continue;
      }
      double load = effectiveLoad(pool[i]);
      loads[i] = load;
      if (load < best) {
        best = load;
        ties = 1;
      } else if (load == best) {
        ties++;
      }
    }
    return nthWith(pool, size, loads, best, ties);
  }

  /** The k-th (k rotating) of the {@code ties} workers whose score equals {@code best}. */
  private WorkerRecord nthWith(WorkerRecord[] pool, int size, double[] score, double best, int ties) {
    int k = ties <= 1 ? 0 : (int) Math.floorMod(rotation.getAndIncrement(), (long) ties);
    for (int i = 0; i < size; i++) {
      if (score[i] == best && k-- == 0) {
        return pool[i];
      }
    }
    return pool[0]; // unreachable: ties >= 1 entries match best
  }

  private int assignedSinceHeartbeat(WorkerRecord w) {
    AtomicReference<Assigned> ref = assigned.get(w.name());
    if (ref == null) {
      return 0;
    }
    Assigned a = ref.get();
    return a.heartbeatTs() == w.lastHeartbeatTs() ? a.count() : 0;
  }

  private void recordAssignment(WorkerRecord w) {
    double ts = w.lastHeartbeatTs();
    assigned
        .computeIfAbsent(w.name(), k -> new AtomicReference<>(new Assigned(ts, 0)))
        .updateAndGet(
            a -> a.heartbeatTs() == ts ? new Assigned(ts, a.count() + 1) : new Assigned(ts, 1));
    totals.computeIfAbsent(w.name(), k -> new LongAdder()).increment();
  }

  /** Drops assignment counters of workers that left, once per snapshot change. */
  private void prune(WorkerRecord[] all, Object version) {
    prunedFor = version;
    if (assigned.size() <= all.length) {
      return;
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (WorkerRecord w : all) {
      names.add(w.name());
    }
    assigned.keySet().retainAll(names);
  }

  private static double systemNow() {
    return System.currentTimeMillis() / 1000.0;
  }
}
