package io.voicegateway.session.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.voicegateway.registry.LocalRedisServer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.coordination.lease.LeaseSettings;
import org.apache.pekko.coordination.lease.TimeoutSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The split-brain resolver's lease against a real Redis: one owner, release, TTL expiry. */
class RedisLeaseTest {

  private static LocalRedisServer redis;
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    redis = LocalRedisServer.start(LocalRedisServer.Options.DEFAULT);
    system = ActorSystem.create("lease-test", ConfigFactory.parseString(
        "voicegw.redis.url = \"" + redis.uri() + "\"").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    redis.close();
  }

  private static RedisLease lease(String name, String owner, String ttl) {
    Config config = ConfigFactory.parseString("key-prefix = \"test:lease:\"");
    TimeoutSettings timeouts = TimeoutSettings.apply(ConfigFactory.parseString(
        "heartbeat-timeout = " + ttl + ", heartbeat-interval = 100ms,"
            + " lease-operation-timeout = 2s"));
    return new RedisLease(new LeaseSettings(name, owner, timeouts, config),
        (ExtendedActorSystem) system);
  }

  private static boolean get(CompletionStage<Boolean> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void oneSideTakesTheLeaseAndTheOtherIsRefusedUntilItIsReleased() throws Exception {
    RedisLease a = lease("sbr-1", "node-a", "10s");
    RedisLease b = lease("sbr-1", "node-b", "10s");
    assertTrue(get(a.acquire()));
    assertTrue(a.checkLease());
    assertFalse(get(b.acquire()), "held by node-a");
    assertFalse(b.checkLease());
    assertTrue(get(a.acquire()), "its owner may take it again");
    assertFalse(get(b.release()), "only the owner releases");
    assertTrue(get(a.release()));
    assertFalse(a.checkLease());
    assertTrue(get(b.acquire()));
  }

  @Test
  void theLeaseOfANodeThatDiedHoldingItFreesItself() throws Exception {
    RedisLease dead = lease("sbr-2", "node-dead", "500ms");
    RedisLease survivor = lease("sbr-2", "node-survivor", "500ms");
    assertTrue(get(dead.acquire()));
    assertFalse(get(survivor.acquire()));
    Thread.sleep(800);
    assertFalse(dead.checkLease(), "its holder knows it has lapsed");
    assertTrue(get(survivor.acquire()));
  }
}
