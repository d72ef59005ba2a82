package io.voicegateway.gateway.client;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them on a command line ({@code 250ms}, {@code 60s}, {@code 1.5s},
 * {@code 30m}, {@code 1h}), for {@code voicegw say} and {@code voicegw loadtest}.
 */
public final class Durations {

  private static final Pattern TEXT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");
  private static final BigDecimal WEEK_MILLIS = BigDecimal.valueOf(7L * 24 * 3_600_000);

  private Durations() {}

  /**
   * Reads a non-negative number with an optional unit {@code ms}, {@code s} (the default),
   * {@code m} or {@code h}, at most a week.
   *
   * @throws IllegalArgumentException naming the text if it is not of that form
   */
  public static Duration parse(String text) {
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
    if (millis.compareTo(WEEK_MILLIS) > 0) {
      throw new IllegalArgumentException("\"" + text + "\" is longer than a week");
    }
    return Duration.ofNanos(millis.multiply(BigDecimal.valueOf(1_000_000)).longValue());
  }

  /** The form {@link #parse} reads: {@code 250ms}, {@code 60s}, {@code 1.5s}, {@code 30m}. */
  public static String format(Duration d) {
    long millis = d.toMillis();
    if (millis < 1_000) {
      return millis + "ms";
    }
    if (millis % 60_000 == 0 && millis >= 120_000) {
      return (millis / 60_000) + "m";
    }
    return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
  }

  /** For messages: {@code 250 ms}, {@code 5 s}, {@code 1.5 s}. */
  static String describe(Duration d) {
    long millis = d.toMillis();
    if (millis < 1_000) {
      return millis + " ms";
    }
    return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + " s";
  }
}
