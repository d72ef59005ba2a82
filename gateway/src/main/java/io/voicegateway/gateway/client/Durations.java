package io.voicegateway.gateway.client;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: {@code 250ms}, {@code 5s}, {@code 1.5s}, {@code 2m}. */
final class Durations {

  private static final Pattern TEXT = Pattern.compile("(\\d+)(ms|s|m)?");

  private Durations() {}

  /** {@code 250 ms}, {@code 5 s}, {@code 1.5 s}. */
  static String describe(Duration d) {
    long millis = d.toMillis();
    if (millis < 1_000) {
      return millis + " ms";
    }
    return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + " s";
  }

  /**
   * Reads a whole number with an optional unit {@code ms}, {@code s} (the default) or {@code m}.
   *
   * @throws IllegalArgumentException if the text is not of that form or the number is too large
   */
  static Duration parse(String text) {
    Matcher m = TEXT.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a duration such as 500ms, 60s or 2m");
    }
    try {
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofSeconds(amount);
      };
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\" is too long a duration", e);
    }
  }
}
