package io.voicegateway.gateway.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.voicegateway.gateway.warmup.NodeWarmUp;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The health port's routes (WIRE.md §5): {@code /health} (JSON: status and why), {@code
 * /readiness} (may this node take new sessions: an Up cluster member and Redis reachable),
 * {@code /liveness} (the process answers), {@code /metrics} (Prometheus text).
 */
public final class HealthRoutes extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HealthSources sources;
  private final GatewayMetrics metrics;

  public HealthRoutes(HealthSources sources, GatewayMetrics metrics) {
    this.sources = sources;
    this.metrics = metrics;
  }

  public Route routes() {
    return get(() -> concat(
        path("health", () -> extractRequest(r -> complete(health()))), // extractRequest: evaluated per request
        path("readiness", () -> extractRequest(r -> complete(readiness()))),
        path("liveness", () -> complete(json(StatusCodes.OK, status("alive")))),
        path("metrics", () -> extractRequest(r -> complete(HttpResponse.create()
            .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.scrape())))))));
  }

  private static final String UP = "Up";

  /**
   * 200 with status "ok" when the node is an Up cluster member, Redis answers and a worker is
   * healthy; else 503 "degraded".
   */
  HttpResponse health() {
    RedisProbe.Status redis = sources.redis();
    int healthy = sources.workersHealthy();
    String member = sources.clusterMemberStatus();
    boolean up = UP.equals(member);
    boolean ok = up && redis.up() && healthy > 0;
    ObjectNode body = status(ok ? "ok" : "degraded");
    if (!up) body.put("reason", notUp(member));
    else if (!redis.up()) body.put("reason", "redis unreachable: " + redis.detail());
    else if (healthy == 0) body.put("reason", "no healthy TTS worker registered");
    ObjectNode c = body.putObject("cluster");
    c.put("status", up ? "up" : "down");
    c.put("member_status", member);
    ObjectNode r = body.putObject("redis");
    r.put("status", redis.up() ? "up" : "down");
    r.put("detail", redis.detail());
    r.put("checked_at", redis.at().toString());
    ObjectNode w = body.putObject("workers");
    w.put("status", healthy > 0 ? "up" : "down");
    w.put("known", sources.workersKnown());
    w.put("healthy", healthy);
    body.putObject("sessions").put("active", sources.activeSessions());
    return json(ok ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body);
  }

  /**
   * Ready to take sessions while the node is an Up cluster member (a joining or leaving node
   * cannot host session entities), Redis answers (without it no worker can be found) and the
   * start-up warm-up is over (before it, a first utterance takes a second, not 30 ms).
   */
  HttpResponse readiness() {
    RedisProbe.Status redis = sources.redis();
    String member = sources.clusterMemberStatus();
    NodeWarmUp.Status warmUp = sources.warmUp();
    boolean up = UP.equals(member);
    boolean ready = up && redis.up() && warmUp.done();
    ObjectNode body = status(ready ? "ready" : "not_ready");
    if (!up) body.put("reason", notUp(member));
    else if (!redis.up()) body.put("reason", "redis unreachable: " + redis.detail());
    else if (!warmUp.done()) body.put("reason", warmUp.detail());
    body.put("cluster", member);
    body.put("warm_up", warmUp.detail());
    return json(ready ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body);
  }

  private static String notUp(String member) {
    return "not an Up cluster member: " + member;
  }

  private static ObjectNode status(String status) {
    return JSON.createObjectNode().put("status", status);
  }

  private static HttpResponse json(StatusCode code, ObjectNode body) {
    return HttpResponse.create()
        .withStatus(code)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }
}
