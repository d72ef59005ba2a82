package io.voicegateway.session.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.voicegateway.registry.LocalRedisServer;
import io.voicegateway.registry.RegistrySettings;
import io.voicegateway.session.SessionEntityId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The session store's records in a real Redis: token check, epochs and fencing, expiry. */
class RedisSessionStoreTest {

  private static LocalRedisServer redis;
  private static RedisSessionStore store;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> raw;

  private static final String TOKEN_HASH = "a".repeat(64);
  private static final ResumeState STATE = new ResumeState(31, 3, 2, 5, true,
      List.of(new ResumeState.SavedUtterance("u2", "second text", 26),
          new ResumeState.SavedUtterance("u3", "third text", 0)),
      new ResumeState.WorkerSession("127.0.0.1", 7001, "ws-000000000001"));

  @BeforeAll
  static void start() {
    redis = LocalRedisServer.start(LocalRedisServer.Options.DEFAULT);
    RegistrySettings settings = RegistrySettings.fromConfig(ConfigFactory.parseString(
        "voicegw.redis.url = \"" + redis.uri() + "\"").withFallback(ConfigFactory.load()));
    store = new RedisSessionStore(settings, "voicegw:session:");
    client = RedisClient.create(redis.uri());
    raw = client.connect();
  }

  @AfterAll
  static void stop() {
    raw.close();
    client.shutdown();
    store.close();
    redis.close();
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aClaimWithTheRightTokenMovesTheSessionToTheNextEpochAndFencesTheOldOwner()
      throws Exception {
    SessionEntityId first = new SessionEntityId("ws-000000000001", "aa", 1);
    long expireAt = System.currentTimeMillis() + 60_000;
    assertTrue(get(store.create(first, TOKEN_HASH, 1_000, expireAt, STATE)));
    assertFalse(get(store.create(first, TOKEN_HASH, 1_000, expireAt, STATE)),
        "a second record with the same id is refused");

    SessionStore.Claimed claimed = assertInstanceOf(SessionStore.Claimed.class,
        get(store.claim("ws-000000000001", TOKEN_HASH, "bb")));
    assertEquals(new SessionEntityId("ws-000000000001", "bb", 2), claimed.owner());
    assertEquals(first, claimed.previousOwner());
    assertEquals(1_000, claimed.startedAtMillis());
    assertEquals(STATE, claimed.state());

    assertEquals(SessionStore.Saved.FENCED, get(store.save(first, expireAt, STATE)),
        "the old owner can no longer write");
    assertEquals(SessionStore.Saved.FENCED, get(store.delete(first)));
    ResumeState later = new ResumeState(40, 4, 3, 6, false, List.of(), null);
    assertEquals(SessionStore.Saved.SAVED, get(store.save(claimed.owner(), expireAt, later)));
    SessionStore.Claimed again = assertInstanceOf(SessionStore.Claimed.class,
        get(store.claim("ws-000000000001", TOKEN_HASH, "aa")));
    assertEquals(3, again.owner().epoch());
    assertEquals(later, again.state(), "the state the owner saved");

    Map<String, String> record = raw.sync().hgetall("voicegw:session:ws-000000000001");
    assertEquals(TOKEN_HASH, record.get("token_sha256"), "only the token's hash is kept");
    long ttl = raw.sync().pttl("voicegw:session:ws-000000000001");
    assertTrue(ttl > 50_000 && ttl <= 60_000, "expires with the session: " + ttl);

    assertEquals(SessionStore.Saved.SAVED, get(store.delete(again.owner())));
    assertNull(raw.sync().get("voicegw:session:ws-000000000001"));
  }

  @Test
  void aWrongTokenOrAnUnknownSessionIsRefusedAndChangesNothing() throws Exception {
    SessionEntityId owner = new SessionEntityId("ws-000000000002", "aa", 1);
    assertTrue(get(store.create(owner, TOKEN_HASH, 1_000,
        System.currentTimeMillis() + 60_000, STATE)));
    assertInstanceOf(SessionStore.Refused.class,
        get(store.claim("ws-000000000002", "b".repeat(64), "bb")));
    assertInstanceOf(SessionStore.Refused.class,
        get(store.claim("ws-00000000000f", TOKEN_HASH, "bb")));
    assertEquals("1", raw.sync().hget("voicegw:session:ws-000000000002", "epoch"));
    assertEquals(SessionStore.Saved.SAVED, get(store.save(owner,
        System.currentTimeMillis() + 60_000, STATE)), "the owner still owns it");
  }
}
