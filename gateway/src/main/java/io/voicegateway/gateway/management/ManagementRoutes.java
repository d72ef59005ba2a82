package io.voicegateway.gateway.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.voicegateway.registry.WorkerDirectory;
import io.voicegateway.registry.WorkerRecord;
import io.voicegateway.registry.WorkerSelector;
import io.voicegateway.registry.WorkerSnapshot;
import io.voicegateway.session.SessionInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The gateway's own routes on the Pekko Management port (docs/MANAGEMENT.md): {@code /sessions}
 * (paged, cluster-wide), {@code /sessions/{id}} and {@code /workers}. Read-only; they show no
 * resume token, no text and no other secret ({@link SessionInfo} holds none).
 */
public final class ManagementRoutes extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SessionsView sessions;
  private final ManagementSettings settings;
  private final WorkerDirectory directory;
  private final WorkerSelector selector;
  private final Duration maxHeartbeatAge;

  public ManagementRoutes(SessionsView sessions, ManagementSettings settings,
      WorkerDirectory directory, WorkerSelector selector, Duration maxHeartbeatAge) {
    this.sessions = sessions;
    this.settings = settings;
    this.directory = directory;
    this.selector = selector;
    this.maxHeartbeatAge = maxHeartbeatAge;
  }

  public Route routes() {
    return get(() -> concat(
        pathPrefix("sessions", () -> concat(
            pathEndOrSingleSlash(() -> parameterOptional("offset", offset ->
                parameterOptional("limit", limit -> completeWithFuture(list(offset, limit))))),
            path(PathMatchers.segment(), id -> completeWithFuture(one(id))))),
        path("workers", () -> extractRequest(r -> complete(workers())))));
  }

  // ---------------------------------------------------------------- /sessions

  CompletionStage<HttpResponse> list(Optional<String> offsetParam, Optional<String> limitParam) {
    int offset;
    int limit;
    try {
      offset = parse("offset", offsetParam, 0, 0, Integer.MAX_VALUE);
      limit = parse("limit", limitParam, settings.defaultPageSize(), 1, settings.maxPageSize());
    } catch (IllegalArgumentException e) {
      return java.util.concurrent.CompletableFuture.completedFuture(
          error(StatusCodes.BAD_REQUEST, "bad_request", e.getMessage()));
    }
    return sessions.page(offset, limit).thenApply(page -> {
      ObjectNode body = JSON.createObjectNode();
      body.put("total", page.total());
      body.put("offset", page.offset());
      body.put("limit", page.limit());
      ArrayNode items = body.putArray("sessions");
      for (SessionsView.Described d : page.sessions()) items.add(summary(d));
      completeness(body, page.from());
      return json(StatusCodes.OK, body);
    });
  }

  private static int parse(String name, Optional<String> value, int absent, int min, int max) {
    if (value.isEmpty()) return absent;
    String range = max == Integer.MAX_VALUE ? "an integer >= " + min
        : "an integer from " + min + " to " + max;
    try {
      long v = Long.parseLong(value.get().trim());
      if (v >= min && v <= max) return (int) v;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("query parameter " + name + " must be " + range + ", got \""
        + value.get() + "\"");
  }

  CompletionStage<HttpResponse> one(String id) {
    return sessions.gather().thenCompose(g -> sessions.find(id, g).thenApply(found -> {
      if (found.isEmpty()) {
        ObjectNode body = errorBody("not_found", "no session with id " + id
            + (g.partial() ? " on the nodes that answered" : ""));
        completeness(body, g);
        return json(StatusCodes.NOT_FOUND, body);
      }
      ObjectNode body = summary(found.get());
      found.get().info().ifPresent(info -> {
        body.put("started_at", Instant.ofEpochMilli(info.startedAtEpochMillis()).toString());
        body.put("current_utterance", info.currentUtterance());
        ObjectNode timers = body.putObject("timers");
        timers.put("idle_timeout_ms", info.idleTimeoutInMillis());
        timers.put("max_duration_ms", info.maxDurationInMillis());
        ObjectNode counters = body.putObject("counters");
        counters.put("messages", info.messages());
        counters.put("frames_sent", info.framesSent());
        counters.put("frames_dropped", info.framesDropped());
        counters.put("utterances_completed", info.utterancesCompleted());
        counters.put("utterances_stopped", info.utterancesStopped());
        counters.put("utterances_failed", info.utterancesFailed());
        counters.put("failovers", info.failovers());
      });
      completeness(body, g);
      return json(StatusCodes.OK, body);
    }));
  }

  /** What /sessions shows of one session; state {@code unknown} when it did not answer in time. */
  private static ObjectNode summary(SessionsView.Described d) {
    ObjectNode s = JSON.createObjectNode();
    s.put("id", d.located().id().sessionId());
    s.put("entity_id", d.located().id().entityId());
    s.put("epoch", d.located().id().epoch());
    s.put("node", d.located().node());
    if (d.info().isPresent()) {
      SessionInfo info = d.info().get();
      s.put("state", info.state());
      s.put("worker", info.worker());
      s.put("age_ms", info.ageMillis());
      s.put("queued", info.queued());
    } else {
      s.put("state", "unknown");
      s.putNull("worker");
      s.putNull("age_ms");
      s.putNull("queued");
    }
    return s;
  }

  private static void completeness(ObjectNode body, SessionsView.Gathered g) {
    body.put("partial", g.partial());
    ArrayNode unreachable = body.putArray("unreachable_nodes");
    g.unreachableNodes().forEach(unreachable::add);
    if (!g.failedShards().isEmpty()) {
      ArrayNode failed = body.putArray("failed_shards");
      g.failedShards().forEach(failed::add);
    }
  }

  // ---------------------------------------------------------------- /workers

  HttpResponse workers() {
    WorkerSnapshot snapshot = directory.snapshot();
    Map<String, Long> counts = new TreeMap<>(selector.selectionCounts());
    double now = System.currentTimeMillis() / 1000.0;
    ObjectNode body = JSON.createObjectNode();
    body.put("total", snapshot.size());
    body.put("snapshot_at", snapshot.takenAt().toString());
    body.put("strategy", selector.strategy().name().toLowerCase(java.util.Locale.ROOT));
    body.put("max_heartbeat_age_ms", maxHeartbeatAge.toMillis());
    ArrayNode list = body.putArray("workers");
    for (WorkerRecord w : snapshot.sortedByName()) {
      ObjectNode o = list.addObject();
      o.put("name", w.name());
      o.put("address", w.addr());
      ArrayNode models = o.putArray("models");
      w.residentModels().forEach(models::add);
      ArrayNode languages = o.putArray("languages");
      w.capabilities().languages().forEach(languages::add);
      double age = now - w.lastHeartbeatTs();
      o.put("healthy", age < maxHeartbeatAge.toNanos() / 1e9);
      o.put("last_heartbeat", Instant.ofEpochMilli((long) (w.lastHeartbeatTs() * 1000)).toString());
      o.put("heartbeat_age_ms", Math.round(Math.max(0, age) * 1000));
      ObjectNode load = o.putObject("load");
      load.put("queue_depth", w.queueDepth());
      load.put("rtf", w.metrics().get(WorkerRecord.RTF)); // null when not reported
      load.put("effective_load", selector.effectiveLoad(w));
      ObjectNode metrics = load.putObject("reported");
      new TreeMap<>(w.metrics()).forEach((k, v) -> {
        if (Double.isFinite(v)) metrics.put(k, v); // JSON has no Infinity or NaN
        else metrics.putNull(k);
      });
      o.put("selections", counts.getOrDefault(w.name(), 0L));
    }
    // every worker selected since this node started, including those gone from the registry
    ObjectNode all = body.putObject("selection_counts");
    counts.forEach(all::put);
    return json(StatusCodes.OK, body);
  }

  // ---------------------------------------------------------------- JSON

  private static ObjectNode errorBody(String error, String message) {
    return JSON.createObjectNode().put("error", error).put("message", message);
  }

  private static HttpResponse error(StatusCode code, String error, String message) {
    return json(code, errorBody(error, message));
  }

  private static HttpResponse json(StatusCode code, ObjectNode body) {
    return HttpResponse.create()
        .withStatus(code)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }
}
