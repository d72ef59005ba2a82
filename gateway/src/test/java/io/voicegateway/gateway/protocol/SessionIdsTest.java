package io.voicegateway.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SessionIdsTest {

  private static final Pattern EXISTING_ID = Pattern.compile("ws-[0-9a-f]{12}");

  @Test
  void sessionIdsLookLikeTheExistingSystems() {
    for (int i = 0; i < 1000; i++) {
      String id = SessionIds.newSessionId();
      assertTrue(EXISTING_ID.matcher(id).matches(), id);
    }
  }

  @Test
  void sessionIdsDoNotRepeat() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(SessionIds.newSessionId());
    }
    assertEquals(10_000, ids.size());
  }

  @Test
  void generatedSessionIdsAreValid() {
    assertTrue(SessionIds.isValidSessionId(SessionIds.newSessionId()));
  }

  @Test
  void malformedSessionIdsAreInvalid() {
    for (String id : new String[] {null, "", "ws-", "ws-0123456789a", "ws-0123456789abc",
        "ws-0123456789AB", "wx-0123456789ab", "ws_0123456789ab", "ws-0123456789ag"}) {
      assertFalse(SessionIds.isValidSessionId(id), String.valueOf(id));
    }
  }

  @Test
  void resumeTokensAreUrlSafeBase64OfThirtyTwoBytes() {
    String token = SessionIds.newResumeToken();
    assertEquals(43, token.length());
    assertTrue(token.matches("[A-Za-z0-9_-]{43}"), token);
    assertEquals(32, Base64.getUrlDecoder().decode(token).length);
  }

  @Test
  void resumeTokensDoNotRepeat() {
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      tokens.add(SessionIds.newResumeToken());
    }
    assertEquals(1000, tokens.size());
  }

  @Test
  void generatedResumeTokensAreValid() {
    assertTrue(SessionIds.isValidResumeToken(SessionIds.newResumeToken()));
  }

  @Test
  void malformedResumeTokensAreInvalid() {
    String good = SessionIds.newResumeToken();
    for (String token : new String[] {null, "", good.substring(1), good.replace(good.charAt(0),
        '+'), good + "=", "a".repeat(129)}) {
      assertFalse(SessionIds.isValidResumeToken(token), String.valueOf(token));
    }
  }

  @Test
  void resumeTokensMatchOnlyThemselves() {
    String token = SessionIds.newResumeToken();
    assertTrue(SessionIds.resumeTokensMatch(token, new String(token)));
    assertFalse(SessionIds.resumeTokensMatch(token, SessionIds.newResumeToken()));
    assertFalse(SessionIds.resumeTokensMatch(token, null));
  }
}
