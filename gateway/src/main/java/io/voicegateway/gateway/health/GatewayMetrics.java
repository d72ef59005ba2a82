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
import io.voicegateway.session.SessionEntity;
import io.voicegateway.session.SessionMetrics;
import io.voicegateway.session.TtsStreamMetrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every meter a gateway operator graphs, in one Prometheus registry served at {@code /metrics}.
 * Names follow Prometheus conventions ({@code voicegw_} prefix, base units: seconds). It backs the
 * session module's {@link SessionMetrics} and {@link TtsStreamMetrics}; every method is cheap and
 * thread-safe (called from many session actors at once).
 */
public final class GatewayMetrics implements SessionMetrics, TtsStreamMetrics {

  /** The outcomes of an utterance (the {@code outcome} tag), as {@link SessionEntity} names them. */
  private static final String[] OUTCOMES =
      {SessionEntity.COMPLETED, SessionEntity.STOPPED, SessionEntity.FAILED,
          SessionEntity.INTERRUPTED};
  /** The outcomes of an automatic barge-in (the {@code outcome} tag). */
  private static final String[] INTERRUPTIONS = {"started", "confirmed", "false"};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger activeSessions = new AtomicInteger();
  private final Counter sessionsStarted;
  private final Counter[] utterances = new Counter[OUTCOMES.length];
  private final Timer firstAudio;
  private final Timer firstAudioGatewayPart;
  private final Timer frameInterval;
  private final Timer bargeIn;
  private final Counter framesSent;
  private final Counter framesDropped;
  private final Counter selectionFailures;
  private final Counter streamErrors;
  private final Counter protocolErrorFrames;
  private final Counter clientErrors;
  private final Counter liveKitInboundFrames;
  private final Counter inboundAudioFrames;
  private final Counter inboundAudioDropped;
  private final Timer vadWindow;
  private final DistributionSummary vadBatch;
  private final Timer speechDetection;
  private final Counter[] interruptions = new Counter[INTERRUPTIONS.length];
  private final Timer userTurnSpeech;

  public GatewayMetrics() {
    Gauge.builder("voicegw_sessions_active", activeSessions, AtomicInteger::get)
        .description("Client sessions open on this node")
        .register(registry);
    sessionsStarted = Counter.builder("voicegw_sessions_started")
        .description("Client sessions opened on this node").register(registry);
    for (int i = 0; i < OUTCOMES.length; i++) {
      utterances[i] = Counter.builder("voicegw_utterances")
          .description("Utterances ended, by outcome")
          .tag("outcome", OUTCOMES[i])
          .register(registry);
    }
    firstAudio = latency("voicegw_first_audio_latency",
        "Text received to its first audio frame sent to the client", Duration.ofSeconds(5));
    firstAudioGatewayPart = latency("voicegw_first_audio_gateway_latency",
        "The gateway's part of first-audio latency: the total minus the worker's time to first"
            + " frame", Duration.ofSeconds(5));
    frameInterval = latency("voicegw_frame_send_interval",
        "Time between consecutive audio frames sent to one client (20 ms when paced)",
        Duration.ofSeconds(1));
    bargeIn = latency("voicegw_barge_in_latency",
        "PAUSE/STOP received from the client to the last frame written to its socket before it"
            + " took effect (0 when none)", Duration.ofSeconds(1));
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
    liveKitInboundFrames = Counter.builder("voicegw_livekit_inbound_frames")
        .description("20 ms frames of LiveKit participants' audio received from the bridge")
        .register(registry);
    inboundAudioFrames = Counter.builder("voicegw_inbound_audio_frames")
        .description("Frames of the users' audio heard by sessions (both transports)")
        .register(registry);
    inboundAudioDropped = Counter.builder("voicegw_inbound_audio_dropped")
        .description("Frames of the users' audio dropped: bad format, or faster than real time")
        .register(registry);
    vadWindow = Timer.builder("voicegw_vad_window_seconds")
        .description("Thread CPU time of voice activity detection per 32 ms window: a batched"
            + " run's CPU shared among its windows (Silero VAD, ONNX Runtime)")
        .publishPercentileHistogram()
        .publishPercentiles(0.5, 0.9, 0.99)
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofMillis(100))
        .register(registry);
    vadBatch = DistributionSummary.builder("voicegw_vad_batch_windows")
        .description("Windows (sessions) evaluated in one voice activity run")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    speechDetection = latency("voicegw_speech_detection_delay",
        "Audio heard from the onset of the user's speech until it counted as speech"
            + " (speech_started)", Duration.ofSeconds(1));
    for (int i = 0; i < INTERRUPTIONS.length; i++) {
      interruptions[i] = Counter.builder("voicegw_interruptions")
          .description("Automatic barge-ins: started, then confirmed or false")
          .tag("outcome", INTERRUPTIONS[i])
          .register(registry);
    }
    userTurnSpeech = latency("voicegw_user_turn_speech",
        "Speech in each finished user turn (user_turn_end)", Duration.ofSeconds(60));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  private Timer latency(String name, String description, Duration max) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .publishPercentiles(0.5, 0.9, 0.99)
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

