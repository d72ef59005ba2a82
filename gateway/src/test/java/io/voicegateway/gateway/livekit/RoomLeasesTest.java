package io.voicegateway.gateway.livekit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.voicegateway.registry.LocalRedisServer;
import io.voicegateway.registry.RegistrySettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Room leases against a real Redis: one owner at a time, expiry, fencing, done rooms. */
class RoomLeasesTest {

  private static LocalRedisServer redis;
  private static RoomLeases leases;

  @BeforeAll
  static void start() {
    redis = LocalRedisServer.start(LocalRedisServer.Options.DEFAULT);
    RegistrySettings settings = RegistrySettings.fromConfig(ConfigFactory.parseString(
        "voicegw.redis.url = \"" + redis.uri() + "\"").withFallback(ConfigFactory.load()));
    leases = new RoomLeases(settings, "test:livekit:", Duration.ofMillis(600));
  }

  @AfterAll
  static void stop() {
    leases.close();
    redis.close();
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void oneNodeHoldsARoomUntilItsLeaseExpires() throws Exception {
    assertEquals(RoomLeases.Acquired.ACQUIRED, get(leases.acquire("r1", "RM_1", "node-a")));
    assertEquals(RoomLeases.Acquired.HELD_ELSEWHERE, get(leases.acquire("r1", "RM_1", "node-b")));
    assertEquals(RoomLeases.Acquired.ACQUIRED, get(leases.acquire("r1", "RM_1", "node-a")),
        "taking it again is harmless");
    assertTrue(get(leases.renew("r1", "node-a")));
    assertFalse(get(leases.renew("r1", "node-b")), "only the owner renews");
    Thread.sleep(900); // node-a stops renewing: it died
    assertEquals(RoomLeases.Acquired.ACQUIRED, get(leases.acquire("r1", "RM_1", "node-b")));
    assertFalse(get(leases.renew("r1", "node-a")), "the old owner is fenced");
  }

  @Test
  void aReleaseByAFormerOwnerLeavesTheNewOwnersLease() throws Exception {
    assertEquals(RoomLeases.Acquired.ACQUIRED, get(leases.acquire("r2", "RM_2", "node-a")));
    Thread.sleep(900);
    assertEquals(RoomLeases.Acquired.ACQUIRED, get(leases.acquire("r2", "RM_2", "node-b")));
    get(leases.release("r2", "node-a", Optional.empty(), null));
    assertTrue(get(leases.renew("r2", "node-b")));
  }

  @Test
  void aFinishedRoomIsNotServedAgainAndItsSessionIsForgotten() throws Exception {
    assertEquals(RoomLeases.Acquired.ACQUIRED, get(leases.acquire("r3", "RM_3", "node-a")));
    get(leases.recordSession("r3", "lk-000000000003"));
    assertEquals(Optional.of("lk-000000000003"), get(leases.sessionOf("r3")));
    get(leases.release("r3", "node-a", Optional.of("RM_3"), "lk-000000000003"));
    assertEquals(Optional.empty(), get(leases.sessionOf("r3")));
    assertEquals(RoomLeases.Acquired.DONE, get(leases.acquire("r3", "RM_3", "node-b")));
    assertEquals(RoomLeases.Acquired.ACQUIRED, get(leases.acquire("r3", "RM_3b", "node-b")),
        "a new room of the same name is a new instance");
  }

  @Test
  void aReleaseWithoutFinishingKeepsTheSessionForTheNextNode() throws Exception {
    assertEquals(RoomLeases.Acquired.ACQUIRED, get(leases.acquire("r4", "RM_4", "node-a")));
    get(leases.recordSession("r4", "lk-000000000004"));
    get(leases.release("r4", "node-a", Optional.empty(), "lk-000000000004"));
    assertEquals(RoomLeases.Acquired.ACQUIRED, get(leases.acquire("r4", "RM_4", "node-b")),
        "free at once, not after the lease's TTL");
    assertEquals(Optional.of("lk-000000000004"), get(leases.sessionOf("r4")));
  }
}
