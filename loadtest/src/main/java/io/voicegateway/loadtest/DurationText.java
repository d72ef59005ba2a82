package io.voicegateway.loadtest;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them on a command line: {@code 500ms}, {@code 60s}, {@code 1.5s}, {@code 30m}, {@code 1h}. */
final class DurationText {

  private static final Pattern TEXT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

  private DurationText() {}

  /**
   * Reads a non-negative number with an optional unit {@code ms}, {@code s} (the default),
   * {@code m} or {@code h}.
   *
   * @throws IllegalArgumentException naming the text if it is not of that form
   */
  static Duration parse(String text) {
    Matcher m = TEXT.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a duration such as 500ms, 60s, 30m or 1h");
    }
    BigDecimal amount = new BigDecimal(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    BigDecimal millis = switch (unit) {
      case "ms" -> amount;
      case "m" -> amount.multiply(BigDecimal.valueOf(60_000));
      case "h" -> amount.multiply(BigDecimal.valueOf(3_600_000));
      default -> amount.multiply(BigDecimal.valueOf(1_000));
    };
    if (millis.compareTo(BigDecimal.valueOf(7L * 24 * 3_600_000)) > 0) {
      throw new IllegalArgumentException("\"" + text + "\" is longer than a week");
    }
    return Duration.ofNanos(millis.multiply(BigDecimal.valueOf(1_000_000)).longValue());
  }

  /** {@code 250ms}, {@code 60s}, {@code 1.5s}, {@code 30m}. */
  static String format(Duration d) {
    long millis = d.toMillis();
    if (millis < 1_000) {
      return millis + "ms";
    }
    if (millis % 60_000 == 0 && millis >= 120_000) {
      return (millis / 60_000) + "m";
    }
    return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
  }
}
