package io.voicegateway.worker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of {@code ./voicegw worker}. Each option is a shorthand for one configuration key,
 * so {@code --help} can show the default that the configuration actually holds.
 */
final class WorkerCommandLine {

  /** One option: its flag, the configuration key it sets, and what it means. */
  record Option(String flag, String key, String meaning, boolean list) {}

  static final List<Option> OPTIONS = List.of(
      new Option("--name", "voicegw.worker.name", "registration name (worker:<name>); empty = tts-<port>", false),
      new Option("--model", "voicegw.worker.default-model", "default model: mock-440hz, freetts-kevin16, espeak-ng-<voice>", false),
      new Option("--models", "voicegw.worker.models", "models offered, comma-separated", true),
      new Option("--host", "voicegw.worker.host", "interface the gRPC server binds to", false),
      new Option("--port", "voicegw.worker.port", "gRPC port", false),
      new Option("--advertise-host", "voicegw.worker.advertise-host", "host written into addr (grpc://host:port); empty = detect", false),
      new Option("--languages", "voicegw.worker.languages", "languages announced, comma-separated", true),
      new Option("--max-sessions", "voicegw.worker.max-concurrent-sessions", "sessions served at once", false),
      new Option("--max-text-length", "voicegw.worker.max-text-length", "longest text chunk, in characters", false),
      new Option("--redis", "voicegw.redis.url", "Redis URL (env REDIS_URL)", false),
      new Option("--key-prefix", "voicegw.registry.key-prefix", "registration key prefix", false),
      new Option("--ttl", "voicegw.registry.ttl", "registration TTL (e.g. 30s)", false),
      new Option("--heartbeat", "voicegw.registry.heartbeat-interval", "registration refresh interval (e.g. 10s)", false),
      new Option("--register", "voicegw.worker.register", "register in Redis: true or false", false));

  /** What the command line asked for. */
  record Parsed(Config config, boolean help) {}

  /**
   * Parses the arguments into a configuration: system properties, then options, then the
   * environment ({@code REDIS_URL}, WIRE.md §5), then {@code --config FILE}, then the defaults of
   * every module's reference.conf. The environment wins over a file as it does for the gateway
   * ({@code GatewayNode.loadConfig}): container operators expect it.
   *
   * @throws IllegalArgumentException naming the option that is wrong
   */
  static Parsed parse(String[] args) {
    return parse(args, System.getenv());
  }

  /** As {@link #parse(String[])}, with {@code env} as the environment. */
  static Parsed parse(String[] args, Map<String, String> env) {
    Map<String, Object> overrides = new LinkedHashMap<>();
    File configFile = null;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        help = true;
        continue;
      }
      String flag = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (flag.equals("--config")) {
        configFile = new File(value != null ? value : next(args, ++i, flag));
        if (!configFile.isFile()) throw new IllegalArgumentException("--config: no such file " + configFile);
        continue;
      }
      Option option = find(flag);
      String v = value != null ? value : next(args, ++i, flag);
      overrides.put(option.key(), option.list() ? splitList(v) : v);
    }
    Config base = ConfigFactory.parseMap(overrides, "command line");
    if (env.get("REDIS_URL") != null) {
      base = base.withFallback(ConfigFactory.parseMap(
          Map.of("voicegw.redis.url", env.get("REDIS_URL")), "environment variable REDIS_URL"));
    }
    if (configFile != null) base = base.withFallback(ConfigFactory.parseFile(configFile));
    Config config = ConfigFactory.defaultOverrides()
        .withFallback(base)
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    return new Parsed(config, help);
  }

  static String usage(Config defaults) {
    StringBuilder b = new StringBuilder();
    b.append("Usage: ./voicegw worker [options]\n\n")
        .append("Runs a TTS worker: a gRPC TTSService (WIRE.md §2) that registers itself in Redis.\n\n")
        .append("Options (default in brackets):\n");
    b.append(String.format("  %-20s %s%n", "--config FILE", "HOCON file with any voicegw.* keys (options win over it)"));
    for (Option o : OPTIONS) {
      String def = defaults.hasPath(o.key())
          ? (o.list() ? String.join(",", defaults.getStringList(o.key())) : defaults.getString(o.key()))
          : "";
      b.append(String.format("  %-20s %s [%s]%n", o.flag() + " VALUE", o.meaning(), def));
    }
    b.append(String.format("  %-20s %s%n", "--help", "show this help"));
    b.append("\nSIGTERM (or Ctrl-C) shuts down gracefully: the registration is deleted first.\n");
    return b.toString();
  }

  private static Option find(String flag) {
    for (Option o : OPTIONS) if (o.flag().equals(flag)) return o;
    throw new IllegalArgumentException("unknown option " + flag + " (see --help)");
  }

  private static String next(String[] args, int i, String flag) {
    if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
    return args[i];
  }

  private static Object splitList(String v) {
    List<String> items = new ArrayList<>();
    for (String s : Arrays.asList(v.split(","))) if (!s.isBlank()) items.add(s.trim());
    return ConfigValueFactory.fromIterable(items).unwrapped();
  }
}
