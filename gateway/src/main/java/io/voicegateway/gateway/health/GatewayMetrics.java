package io.voicegateway.gateway.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every meter a gateway operator graphs, in one Prometheus registry served at {@code /metrics}.
 * Names follow Prometheus conventions ({@code voicegw_} prefix, base units: seconds).
 */
public final class GatewayMetrics {

  /** How an utterance ended (the {@code outcome} tag). */
  public enum Outcome { COMPLETED, STOPPED, FAILED }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger activeSessions = new AtomicInteger();
  private final Counter sessionsStarted;
  private final Counter[] utterances = new Counter[Outcome.values().length];
  private final Timer firstAudio;
  private final Timer frameInterval;
  private final Timer bargeIn;
  private final Counter framesSent;
  private final Counter framesDropped;
  private final Counter selectionFailures;
  private final Counter streamErrors;
  private final Counter protocolErrorFrames;
  private final Counter clientErrors;

  public GatewayMetrics() {
    Gauge.builder("voicegw_sessions_active", activeSessions, AtomicInteger::get)
        .description("Client sessions open on this node")
        .register(registry);
    sessionsStarted = Counter.builder("voicegw_sessions_started")
        .description("Client sessions opened on this node").register(registry);
    for (Outcome o : Outcome.values()) {
      utterances[o.ordinal()] = Counter.builder("voicegw_utterances")
          .description("Utterances ended, by outcome")
          .tag("outcome", o.name().toLowerCase())
          .register(registry);
    }
    firstAudio = latency("voicegw_first_audio_latency",
        "Text received to its first audio frame sent to the client", Duration.ofSeconds(5));
    frameInterval = latency("voicegw_frame_send_interval",
        "Time between consecutive audio frames sent to one client (20 ms when paced)",
        Duration.ofSeconds(1));
    bargeIn = latency("voicegw_barge_in_latency",
        "PAUSE/STOP received to the last frame sent before it took effect", Duration.ofSeconds(1));
    framesSent = Counter.builder("voicegw_frames_sent").description("Audio frames sent to clients")
        .register(registry);
    framesDropped = Counter.builder("voicegw_frames_dropped")
        .description("Audio frames dropped (stopped utterances, slow clients)").register(registry);
    selectionFailures = Counter.builder("voicegw_worker_selection_failures")
        .description("Times no eligible TTS worker was found").register(registry);
    streamErrors = Counter.builder("voicegw_grpc_stream_errors")
        .description("gRPC synthesis streams that failed").register(registry);
    protocolErrorFrames = Counter.builder("voicegw_worker_protocol_error_frames")
        .description("Worker frames breaking WIRE.md §2 (empty non-final, wrong size)")
        .register(registry);
    clientErrors = Counter.builder("voicegw_client_errors")
        .description("Error messages sent to clients").register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  private Timer latency(String name, String description, Duration max) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(max)
        .register(registry);
  }

  public void sessionOpened() {
    activeSessions.incrementAndGet();
    sessionsStarted.increment();
  }

  public void sessionClosed() {
    activeSessions.decrementAndGet();
  }

  public int activeSessions() {
    return activeSessions.get();
  }

  public void utteranceEnded(Outcome outcome) {
    utterances[outcome.ordinal()].increment();
  }

  public void firstAudio(long nanos) {
    firstAudio.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void frameSent(long nanosSincePrevious) {
    framesSent.increment();
    if (nanosSincePrevious > 0) frameInterval.record(nanosSincePrevious, TimeUnit.NANOSECONDS);
  }

  public void bargeIn(long nanos) {
    bargeIn.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void framesDropped(int count) {
    framesDropped.increment(count);
  }

  public void workerSelectionFailed() {
    selectionFailures.increment();
  }

  public void streamError() {
    streamErrors.increment();
  }

  public void protocolErrorFrame() {
    protocolErrorFrames.increment();
  }

  public void clientError() {
    clientErrors.increment();
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
