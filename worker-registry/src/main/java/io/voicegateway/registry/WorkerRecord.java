package io.voicegateway.registry;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * One registered TTS worker, as stored under {@code worker:<name>} (WIRE.md §3).
 *
 * @param lastHeartbeatTs epoch seconds (fractional), written by the worker at each heartbeat
 */
public record WorkerRecord(
    String name,
    String addr,
    WorkerCapabilities capabilities,
    List<String> residentModels,
    Map<String, Double> metrics,
    double lastHeartbeatTs) {

  public static final String QUEUE_DEPTH = "queue_depth";
  public static final String RTF = "rtf";
  private static final String GRPC_SCHEME = "grpc://";

  public WorkerRecord {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("name must be non-empty");
    }
    if (addr == null || addr.isEmpty()) {
      throw new IllegalArgumentException("addr must be non-empty");
    }
    capabilities = capabilities == null ? WorkerCapabilities.NONE : capabilities;
    residentModels = residentModels == null ? List.of() : List.copyOf(residentModels);
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
  }

  /** The same record with a new heartbeat time; used by the registrar at each write. */
  public WorkerRecord withLastHeartbeatTs(double epochSeconds) {
    return new WorkerRecord(name, addr, capabilities, residentModels, metrics, epochSeconds);
  }

  /** {@code host:port} to dial, {@code grpc://} stripped; IPv6 hosts keep their brackets. */
  public String dialTarget() {
    DialTarget t = parseAddr(addr);
    return t.authority();
  }

  public String dialHost() {
    return parseAddr(addr).host();
  }

  public int dialPort() {
    return parseAddr(addr).port();
  }

  /** {@code metrics.queue_depth}; a worker that does not report it counts as idle (0). */
  public double queueDepth() {
    Double v = metrics.get(QUEUE_DEPTH);
    return v == null ? 0.0 : v;
  }

  /**
   * {@code metrics.rtf} (real-time factor, lower is faster); absent counts as +infinity so that
   * least_latency prefers workers that report a measurement.
   */
  public double rtf() {
    Double v = metrics.get(RTF);
    return v == null ? Double.POSITIVE_INFINITY : v;
  }

  public boolean hasResidentModel(String model) {
    return residentModels.contains(model);
  }

  /** Host and port of an {@code addr}; the codec rejects addresses this cannot parse. */
  public record DialTarget(String host, int port) {
    public String authority() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * Parses {@code grpc://host:port}, or a bare {@code host:port}.
   *
   * @throws IllegalArgumentException if there is no host or no port
   */
  public static DialTarget parseAddr(String addr) {
    String rest = addr.startsWith(GRPC_SCHEME) ? addr.substring(GRPC_SCHEME.length()) : addr;
    if (rest.contains("://")) {
      throw new IllegalArgumentException("addr has a scheme other than grpc://: " + addr);
    }
    URI uri;
    try {
      uri = URI.create(GRPC_SCHEME + rest);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("addr is not host:port: " + addr, e);
    }
    String host = uri.getHost();
    int port = uri.getPort();
    if (host == null || host.isEmpty() || port <= 0 || port > 65535) {
      throw new IllegalArgumentException("addr is not host:port: " + addr);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new DialTarget(host, port);
  }
}