  @Override
  public void utteranceEnded(String outcome) {
    for (int i = 0; i < OUTCOMES.length; i++) {
      if (OUTCOMES[i].equals(outcome)) {
        utterances[i].increment();
        return;
      }
    }
    throw new IllegalArgumentException("unknown utterance outcome: " + outcome);
  }

  @Override
  public void firstAudio(long totalNanos, long workerNanos) {
    firstAudio.record(totalNanos, TimeUnit.NANOSECONDS);
    firstAudioGatewayPart.record(Math.max(0, totalNanos - workerNanos), TimeUnit.NANOSECONDS);
  }

  @Override
  public void frameSent(long nanosSincePrevious) {
    framesSent.increment();
    if (nanosSincePrevious > 0) frameInterval.record(nanosSincePrevious, TimeUnit.NANOSECONDS);
  }

  /** Recorded by the WebSocket connector, which sees both the control act and the socket. */
  public void bargeIn(long nanos) {
    bargeIn.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void framesDropped(long count) {
    framesDropped.increment(count);
  }

  @Override
  public void workerSelectionFailed() {
    selectionFailures.increment();
  }

  @Override
  public void streamError() {
    streamErrors.increment();
  }

  @Override
  public void protocolErrorFrame() {
    protocolErrorFrames.increment();
  }

  public void clientError() {
    clientErrors.increment();
  }

  /** One 20 ms frame of a LiveKit participant's own audio reached the gateway. */
  public void liveKitInboundFrame() {
    liveKitInboundFrames.increment();
  }

  /** One frame of a user's audio reached its session. */
  public void inboundAudioFrame() {
    inboundAudioFrames.increment();
  }

  /** One frame of a user's audio was refused (format, flood). */
  public void inboundAudioDropped() {
    inboundAudioDropped.increment();
  }

  /**
   * The node's VAD runner evaluated {@code windows} windows in one run ({@link
   * io.voicegateway.audio.vad.VadRunner.Observer}): each window is recorded with its share of the
   * run's thread CPU, so the timer's sum is the VAD's CPU and its count the windows.
   */
  public void vadRan(int windows, long cpuNanos) {
    long each = cpuNanos / windows;
    for (int i = 0; i < windows; i++) {
      vadWindow.record(each, TimeUnit.NANOSECONDS);
    }
    vadBatch.record(windows);
  }

  @Override
  public void speechStarted(long heardMs) {
    speechDetection.record(heardMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void interruption(String outcome) {
    for (int i = 0; i < INTERRUPTIONS.length; i++) {
      if (INTERRUPTIONS[i].equals(outcome)) {
        interruptions[i].increment();
        return;
      }
    }
    throw new IllegalArgumentException("unknown interruption outcome: " + outcome);
  }

  @Override
  public void userTurnEnded(long speechMs) {
    userTurnSpeech.record(speechMs, TimeUnit.MILLISECONDS);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
