package io.voicegateway.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throw-away Redis on a free loopback port, for the embedded default ({@code ./voicegw demo}) and
 * for tests: the machine's {@code redis-server}, or else the Linux binary shipped in
 * com.github.codemonstur:embedded-redis. Nothing persists ({@code --save "" --appendonly no}); the
 * temp dir goes away on {@link #close()}.
 */
public final class LocalRedisServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalRedisServer.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
  private static final String EMBEDDED_BINARY = "redis-server-6.2.6-v5-linux-amd64";

  private final Path binary;
  private final boolean systemBinary;
  private final Path dir;
  private final int port;
  private final Options options;
  private Process process;

  /** Start-up options; the defaults match a stock Redis. */
  public record Options(
      boolean keyspaceNotifications, boolean configCommandDisabled, boolean embeddedBinary) {
    public static final Options DEFAULT = new Options(false, false, false);

    /** Starts with {@code notify-keyspace-events KEA} already set. */
    public Options withKeyspaceNotifications() {
      return new Options(true, configCommandDisabled, embeddedBinary);
    }

    /** {@code --rename-command CONFIG ""}: like a managed Redis that refuses CONFIG SET. */
    public Options withConfigCommandDisabled() {
      return new Options(keyspaceNotifications, true, embeddedBinary);
    }

    /** Runs the embedded-redis binary even where a redis-server is installed (the fallback). */
    public Options withEmbeddedBinary() {
      return new Options(keyspaceNotifications, configCommandDisabled, true);
    }
  }

  public static LocalRedisServer start() {
    return start(Options.DEFAULT);
  }

  public static LocalRedisServer start(Options options) {
    Path dir;
    try {
      dir = Files.createTempDirectory("voicegw-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path system = options.embeddedBinary() ? null : findSystemBinary();
    Path binary = system != null ? system : extractEmbeddedBinary(dir);
    IllegalStateException last = null;
    // a free port can be taken between probing and binding: try a few
    for (int attempt = 0; attempt < 5; attempt++) {
      LocalRedisServer server =
          new LocalRedisServer(binary, system != null, dir, freePort(), options);
      try {
        server.launch();
        return server;
      } catch (IllegalStateException e) {
        last = e;
        server.stop();
      }
    }
    deleteRecursively(dir);
    throw last;
  }

  private LocalRedisServer(
      Path binary, boolean systemBinary, Path dir, int port, Options options) {
    this.binary = binary;
    this.systemBinary = systemBinary;
    this.dir = dir;
    this.port = port;
    this.options = options;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** True when the machine's redis-server runs, false for the embedded-redis fallback binary. */
  public boolean isSystemBinary() {
    return systemBinary;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the server (its data is lost); the port stays reserved for {@link #restart()}. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Starts again on the same port, empty, and waits until it answers PING. */
  public synchronized void restart() {
    stop();
    IllegalStateException last = null;
    // the old socket may linger for a moment; retry rather than fail the caller
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        last = e;
        stop();
        sleepQuietly(200);
      }
    }
    throw last;
  }

  @Override
  public synchronized void close() {
    stop();
    deleteRecursively(dir);
  }

  private synchronized void launch() {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1"));
    cmd.addAll(List.of("--save", "", "--appendonly", "no", "--daemonize", "no"));
    cmd.addAll(List.of("--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString()));
    cmd.addAll(
        List.of("--notify-keyspace-events", options.keyspaceNotifications() ? "KEA" : ""));
    if (options.configCommandDisabled()) {
      cmd.addAll(List.of("--rename-command", "CONFIG", ""));
    }
    try {
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("redis.out").toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary, e);
    }
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited with " + process.exitValue() + ": " + tail("redis.log"));
      }
      if (answersPing()) {
        log.debug("redis-server ({}) ready on port {}", binary, port);
        return;
      }
      sleepQuietly(20);
    }
    throw new IllegalStateException("redis-server did not answer PING within " + READY_TIMEOUT);
  }

  private boolean answersPing() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.readNBytes(buf, 0, 7);
      return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  private String tail(String file) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(file));
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static Path findSystemBinary() {
    String path = System.getenv("PATH");
    List<Path> candidates = new ArrayList<>();
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) {
        if (!d.isEmpty()) {
          candidates.add(Path.of(d, "redis-server"));
        }
      }
    }
    candidates.add(Path.of("/usr/bin/redis-server"));
    candidates.add(Path.of("/usr/local/bin/redis-server"));
    for (Path p : candidates) {
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static Path extractEmbeddedBinary(Path dir) {
    String os = System.getProperty("os.name", "").toLowerCase();
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new IllegalStateException(
          "no redis-server on PATH and no embedded binary for " + os + "/" + arch);
    }
    Path target = dir.resolve("redis-server");
    try (InputStream in =
        redis.embedded.RedisServer.class.getClassLoader().getResourceAsStream(EMBEDDED_BINARY)) {
      if (in == null) {
        throw new IllegalStateException("embedded-redis jar lacks " + EMBEDDED_BINARY);
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!target.toFile().setExecutable(true, true)) {
      throw new IllegalStateException("cannot make " + target + " executable");
    }
    log.info("no redis-server installed; using the embedded-redis binary");
    return target;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("could not delete {}", dir, e);
    }
  }
}
