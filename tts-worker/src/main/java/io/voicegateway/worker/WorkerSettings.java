package io.voicegateway.worker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code voicegw.worker} section of the configuration, validated once at start-up. */
public record WorkerSettings(
    String name,
    String host,
    int port,
    String advertiseHost,
    String defaultModel,
    List<String> models,
    List<String> languages,
    int maxConcurrentSessions,
    int maxTextLength,
    boolean register,
    String espeakBinary,
    int freettsMaxVoices,
    Duration deregisterTimeout,
    Duration sessionIdleTimeout,
    Map<String, String> modelAliases,
    boolean unknownModelFallback,
    int warmUpUtterances) {

  private static final Set<String> FIXED_MODELS = Set.of(ModelCatalog.TONE, ModelCatalog.FREETTS);

  private static final String P = "voicegw.worker.";

  /**
   * Reads and validates the section.
   *
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static WorkerSettings fromConfig(Config root) {
    Config c = root.getConfig("voicegw.worker");
    try {
      int port = c.getInt("port");
      require(port > 0 && port < 65536, "port", "must be 1..65535, got " + port);
      String name = c.getString("name").isBlank() ? "tts-" + port : c.getString("name").trim();
      require(name.matches("[A-Za-z0-9._:-]+"), "name",
          "may hold letters, digits and . _ : - only, got \"" + name + "\"");
      List<String> models = List.copyOf(c.getStringList("models"));
      require(!models.isEmpty(), "models", "must name at least one model");
      for (String m : models) {
        require(FIXED_MODELS.contains(m) || m.startsWith(ModelCatalog.ESPEAK_PREFIX)
                && m.length() > ModelCatalog.ESPEAK_PREFIX.length(), "models",
            "unknown model \"" + m + "\"; known: " + ModelCatalog.TONE + ", " + ModelCatalog.FREETTS
                + ", " + ModelCatalog.ESPEAK_PREFIX + "<espeak-ng voice> (e.g. " + ModelCatalog.ESPEAK + ")");
      }
      String defaultModel = c.getString("default-model");
      require(models.contains(defaultModel), "default-model",
          "\"" + defaultModel + "\" is not among models " + models);
      List<String> languages = List.copyOf(c.getStringList("languages"));
      require(!languages.isEmpty(), "languages", "must name at least one language");
      int maxSessions = c.getInt("max-concurrent-sessions");
      require(maxSessions > 0, "max-concurrent-sessions", "must be positive, got " + maxSessions);
      int maxText = c.getInt("max-text-length");
      require(maxText > 0, "max-text-length", "must be positive, got " + maxText);
      int maxVoices = c.getInt("freetts.max-voices");
      require(maxVoices > 0, "freetts.max-voices", "must be positive, got " + maxVoices);
      Duration idle = c.getDuration("session-idle-timeout");
      require(!idle.isNegative() && !idle.isZero(), "session-idle-timeout",
          "must be a positive duration, got " + idle);
      int warmUp = c.getInt("warm-up-utterances");
      require(warmUp >= 0 && warmUp <= 1000, "warm-up-utterances", "must be 0..1000, got " + warmUp);
      String host = c.getString("host");
      require(!host.isBlank(), "host", "must not be empty");
      Map<String, String> aliases = new LinkedHashMap<>();
      Config aliasConfig = c.getConfig("model-aliases");
      for (String alias : aliasConfig.root().keySet()) {
        String target = aliasConfig.getString(com.typesafe.config.ConfigUtil.quoteString(alias));
        require(!models.contains(alias), "model-aliases",
            "\"" + alias + "\" is a model of this worker, not an alias");
        aliases.put(alias, target);
      }
      return new WorkerSettings(
          name, host, port, c.getString("advertise-host").trim(), defaultModel, models, languages,
          maxSessions, maxText, c.getBoolean("register"), c.getString("espeak.binary"), maxVoices, c.getDuration("deregister-timeout"),
          idle, Map.copyOf(aliases), c.getBoolean("unknown-model-fallback"), warmUp);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
    }
  }

  /** {@code grpc://host:port} under which other hosts reach this worker. */
  public String advertisedAddr() {
    return "grpc://" + advertisedHost() + ":" + port;
  }

  String advertisedHost() {
    if (!advertiseHost.isEmpty()) return advertiseHost;
    if (!host.equals("0.0.0.0") && !host.equals("::")) return host;
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) continue;
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLinkLocalAddress()) return a.getHostAddress();
        }
      }
    } catch (SocketException e) {
      // fall through to loopback: a worker that cannot list interfaces is at least reachable locally
    }
    return "127.0.0.1";
  }

  private static void require(boolean ok, String key, String problem) {
    if (!ok) throw new IllegalArgumentException(P + key + ": " + problem);
  }
}
