package io.voicegateway.loadtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.voicegateway.gateway.GatewayNode;
import io.voicegateway.registry.LocalRedisServer;
import io.voicegateway.worker.TtsWorker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway for the end-to-end test, on loopback: Redis with keyspace notifications, one
 * {@code mock-440hz} TTS worker registered in it, and a gateway node on free ports.
 */
final class GatewayStack implements AutoCloseable {

  private final LocalRedisServer redis;
  private final TtsWorker worker;
  private final GatewayNode gateway;

  private GatewayStack(LocalRedisServer redis, TtsWorker worker, GatewayNode gateway) {
    this.redis = redis;
    this.worker = worker;
    this.gateway = gateway;
  }

  static GatewayStack start() {
    LocalRedisServer redis =
        LocalRedisServer.start(LocalRedisServer.Options.DEFAULT.withKeyspaceNotifications());
    TtsWorker worker = null;
    try {
      Config workerConfig = ConfigFactory.parseString("""
              voicegw.worker { host = 127.0.0.1, port = %d, advertise-host = 127.0.0.1,
                default-model = "mock-440hz", register = on, warm-up-utterances = 0 }
              voicegw.redis.url = "%s"
              voicegw.registry.heartbeat-interval = 1s
              """.formatted(freePort(), redis.uri()))
          .withFallback(ConfigFactory.load())
          .resolve();
      worker = TtsWorker.start(workerConfig).toCompletableFuture().get(60, TimeUnit.SECONDS);
      Config overrides = ConfigFactory.parseString("""
          voicegw.gateway { host = 127.0.0.1, ws-port = 0, health-port = 0 }
          voicegw.gateway.warm-up.utterances = 0
          voicegw.redis.url = "%s"
          voicegw.registry.resync-interval = 1s
          pekko.remote.artery.canonical.port = 0
          pekko.management.http { hostname = "127.0.0.1", port = 0 }
          """.formatted(redis.uri()));
      GatewayNode gateway = GatewayNode.start(GatewayNode.loadConfig(overrides));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (gateway.selector().freshWorkers() < 1) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the gateway never saw the worker");
        }
        Thread.sleep(20);
      }
      return new GatewayStack(redis, worker, gateway);
    } catch (Exception e) {
      if (worker != null) {
        worker.shutdown().toCompletableFuture().join();
      }
      redis.close();
      throw new IllegalStateException("cannot start the gateway stack", e);
    }
  }

  URI wsUri() {
    return URI.create("ws://127.0.0.1:" + gateway.wsPort() + "/");
  }

  URI metricsUri() {
    return URI.create("http://127.0.0.1:" + gateway.healthPort() + "/metrics");
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      gateway.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the gateway did not stop", e);
    } finally {
      worker.shutdown().toCompletableFuture().join();
      redis.close();
    }
  }
}
