package io.voicegateway.gateway.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Session ids exactly like the existing system's ({@code ws-} + 12 lowercase hex digits, WIRE.md
 * §4) and resume tokens (32 random bytes, URL-safe base64 without padding: 43 characters).
 */
public final class SessionIds {

  public static final String SESSION_ID_PREFIX = "ws-";
  public static final int SESSION_ID_HEX_DIGITS = 12;
  public static final int SESSION_ID_LENGTH = SESSION_ID_PREFIX.length() + SESSION_ID_HEX_DIGITS;
  public static final int RESUME_TOKEN_BYTES = 32;
  /** Tokens we issue have 43 characters; longer ones up to this bound are accepted as well-formed. */
  public static final int RESUME_TOKEN_MAX_LENGTH = 128;
  private static final int RESUME_TOKEN_MIN_LENGTH = 43;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();
  private static final Base64.Encoder TOKEN_ENCODER = Base64.getUrlEncoder().withoutPadding();

  private SessionIds() {}

  /** A new random session id, e.g. {@code ws-3f9a0c12be47}. */
  public static String newSessionId() {
    return newSessionId(SESSION_ID_PREFIX);
  }

  /**
   * A new random session id with another prefix (LiveKit rooms' sessions: {@code lk-}), the same
   * 12 random hex digits.
   */
  public static String newSessionId(String prefix) {
    byte[] bytes = new byte[SESSION_ID_HEX_DIGITS / 2];
    RANDOM.nextBytes(bytes);
    return prefix + HEX.formatHex(bytes);
  }

  /** Whether {@code id} has the form {@code ws-} + 12 lowercase hex digits. */
  public static boolean isValidSessionId(String id) {
    if (id == null || id.length() != SESSION_ID_LENGTH || !id.startsWith(SESSION_ID_PREFIX)) {
      return false;
    }
    for (int i = SESSION_ID_PREFIX.length(); i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** A new secret resume token: 32 bytes from SecureRandom, URL-safe base64, no padding. */
  public static String newResumeToken() {
    byte[] bytes = new byte[RESUME_TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return TOKEN_ENCODER.encodeToString(bytes);
  }

  /** Whether {@code token} is well-formed: 43 to 128 characters of the URL-safe base64 alphabet. */
  public static boolean isValidResumeToken(String token) {
    if (token == null || token.length() < RESUME_TOKEN_MIN_LENGTH
        || token.length() > RESUME_TOKEN_MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * The SHA-256 of a resume token in lowercase hex: what the session store keeps instead of the
   * token itself.
   */
  public static String resumeTokenSha256(String token) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Compares a presented token with the expected one in time independent of where they differ. */
  public static boolean resumeTokensMatch(String expected, String presented) {
    if (expected == null || presented == null) {
      return false;
    }
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        presented.getBytes(StandardCharsets.US_ASCII));
  }
}
