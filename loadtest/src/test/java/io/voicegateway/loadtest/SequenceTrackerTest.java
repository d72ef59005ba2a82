package io.voicegateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SequenceTrackerTest {

  static final class Tally implements SequenceTracker.Counts {
    long lost;
    long duplicated;
    long outOfOrder;

    @Override
    public void lost(long n) {
      lost += n;
    }

    @Override
    public void duplicated() {
      duplicated++;
    }

    @Override
    public void outOfOrder() {
      outOfOrder++;
    }
  }

  private static Tally feed(long... sequences) {
    SequenceTracker t = new SequenceTracker();
    Tally tally = new Tally();
    for (long s : sequences) {
      t.accept(s, tally);
    }
    return tally;
  }

  @Test
  void inOrderCountsNothing() {
    Tally t = feed(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertEquals(0, t.lost);
    assertEquals(0, t.duplicated);
    assertEquals(0, t.outOfOrder);
  }

  @Test
  void gapsAreLost() {
    Tally t = feed(1, 2, 5, 6, 10);
    assertEquals(2 + 3, t.lost);
    assertEquals(0, t.outOfOrder);
  }

  @Test
  void aMissingStartIsLost() {
    assertEquals(2, feed(3, 4).lost);
  }

  @Test
  void aLateFrameIsOutOfOrderAndNoLongerLost() {
    SequenceTracker tracker = new SequenceTracker();
    Tally t = new Tally();
    assertEquals(SequenceTracker.Kind.IN_ORDER, tracker.accept(1, t));
    assertEquals(SequenceTracker.Kind.AFTER_GAP, tracker.accept(3, t));
    assertEquals(1, t.lost);
    assertEquals(SequenceTracker.Kind.OUT_OF_ORDER, tracker.accept(2, t));
    assertEquals(0, t.lost);
    assertEquals(1, t.outOfOrder);
    assertEquals(SequenceTracker.Kind.IN_ORDER, tracker.accept(4, t));
    assertEquals(3 + 1, tracker.highest() + 0 * t.duplicated + 0);
  }

  @Test
  void repeatsAreDuplicates() {
    Tally t = feed(1, 2, 2, 3, 1, 3);
    assertEquals(3, t.duplicated);
    assertEquals(0, t.lost);
    assertEquals(0, t.outOfOrder);
  }

  @Test
  void aDuplicateOfALateFrameIsADuplicate() {
    Tally t = feed(1, 3, 2, 2);
    assertEquals(1, t.outOfOrder);
    assertEquals(1, t.duplicated);
    assertEquals(0, t.lost);
  }

  @Test
  void swappedPairs() {
    Tally t = feed(2, 1, 4, 3, 6, 5);
    assertEquals(0, t.lost);
    assertEquals(3, t.outOfOrder);
    assertEquals(0, t.duplicated);
  }

  @Test
  void framesOlderThanTheWindowAreOutOfOrderWithoutChangingLost() {
    Tally t = feed(1, 2, 200, 3);
    assertEquals(197, t.lost);
    assertEquals(1, t.outOfOrder);
    assertEquals(0, t.duplicated);
  }

  @Test
  void theWindowSurvivesLargeJumps() {
    SequenceTracker tracker = new SequenceTracker();
    Tally t = new Tally();
    for (long s = 1; s <= 100; s++) {
      tracker.accept(s, t);
    }
    tracker.accept(100 + SequenceTracker.WINDOW, t); // a gap of 63
    assertEquals(63, t.lost);
    tracker.accept(101, t); // late, just inside the window
    assertEquals(62, t.lost);
    assertEquals(1, t.outOfOrder);
    tracker.accept(100 + SequenceTracker.WINDOW, t);
    assertEquals(1, t.duplicated);
  }

  @Test
  void sequenceZeroIsNotValid() {
    Tally t = feed(1, 0);
    assertEquals(1, t.outOfOrder);
  }
}
