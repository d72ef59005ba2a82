package io.voicegateway.gateway.protocol;

import java.util.Optional;

/**
 * Joins texts sent with {@code is_final: false} with the ones that follow, up to the final one,
 * which then makes one utterance (WIRE.md §4), within {@code max-text-length} for the whole.
 * One per session; not thread-safe (a connector's actor owns it).
 */
public final class TextAssembler {

  /** What a text leads to: an utterance to speak, nothing yet, or a refusal. */
  public sealed interface Result permits Utterance, Held, TooLong {}

  public record Utterance(Optional<String> id, String text) implements Result {}

  public record Held() implements Result {}

  /** Everything held so far was dropped, with this one. */
  public record TooLong(String message) implements Result {}

  private static final Held HELD = new Held();

  private final int maxLength;
  private final StringBuilder pending = new StringBuilder();
  private int pendingCodePoints;

  public TextAssembler(int maxLength) {
    this.maxLength = maxLength;
  }

  public Result add(ClientMessage.Text text) {
    int codePoints = text.text().codePointCount(0, text.text().length());
    if (pendingCodePoints + codePoints > maxLength) {
      String message = "text too long: the non-final texts held so far plus this one have "
          + (pendingCodePoints + codePoints) + " characters, the limit is " + maxLength
          + " (voicegw.gateway.protocol.max-text-length); all of them were dropped";
      pending.setLength(0);
      pendingCodePoints = 0;
      return new TooLong(message);
    }
    pending.append(text.text());
    pendingCodePoints += codePoints;
    if (!text.isFinal()) return HELD;
    String whole = pending.toString();
    pending.setLength(0);
    pendingCodePoints = 0;
    return new Utterance(text.id(), whole);
  }
}
