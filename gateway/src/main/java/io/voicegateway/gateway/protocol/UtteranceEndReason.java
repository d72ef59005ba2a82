package io.voicegateway.gateway.protocol;

/** The {@code reason} of an {@code utterance_end} event. */
public enum UtteranceEndReason {
  /** Every frame of the utterance was sent. */
  COMPLETED("completed"),
  /** A STOP ended it early; no frame of it follows the event. */
  STOPPED("stopped"),
  /** Synthesis failed and could not be completed on another worker. */
  FAILED("failed"),
  /** The user spoke over it and kept talking (automatic barge-in); no frame of it follows. */
  INTERRUPTED("interrupted");

  private final String wireName;

  UtteranceEndReason(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The constant with this wire name; an unknown name maps to {@link #FAILED}. */
  public static UtteranceEndReason fromWireName(String wireName) {
    for (UtteranceEndReason r : values()) {
      if (r.wireName.equals(wireName)) return r;
    }
    return FAILED;
  }
}
