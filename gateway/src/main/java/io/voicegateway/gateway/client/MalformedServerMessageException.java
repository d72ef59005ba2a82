package io.voicegateway.gateway.client;

import java.util.regex.Pattern;

/**
 * The server sent something that is not a valid server message: not JSON, not an object, no
 * {@code type}, a known type with a missing or ill-typed field, or a binary frame that is not an
 * audio frame. The message names the problem and quotes the start of what arrived, with any
 * {@code resume_token} value redacted.
 */
public class MalformedServerMessageException extends GatewayClientException {

  private static final long serialVersionUID = 1L;
  private static final int EXCERPT_CHARS = 200;
  private static final Pattern RESUME_TOKEN =
      Pattern.compile("(\"resume_token\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"?");

  private final String problem;
  private final String excerpt;
  private final long receivedNanos;

  /**
   * @param problem what is wrong, e.g. {@code field "sequence" of an audio message is missing}
   * @param received the message as received (text, or a description of a binary message)
   * @param receivedNanos {@link System#nanoTime()} when it arrived
   */
  public MalformedServerMessageException(String problem, String received, long receivedNanos) {
    this(problem, excerpt(received), receivedNanos, null);
  }

  private MalformedServerMessageException(
      String problem, String excerpt, long receivedNanos, Throwable cause) {
    super("malformed server message: " + problem + "; received: " + excerpt, cause);
    this.problem = problem;
    this.excerpt = excerpt;
    this.receivedNanos = receivedNanos;
  }

  /**
   * The same failure with a stack trace of the caller that met it, which is more useful than the
   * one of the thread that received the message; the original is the cause.
   */
  MalformedServerMessageException rethrownHere() {
    return new MalformedServerMessageException(problem, excerpt, receivedNanos, this);
  }

  /** What is wrong with the message. */
  public String problem() {
    return problem;
  }

  /** The start of the message as received, resume tokens redacted. */
  public String excerpt() {
    return excerpt;
  }

  /** {@link System#nanoTime()} when the message arrived. */
  public long receivedNanos() {
    return receivedNanos;
  }

  private static String excerpt(String received) {
    String redacted = RESUME_TOKEN.matcher(received).replaceAll("$1\"<redacted>\"");
    if (redacted.length() <= EXCERPT_CHARS) {
      return redacted;
    }
    int end = EXCERPT_CHARS;
    if (Character.isHighSurrogate(redacted.charAt(end - 1))) {
      end--;
    }
    return redacted.substring(0, end) + "… (" + received.length() + " chars)";
  }
}
