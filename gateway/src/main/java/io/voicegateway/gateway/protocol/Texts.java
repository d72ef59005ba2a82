package io.voicegateway.gateway.protocol;

/** Quoting client-supplied values in error messages without echoing megabytes back. */
final class Texts {

  static final int EXCERPT_CHARS = 40;

  private Texts() {}

  static String excerpt(String value) {
    if (value.length() <= EXCERPT_CHARS) {
      return value;
    }
    int end = EXCERPT_CHARS;
    if (Character.isHighSurrogate(value.charAt(end - 1))) {
      end--;
    }
    return value.substring(0, end) + "…";
  }
}
