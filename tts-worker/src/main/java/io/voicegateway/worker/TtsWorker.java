package io.voicegateway.worker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.voicegateway.registry.RegistrySettings;
import io.voicegateway.registry.WorkerCapabilities;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.registry.WorkerRegistrar;
import io.voicegateway.tts.v1.Capabilities;
import io.voicegateway.tts.v1.TTSServiceHandlerFactory;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running TTS worker: its own actor system, the gRPC server, and (unless disabled) its Redis
 * registration. Graceful shutdown (SIGTERM, or {@link #shutdown}) deletes the registration before
 * the server unbinds, so routers stop choosing the worker first.
 */
public final class TtsWorker {

  private static final Logger log = LoggerFactory.getLogger(TtsWorker.class);

  private final ActorSystem<Void> system;
  private final WorkerSettings settings;
  private final TtsServiceImpl service;
  private final ServerBinding binding;
  private final WarmUp.Result warmUp;

  private TtsWorker(ActorSystem<Void> system, WorkerSettings settings, TtsServiceImpl service,
      ServerBinding binding, WarmUp.Result warmUp) {
    this.system = system;
    this.settings = settings;
    this.service = service;
    this.binding = binding;
    this.warmUp = warmUp;
  }

  /** The bound server and what its warm-up did, between the two start-up steps. */
  private record Bound(ServerBinding binding, WarmUp.Result warmUp) {}

  /**
   * Validates the configuration, then starts the worker. Completes once the server is bound and
   * the default model is loaded.
   *
   * @throws IllegalArgumentException naming the configuration key that is wrong
   */
  public static CompletionStage<TtsWorker> start(Config config) {
    WorkerSettings settings = WorkerSettings.fromConfig(config);
    Optional<RegistrySettings> registry =
        settings.register() ? Optional.of(RegistrySettings.fromConfig(config)) : Optional.empty();
    // gRPC needs HTTP/2 ("INTERNAL: http2 exception" without it). Forced here, not left to
    // reference.conf, where pekko-http-core's "off" wins whenever its jar comes first.
    // SLF4J logging for this system only (not in reference.conf: it would apply to every actor
    // system of the JVM)
    Config own = ConfigFactory.parseString("""
            pekko.http.server.enable-http2 = on
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            """)
        .withFallback(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tts-worker", own);
    Executor blocking = system.dispatchers()
        .lookup(DispatcherSelector.fromConfig("voicegw.worker.engine-dispatcher"));
    ModelCatalog catalog = new ModelCatalog(settings, blocking);
    TtsServiceImpl service = new TtsServiceImpl(settings, catalog);
    java.time.Duration reapEvery = settings.sessionIdleTimeout().dividedBy(4)
        .compareTo(java.time.Duration.ofSeconds(30)) > 0 ? java.time.Duration.ofSeconds(30)
        : settings.sessionIdleTimeout().dividedBy(4);
    system.scheduler().scheduleWithFixedDelay(reapEvery, reapEvery,
        service::reapIdleSessions, system.executionContext());

    CompletionStage<TtsWorker> started = catalog.load(catalog.find("").orElseThrow())
        .thenCompose(ms -> Http.get(system)
            .newServerAt(settings.host(), settings.port())
            .bind(withoutResponseCompression(TTSServiceHandlerFactory.create(service, system))))
        .thenCompose(binding -> {
          binding.addToCoordinatedShutdown(java.time.Duration.ofSeconds(5), system);
          // registered only once warm: a gateway's first session here is not the JIT's
          return WarmUp.run(system, binding.localAddress(), settings.defaultModel(),
              settings.warmUpUtterances()).thenApply(warm -> {
                service.resetRtf(); // cold code's pace is not the engine's: not advertised
                return new Bound(binding, warm);
              });
        })
        .thenApply(bound -> {
          registry.ifPresent(r -> register(system, settings, r, service));
          log.info("tts-worker {} bound to {}, advertised as {}", settings.name(),
              bound.binding().localAddress(), settings.advertisedAddr());
          return new TtsWorker(system, settings, service, bound.binding(), bound.warmUp());
        });
    started.exceptionally(e -> {
      system.terminate();
      return null;
    });
    return started;
  }

  /**
   * PCM barely compresses, and gzip of every 20 ms frame cost more CPU than everything else on
   * the worker together (docs/BENCHMARKS.md): hiding the client's grpc-accept-encoding makes the
   * server answer uncompressed (identity), which every gRPC client accepts.
   */
  static Function<HttpRequest, CompletionStage<HttpResponse>> withoutResponseCompression(
      Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    return request -> handler.apply(request.removeHeader("grpc-accept-encoding"));
  }

  private static void register(ActorSystem<Void> system, WorkerSettings settings,
      RegistrySettings registry, TtsServiceImpl service) {
    String addr = settings.advertisedAddr(); // interface lookup once, not at every heartbeat
    ActorRef<WorkerRegistrar.Command> registrar = system.systemActorOf(
        WorkerRegistrar.create(registry, () -> record(settings.name(), addr, service)),
        "worker-registrar", Props.empty());
    WorkerRegistrar.deregisterOnShutdown(system, registrar, settings.deregisterTimeout());
  }

  /** The registration record as of now (WIRE.md §3); the registrar stamps the heartbeat time. */
  static WorkerRecord record(String name, String addr, TtsServiceImpl service) {
    Capabilities c = service.capabilities();
    Map<String, Double> metrics = service.metrics();
    return new WorkerRecord(
        name,
        addr,
        new WorkerCapabilities(c.getStreaming(), c.getZeroShot(), c.getLora(), c.getCpuOk(),
            c.getLanguagesList(), c.getEmotiveZeroPrompt()),
        service.catalog().residentModels(),
        Map.of(
            WorkerRecord.RTF, metrics.get(WorkerRecord.RTF),
            WorkerRecord.QUEUE_DEPTH, metrics.get(WorkerRecord.QUEUE_DEPTH)),
        System.currentTimeMillis() / 1000.0);
  }

  public WorkerSettings settings() {
    return settings;
  }

  public TtsServiceImpl service() {
    return service;
  }

  /** The port the server is bound to. */
  public int port() {
    return binding.localAddress().getPort();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** What the start-up warm-up did (texts and frames synthesized; none when it was off). */
  WarmUp.Result warmUp() {
    return warmUp;
  }

  /** Graceful shutdown: deregister, unbind, terminate. */
  public CompletionStage<Done> shutdown() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
  }
}
