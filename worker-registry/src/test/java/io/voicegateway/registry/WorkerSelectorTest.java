package io.voicegateway.registry;

import static io.voicegateway.registry.Workers.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.registry.WorkerCapabilities.Capability;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkerSelectorTest {

  private static final double NOW = 1_700_000_000.0;

  private final WorkerDirectory directory = new WorkerDirectory();

  private WorkerSelector selector(SelectionStrategy strategy) {
    return new WorkerSelector(directory, strategy, Duration.ofSeconds(60), () -> NOW);
  }

  private void publish(WorkerRecord... records) {
    directory.publish(WorkerSnapshot.of(Instant.now(), List.of(records)));
  }

  private static WorkerRecord fresh(String name, double queueDepth, double rtf) {
    return worker(name, queueDepth, rtf, NOW - 1);
  }

  private Map<String, Integer> draw(WorkerSelector s, int times, SelectionRequest r) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < times; i++) {
      counts.merge(s.select(r).orElseThrow().name(), 1, Integer::sum);
    }
    return counts;
  }

  private void assertEvenSpread(SelectionStrategy strategy) {
    publish(fresh("a", 1, 0.5), fresh("b", 1, 0.5), fresh("c", 1, 0.5), fresh("d", 1, 0.5));
    Map<String, Integer> counts = draw(selector(strategy), 100, SelectionRequest.any());
    assertEquals(4, counts.size(), counts.toString());
    counts.values().forEach(c -> assertTrue(c >= 22 && c <= 28, counts.toString()));
  }

  @Test
  void leastLoadedSpreadsABurstEvenlyAcrossEqualWorkers() {
    assertEvenSpread(SelectionStrategy.LEAST_LOADED);
  }

  @Test
  void roundRobinSpreadsEvenlyAcrossEqualWorkers() {
    assertEvenSpread(SelectionStrategy.ROUND_ROBIN);
  }

  @Test
  void leastLoadedPicksTheLowestQueueDepth() {
    publish(fresh("a", 5, 0.5), fresh("b", 2, 0.5), fresh("c", 7, 0.5));
    assertEquals("b", selector(SelectionStrategy.LEAST_LOADED).select(SelectionRequest.any())
        .orElseThrow().name());
  }

  @Test
  void leastLoadedCountsSessionsAssignedSinceTheLastHeartbeat() {
    publish(fresh("a", 0, 0.5), fresh("b", 3, 0.5));
    WorkerSelector s = selector(SelectionStrategy.LEAST_LOADED);
    // a takes 3 new sessions before b (queue 3) gets a turn
    Map<String, Integer> counts = draw(s, 5, SelectionRequest.any());
    assertEquals(4, counts.get("a"));
    assertEquals(1, counts.get("b"));
    // a fresh heartbeat carries the real queue depth: the local count restarts
    publish(worker("a", 0, 0.5, NOW), fresh("b", 3, 0.5));
    assertEquals("a", s.select(SelectionRequest.any()).orElseThrow().name());
  }

  @Test
  void leastLatencyPicksTheLowestRtf() {
    publish(fresh("a", 0, 0.9), fresh("b", 4, 0.2), fresh("c", 0, 0.4));
    assertEquals("b", selector(SelectionStrategy.LEAST_LATENCY).select(SelectionRequest.any())
        .orElseThrow().name());
  }

  @Test
  void leastLatencyBreaksRtfTiesByLoad() {
    publish(fresh("a", 3, 0.2), fresh("b", 1, 0.2), fresh("c", 0, 0.9));
    assertEquals("b", selector(SelectionStrategy.LEAST_LATENCY).select(SelectionRequest.any())
        .orElseThrow().name());
  }

  @Test
  void staleHeartbeatIsExcluded() {
    publish(worker("old", 0, 0.1, NOW - 61), fresh("new", 9, 0.9));
    assertEquals("new", selector(SelectionStrategy.LEAST_LOADED).select(SelectionRequest.any())
        .orElseThrow().name());
  }

  @Test
  void languageFilterKeepsOnlyWorkersSpeakingIt() {
    WorkerRecord fr = new WorkerRecord("fr", "grpc://h:1",
        new WorkerCapabilities(true, false, false, true, List.of("fr"), false),
        List.of(), Map.of("queue_depth", 5.0), NOW);
    publish(fresh("en", 0, 0.5), fr);
    WorkerSelector s = selector(SelectionStrategy.LEAST_LOADED);
    assertEquals("fr", s.select(SelectionRequest.any().withLanguage("FR")).orElseThrow().name());
    assertEquals(Optional.empty(), s.select(SelectionRequest.any().withLanguage("de")));
  }

  @Test
  void requiredCapabilityFiltersWorkers() {
    WorkerRecord batch = new WorkerRecord("batch", "grpc://h:1",
        new WorkerCapabilities(false, false, false, true, List.of("en"), false),
        List.of(), Map.of(), NOW);
    publish(batch, fresh("streamer", 8, 0.5));
    assertEquals("streamer", selector(SelectionStrategy.LEAST_LOADED)
        .select(SelectionRequest.any().requiring(Capability.STREAMING)).orElseThrow().name());
  }

  @Test
  void workerWithTheModelResidentIsPreferred() {
    WorkerRecord piper = new WorkerRecord("piper", "grpc://h:1",
        new WorkerCapabilities(true, false, false, true, List.of("en"), false),
        List.of("piper-en"), Map.of("queue_depth", 6.0), NOW);
    publish(fresh("mock", 0, 0.5), piper);
    assertEquals("piper", selector(SelectionStrategy.LEAST_LOADED)
        .select(SelectionRequest.any().withModel("piper-en")).orElseThrow().name());
  }

  @Test
  void modelPreferenceFallsBackToAnyEligibleWorker() {
    publish(fresh("mock", 0, 0.5));
    assertEquals("mock", selector(SelectionStrategy.LEAST_LOADED)
        .select(SelectionRequest.any().withModel("xtts")).orElseThrow().name());
  }

  @Test
  void excludedNamesAreNeverPicked() {
    publish(fresh("a", 0, 0.5), fresh("b", 9, 0.5));
    WorkerSelector s = selector(SelectionStrategy.LEAST_LOADED);
    assertEquals("b", s.select(SelectionRequest.any().excluding("a")).orElseThrow().name());
    assertEquals(Optional.empty(), s.select(SelectionRequest.any().excluding("a", "b")));
  }

  @Test
  void randomCoversAllWorkers() {
    publish(fresh("a", 0, 0.5), fresh("b", 0, 0.5), fresh("c", 0, 0.5), fresh("d", 0, 0.5));
    Map<String, Integer> counts = draw(selector(SelectionStrategy.RANDOM), 4000,
        SelectionRequest.any());
    assertEquals(4, counts.size());
    // expected 1000 each, sd about 27: 800..1200 is over 7 sd away from flaking
    counts.values().forEach(c -> assertTrue(c >= 800 && c <= 1200, counts.toString()));
  }

  @Test
  void noWorkersMeansEmpty() {
    assertEquals(Optional.empty(), selector(SelectionStrategy.LEAST_LOADED)
        .select(SelectionRequest.any()));
  }

  @Test
  void selectionCountsTotalPerWorker() {
    publish(fresh("a", 0, 0.5), fresh("b", 0, 0.5));
    WorkerSelector s = selector(SelectionStrategy.ROUND_ROBIN);
    draw(s, 10, SelectionRequest.any());
    assertEquals(Map.of("a", 5L, "b", 5L), s.selectionCounts());
  }
}
