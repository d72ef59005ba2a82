package io.voicegateway.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RegistryMirrorTest {

  private static final Duration PATIENCE = Duration.ofSeconds(15);
  /** The bound the design promises for notification-driven updates. */
  private static final Duration NOTIFICATION_BOUND = Duration.ofSeconds(1);
  private static ActorTestKit testKit;

  private LocalRedisServer redis;
  private final WorkerDirectory directory = new WorkerDirectory();

  @BeforeAll
  static void startActors() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stopActors() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  /** Starts the mirror and waits until its first resync has been published. */
  private ActorRef<RegistryMirror.Command> mirror(String extraConfig) {
    ActorRef<RegistryMirror.Command> mirror =
        testKit.spawn(RegistryMirror.create(RedisFixture.settings(redis, extraConfig), directory));
    await().atMost(PATIENCE).until(() -> directory.snapshot().takenAt().toEpochMilli() > 0);
    return mirror;
  }

  private void put(String name) {
    RedisFixture.withRedis(redis, r -> r.set("worker:" + name,
        WorkerRecordCodec.toJson(Workers.worker(name))));
  }

  private void putRaw(String key, String value) {
    RedisFixture.withRedis(redis, r -> r.set(key, value));
  }

  private void delete(String name) {
    RedisFixture.withRedis(redis, r -> r.del("worker:" + name));
  }

  private boolean has(String name) {
    return directory.snapshot().workers().containsKey(name);
  }

  /** Notifications, not resync, must drive this: the resync period is made far longer. */
  private static final String SLOW_RESYNC = "voicegw.registry.resync-interval = 60s";

  @Test
  void seesAnAddWithinOneSecondThroughNotifications() {
    redis = LocalRedisServer.start();
    mirror(SLOW_RESYNC);
    put("a");
    await().atMost(NOTIFICATION_BOUND).until(() -> has("a"));
  }

  @Test
  void seesARemoveWithinOneSecondThroughNotifications() {
    redis = LocalRedisServer.start();
    put("a");
    mirror(SLOW_RESYNC);
    assertTrue(has("a"), "initial resync found it");
    delete("a");
    await().atMost(NOTIFICATION_BOUND).until(() -> !has("a"));
  }

  @Test
  void keepsTheServersExistingNotificationFlags() {
    redis = LocalRedisServer.start();
    RedisFixture.withRedis(redis, r -> r.configSet("notify-keyspace-events", "Kl"));
    mirror(SLOW_RESYNC);
    put("a");
    await().atMost(PATIENCE).until(() -> has("a"));
    String flags = RedisFixture.withRedis(redis,
        r -> r.configGet("notify-keyspace-events").get("notify-keyspace-events"));
    for (char f : "Klg$xe".toCharArray()) {
      assertTrue(flags.indexOf(f) >= 0, "flag " + f + " in " + flags);
    }
  }

  @Test
  void withConfigRefusedAndNotificationsOffUpdatesWithinTheResyncPeriod() {
    redis = LocalRedisServer.start(LocalRedisServer.Options.DEFAULT.withConfigCommandDisabled());
    mirror("");
    put("a");
    await().atMost(PATIENCE).until(() -> has("a")); // resync every 1 s
    delete("a");
    await().atMost(PATIENCE).until(() -> !has("a"));
  }

  @Test
  void skipsMalformedRecordsAndKeepsTheOthers() {
    redis = LocalRedisServer.start();
    put("good");
    putRaw("worker:broken", "{not json");
    putRaw("worker:nameless", "{\"addr\":\"grpc://h:1\"}");
    putRaw("worker:list", "[1,2,3]");
    ActorRef<RegistryMirror.Command> mirror = mirror("");
    assertTrue(has("good"));
    // after a few resyncs and a notification of a bad value, the mirror is alive and unchanged
    putRaw("worker:broken", "{still not json");
    put("later");
    await().atMost(PATIENCE).until(() -> has("later"));
    TestProbe<WorkerSnapshot> probe = testKit.createTestProbe();
    mirror.tell(new RegistryMirror.GetSnapshot(probe.getRef()));
    assertEquals(java.util.Set.of("good", "later"), probe.receiveMessage(PATIENCE).workers().keySet());
  }

  @Test
  void expiryRemovesARecord() {
    redis = LocalRedisServer.start();
    mirror(SLOW_RESYNC);
    RedisFixture.withRedis(redis, r -> r.psetex("worker:brief", 300,
        WorkerRecordCodec.toJson(Workers.worker("brief"))));
    await().atMost(PATIENCE).until(() -> has("brief"));
    await().atMost(PATIENCE).until(() -> !has("brief"));
  }

  @Test
  void subscribersGetEachChangedSnapshot() {
    redis = LocalRedisServer.start();
    ActorRef<RegistryMirror.Command> mirror = mirror(SLOW_RESYNC);
    TestProbe<WorkerSnapshot> probe = testKit.createTestProbe();
    mirror.tell(new RegistryMirror.Subscribe(probe.getRef()));
    assertTrue(probe.receiveMessage(PATIENCE).isEmpty());
    put("a");
    assertTrue(probe.receiveMessage(PATIENCE).workers().containsKey("a"));
  }

  @Test
  void recoversAfterRedisRestartsAndSeesNewRecords() {
    redis = LocalRedisServer.start();
    put("before");
    mirror("");
    assertTrue(has("before"));
    redis.restart(); // empty afterwards, notification flags reset
    put("after");
    await().atMost(PATIENCE).until(() -> has("after") && !has("before"));
    // the CONFIG SET was re-issued, so notifications drive updates again
    String flags = RedisFixture.withRedis(redis,
        r -> r.configGet("notify-keyspace-events").get("notify-keyspace-events"));
    assertTrue(flags.contains("K"), flags);
  }
}
