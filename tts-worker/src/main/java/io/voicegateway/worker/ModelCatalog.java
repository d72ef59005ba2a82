package io.voicegateway.worker;

import io.voicegateway.worker.engine.EngineUnavailableException;
import io.voicegateway.worker.engine.EspeakEngine;
import io.voicegateway.worker.engine.FreeTtsEngine;
import io.voicegateway.worker.engine.SpeechEngine;
import io.voicegateway.worker.engine.ToneEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The models a worker offers, by model id, and their loading. */
public final class ModelCatalog {

  public static final String TONE = "mock-440hz";
  public static final String FREETTS = "freetts-kevin16";
  public static final String ESPEAK = "espeak-ng-en";
  /** espeak-ng models are named {@code espeak-ng-<voice>}: the id chooses the voice. */
  public static final String ESPEAK_PREFIX = "espeak-ng-";

  private final Map<String, SpeechEngine> engines;
  private final Map<String, String> aliases; // alias → an offered model
  private final boolean unknownFallback;
  private final String defaultModel;
  private final java.util.concurrent.Executor blocking;

  public ModelCatalog(WorkerSettings settings, java.util.concurrent.Executor blocking) {
    this(createEngines(settings), settings.defaultModel(), blocking, settings.modelAliases(),
        settings.unknownModelFallback());
  }

  ModelCatalog(Map<String, SpeechEngine> engines, String defaultModel, java.util.concurrent.Executor blocking) {
    this(engines, defaultModel, blocking, Map.of(), false);
  }

  ModelCatalog(Map<String, SpeechEngine> engines, String defaultModel,
      java.util.concurrent.Executor blocking, Map<String, String> aliases,
      boolean unknownFallback) {
    this.engines = Map.copyOf(engines);
    this.defaultModel = defaultModel;
    this.blocking = blocking;
    Map<String, String> usable = new LinkedHashMap<>();
    aliases.forEach((alias, target) -> {
      if (this.engines.containsKey(target)) {
        usable.put(alias, target);
      } else {
        LOG.info("model alias {} left out: this worker does not offer {}", alias, target);
      }
    });
    this.aliases = Map.copyOf(usable);
    this.unknownFallback = unknownFallback;
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelCatalog.class);

  private static Map<String, SpeechEngine> createEngines(WorkerSettings s) {
    Map<String, SpeechEngine> m = new LinkedHashMap<>();
    for (String id : s.models()) {
      SpeechEngine e;
      if (id.equals(TONE)) {
        e = new ToneEngine();
      } else if (id.equals(FREETTS)) {
        e = new FreeTtsEngine(s.freettsMaxVoices());
      } else if (id.startsWith(ESPEAK_PREFIX)) {
        e = new EspeakEngine(s.espeakBinary(), id.substring(ESPEAK_PREFIX.length()));
      } else {
        throw new IllegalArgumentException("voicegw.worker.models: unknown model " + id);
      }
      m.put(e.modelId(), e);
    }
    return m;
  }

  /**
   * The engine for {@code modelId}: an offered model, or the one an alias names; the empty id
   * means the default model (WIRE.md §2). With {@code unknown-model-fallback} any other id gets
   * the default model too.
   */
  public Optional<SpeechEngine> find(String modelId) {
    String id = modelId.isEmpty() ? defaultModel : aliases.getOrDefault(modelId, modelId);
    SpeechEngine engine = engines.get(id);
    if (engine == null && unknownFallback) {
      LOG.info("unknown model \"{}\": the default model {} speaks instead"
          + " (voicegw.worker.unknown-model-fallback)", modelId, defaultModel);
      engine = engines.get(defaultModel);
    }
    return Optional.ofNullable(engine);
  }

  /** The aliases in use: alias → the model it names. */
  public Map<String, String> aliases() {
    return aliases;
  }

  public String defaultModel() {
    return defaultModel;
  }

  /** All engines, in a stable order (model id). */
  public List<SpeechEngine> all() {
    return engines.values().stream()
        .sorted((a, b) -> a.modelId().compareTo(b.modelId()))
        .toList();
  }

  public List<String> residentModels() {
    List<String> ids = new ArrayList<>();
    for (SpeechEngine e : all()) if (e.isLoaded()) ids.add(e.modelId());
    return ids;
  }

  /** "mock-440hz, freetts-kevin16, ..." for messages that must list what this worker has. */
  public String describeModels() {
    String models = String.join(", ", all().stream().map(SpeechEngine::modelId).toList());
    if (aliases.isEmpty()) return models;
    return models + " (aliases: " + String.join(", ", aliases.entrySet().stream()
        .map(e -> e.getKey() + " → " + e.getValue()).sorted().toList()) + ")";
  }

  /** The aliases that name {@code modelId}, comma-separated and sorted ("" when none). */
  public String aliasesOf(String modelId) {
    return String.join(",", aliases.entrySet().stream()
        .filter(e -> e.getValue().equals(modelId)).map(Map.Entry::getKey).sorted().toList());
  }

  /**
   * Loads the engine off the calling thread (model loading blocks) and completes with how long it
   * took in milliseconds, or fails with {@link EngineUnavailableException}.
   */
  public CompletionStage<Long> load(SpeechEngine engine) {
    if (engine.isLoaded()) return CompletableFuture.completedFuture(0L);
    return CompletableFuture.supplyAsync(
        () -> {
          long t0 = System.nanoTime();
          try {
            engine.load();
          } catch (EngineUnavailableException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
          return (System.nanoTime() - t0) / 1_000_000;
        },
        blocking);
  }
}
