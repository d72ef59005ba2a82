package io.voicegateway.registry.bench;

import io.voicegateway.registry.SelectionRequest;
import io.voicegateway.registry.SelectionStrategy;
import io.voicegateway.registry.WorkerCapabilities;
import io.voicegateway.registry.WorkerCapabilities.Capability;
import io.voicegateway.registry.WorkerDirectory;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.registry.WorkerSelector;
import io.voicegateway.registry.WorkerSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Latency of one {@link WorkerSelector#select} among 100 workers (half with the requested model
 * resident, mixed loads), sampled so that JMH reports percentiles (p50, p99).
 *
 * <p>Run: {@code mvn -q -pl worker-registry -am test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.voicegateway.registry.bench.WorkerSelectorBench}
 * (in-process, no fork, as exec:java cannot fork JMH with the right classpath).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WorkerSelectorBench {

  @Param({"least_loaded", "round_robin", "least_latency", "random"})
  public String strategy;

  private WorkerSelector selector;
  private final SelectionRequest request =
      SelectionRequest.any().withLanguage("en").withModel("model-a").requiring(Capability.STREAMING);

  @Setup
  public void setUp() {
    double now = System.currentTimeMillis() / 1000.0;
    List<WorkerRecord> workers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      workers.add(
          new WorkerRecord(
              "worker-" + i,
              "grpc://10.0.0." + i + ":7001",
              new WorkerCapabilities(true, false, false, true, List.of("en", "fr"), false),
              List.of(i % 2 == 0 ? "model-a" : "model-b"),
              Map.of("queue_depth", (double) (i % 7), "rtf", 0.2 + (i % 5) / 10.0),
              now));
    }
    WorkerDirectory directory = new WorkerDirectory();
    directory.publish(WorkerSnapshot.of(Instant.now(), workers));
    // a fixed clock keeps every heartbeat fresh however long the run takes
    selector =
        new WorkerSelector(
            directory,
            SelectionStrategy.fromConfigName(strategy),
            Duration.ofSeconds(60),
            () -> now);
  }

  @Benchmark
  public Optional<WorkerRecord> select() {
    return selector.select(request);
  }

  public static void main(String[] args) throws RunnerException {
    new Runner(
            new OptionsBuilder()
                .include(WorkerSelectorBench.class.getName())
                .forks(0)
                .threads(1)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(3)
                .measurementTime(TimeValue.seconds(3))
                .build())
        .run();
  }
}
