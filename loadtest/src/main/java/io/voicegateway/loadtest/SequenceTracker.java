package io.voicegateway.loadtest;

/**
 * Checks the audio {@code sequence} numbers of one connection (1, 2, 3… across utterances,
 * PROTOCOL.md) and counts what is wrong with them. Small on purpose: two longs per session.
 *
 * <p>A frame above the highest seen so far counts the numbers skipped as lost. A frame at or below
 * it is a duplicate if that number was already received, otherwise it is out of order and no
 * longer lost (it arrived late). The last {@value #WINDOW} numbers below the highest are
 * remembered; a frame older than that counts as out of order without changing the lost count
 * (whether it is a duplicate cannot be told), as does a sequence below 1.
 */
final class SequenceTracker {

  /** How far below the highest sequence a duplicate can be told from a late frame. */
  static final int WINDOW = 64;

  /** Where the counts go. */
  interface Counts {
    /** {@code n} frames found missing, or (negative) found after all. */
    void lost(long n);

    void duplicated();

    void outOfOrder();
  }

  /** What one frame was. */
  enum Kind { IN_ORDER, AFTER_GAP, DUPLICATE, OUT_OF_ORDER }

  private long highest; // 0: nothing received yet
  private long seen;    // bit i set: sequence (highest - i) was received

  /** Records one frame's sequence number. */
  Kind accept(long sequence, Counts counts) {
    if (sequence > highest) {
      long gap = sequence - highest - 1;
      long shift = sequence - highest;
      seen = shift >= WINDOW ? 0 : seen << shift;
      seen |= 1;
      highest = sequence;
      if (gap > 0) {
        counts.lost(gap);
        return Kind.AFTER_GAP;
      }
      return Kind.IN_ORDER;
    }
    long back = highest - sequence;
    if (sequence < 1 || back >= WINDOW) {
      counts.outOfOrder();
      return Kind.OUT_OF_ORDER;
    }
    long bit = 1L << back;
    if ((seen & bit) != 0) {
      counts.duplicated();
      return Kind.DUPLICATE;
    }
    seen |= bit;
    counts.outOfOrder();
    counts.lost(-1);
    return Kind.OUT_OF_ORDER;
  }

  /** The highest sequence received, 0 if none. */
  long highest() {
    return highest;
  }
}
