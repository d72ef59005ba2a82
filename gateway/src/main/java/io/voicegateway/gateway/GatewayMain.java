package io.voicegateway.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.File;
import java.io.PrintStream;

/**
 * {@code ./voicegw gateway [--config FILE]}: runs one gateway node until SIGTERM or Ctrl-C, which
 * shut it down gracefully (CoordinatedShutdown). Exit status: 0 after a normal shutdown, 2 for a
 * usage or configuration error (the key is named), 1 when the node cannot start (a port in use).
 */
public final class GatewayMain {

  static final String USAGE = """
      Usage: voicegw gateway [--config FILE]

      Runs a gateway node: WebSocket sessions on voicegw.gateway.ws-port (8080), health and
      metrics on voicegw.gateway.health-port (8081), workers found through Redis
      (voicegw.redis.url, redis://127.0.0.1:6379).

        --config FILE   HOCON file with settings over the defaults (every setting is documented
                        in the reference.conf of its module)
        --help          this text

      Environment (wins over the file): REDIS_URL, GATEWAY_WS_PORT, GATEWAY_HEALTH_PORT,
      LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET, GATEWAY_CLUSTER_HOST, GATEWAY_CLUSTER_PORT.
      """;

  private GatewayMain() {}

  public static void main(String[] args) {
    Config config;
    try {
      config = configFrom(args);
    } catch (UsageException e) {
      if (e.getMessage() == null) {
        System.out.print(USAGE);
        System.exit(0);
      }
      System.err.println("voicegw gateway: " + e.getMessage());
      System.exit(2);
      return;
    }
    start(config, System.err);
  }

  /** Starts the node; exits the JVM with 2 (configuration) or 1 (start-up failure) on error. */
  static void start(Config config, PrintStream err) {
    GatewayNode node;
    try {
      node = GatewayNode.start(config);
    } catch (IllegalArgumentException e) {
      err.println("voicegw gateway: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      err.println("voicegw gateway: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    node.system().getWhenTerminated().toCompletableFuture().join();
  }

  /**
   * The configuration the arguments ask for, validated far enough to name a wrong key.
   *
   * @throws UsageException with the message to print (null: print the usage and exit 0)
   */
  static Config configFrom(String[] args) throws UsageException {
    Config overrides = ConfigFactory.empty();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> throw new UsageException(null);
        case "--config" -> {
          if (i + 1 >= args.length) throw new UsageException("--config needs a FILE");
          File file = new File(args[++i]);
          if (!file.isFile()) {
            throw new UsageException("--config " + file + ": no such file");
          }
          try {
            overrides = ConfigFactory.parseFile(file,
                ConfigParseOptions.defaults().setAllowMissing(false));
          } catch (ConfigException e) {
            throw new UsageException("--config " + file + ": " + e.getMessage());
          }
        }
        default -> throw new UsageException("unknown option " + args[i] + " (try --help)");
      }
    }
    try {
      Config config = GatewayNode.loadConfig(overrides);
      GatewayNode.Settings.fromConfig(config); // name a wrong key before anything starts
      return config;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** A usage or configuration error; exit status 2. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message, null, false, false);
    }
  }
}
