package io.voicegateway.audio.vad;

import static io.voicegateway.audio.vad.SileroModel.WINDOW_SAMPLES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The batched runner gives every stream exactly the probabilities a stream of its own gives
 * ({@link SileroVad}), in order, however its windows were batched with other streams'.
 */
class VadRunnerTest {

  private static short[] speech;

  @BeforeAll
  static void speak() {
    speech = Espeak.speak16k("Hello there. Can you hear me now? I think the line is clear.");
  }

  /** What one stream hears, and a latch for the count it expects. */
  private static final class Collector implements VadRunner.Listener {
    final List<Float> probabilities = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final CountDownLatch done;

    Collector(int expected) {
      done = new CountDownLatch(expected);
    }

    @Override
    public void evaluated(float probability) {
      probabilities.add(probability);
      done.countDown();
    }

    @Override
    public void failed(String reason) {
      failures.add(reason);
      done.countDown();
    }

    float[] array() {
      float[] a = new float[probabilities.size()];
      for (int i = 0; i < a.length; i++) a[i] = probabilities.get(i);
      return a;
    }
  }

  /** Each stream its own audio: speech shifted by a different amount, or noise, or silence. */
  private static short[] audioOf(int stream) {
    short[] x = new short[speech.length + 4000];
    switch (stream % 3) {
      case 0 -> System.arraycopy(speech, 0, x, stream * 97 % 4000, speech.length);
      case 1 -> {
        Random random = new Random(stream);
        for (int i = 0; i < x.length; i++) x[i] = (short) Math.round(random.nextGaussian() * 2000);
      }
      default -> { } // silence
    }
    return x;
  }

  private static void assertSameAsAlone(short[] audio, float[] batched) {
    float[] alone = new SileroVad(SileroModel.shared()).accept(audio, 0, audio.length);
    assertEquals(alone.length, batched.length, "windows");
    for (int w = 0; w < alone.length; w++) {
      // a batched run may sum in another order than a run of one: equal to float rounding
      assertEquals(alone[w], batched[w], 1e-4f, "window " + w);
    }
  }

  /** A one-lane runner, not started yet, that records its largest batch. */
  private static VadRunner unstarted(int maxBatch, AtomicInteger largestBatch) {
    return new VadRunner(SileroModel.shared(), 1, maxBatch, Duration.ZERO,
        (windows, cpu) -> largestBatch.accumulateAndGet(windows, Math::max), false);
  }

  /**
   * Eight streams queue all their windows before the lane starts, so every run takes one window
   * of each stream (a batch of 8): the state of each stream must be carried apart from the
   * others', and each stream's windows evaluated in order.
   */
  @Test
  void batchedStreamsHearWhatTheyWouldHearAlone() throws InterruptedException {
    int streams = 8;
    AtomicInteger largestBatch = new AtomicInteger();
    VadRunner runner = unstarted(32, largestBatch);
    try {
      List<Collector> collectors = new ArrayList<>();
      List<short[]> audio = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        short[] x = audioOf(s);
        Collector c = new Collector(x.length / WINDOW_SAMPLES);
        VadRunner.Stream stream = runner.open(c);
        // in uneven pieces (20 ms at 16 kHz and odd remainders), as a session feeds it
        for (int at = 0; at < x.length; at += 320 + s) {
          stream.accept(x, at, Math.min(320 + s, x.length - at));
        }
        collectors.add(c);
        audio.add(x);
      }
      runner.start();
      for (Collector c : collectors) {
        assertTrue(c.done.await(60, TimeUnit.SECONDS), "windows evaluated: " + c.probabilities.size());
      }
      for (int s = 0; s < streams; s++) {
        assertTrue(collectors.get(s).failures.isEmpty(), collectors.get(s).failures.toString());
        assertSameAsAlone(audio.get(s), collectors.get(s).array());
      }
      int windowsPerStream = audio.get(0).length / WINDOW_SAMPLES;
      assertEquals((long) streams * windowsPerStream, runner.windows());
      assertEquals(windowsPerStream, runner.runs(), "one run per window of a stream: batches of 8");
      assertEquals(streams, largestBatch.get());
      assertTrue(runner.cpuNanos() > 0);
    } finally {
      runner.close();
    }
  }

  /** A batch never holds more than max-batch windows; the rest wait for the next run, in order. */
  @Test
  void batchesAreCappedAtMaxBatch() throws InterruptedException {
    AtomicInteger largestBatch = new AtomicInteger();
    VadRunner runner = unstarted(3, largestBatch);
    try {
      List<Collector> collectors = new ArrayList<>();
      List<short[]> audio = new ArrayList<>();
      for (int s = 0; s < 5; s++) {
        short[] x = audioOf(s);
        Collector c = new Collector(x.length / WINDOW_SAMPLES);
        runner.open(c).accept(x, 0, x.length);
        collectors.add(c);
        audio.add(x);
      }
      runner.start();
      for (int s = 0; s < 5; s++) {
        assertTrue(collectors.get(s).done.await(60, TimeUnit.SECONDS));
        assertSameAsAlone(audio.get(s), collectors.get(s).array());
      }
      assertEquals(3, largestBatch.get());
    } finally {
      runner.close();
    }
  }

  /** Streams on several lanes, fed concurrently from several threads while the lanes run. */
  @Test
  void concurrentStreamsOnTwoLanes() throws Exception {
    VadRunner runner = new VadRunner(SileroModel.shared(), 2, 32, Duration.ofMillis(5), null);
    try {
      int streams = 6;
      List<Thread> feeders = new ArrayList<>();
      List<Collector> collectors = new ArrayList<>();
      List<short[]> audio = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        short[] x = audioOf(s);
        Collector c = new Collector(x.length / WINDOW_SAMPLES);
        VadRunner.Stream stream = runner.open(c);
        collectors.add(c);
        audio.add(x);
        feeders.add(new Thread(() -> {
          for (int at = 0; at < x.length; at += 960) stream.accept(x, at, Math.min(960, x.length - at));
        }));
      }
      feeders.forEach(Thread::start);
      for (Thread t : feeders) t.join();
      for (int s = 0; s < streams; s++) {
        assertTrue(collectors.get(s).done.await(60, TimeUnit.SECONDS));
        assertSameAsAlone(audio.get(s), collectors.get(s).array());
      }
    } finally {
      runner.close();
    }
  }

  /** A closed stream's queued windows are dropped: its listener hears nothing. */
  @Test
  void aClosedStreamHearsNothingMore() throws InterruptedException {
    VadRunner runner = new VadRunner(SileroModel.shared(), 1, 32, Duration.ZERO, null, false);
    try {
      Collector closed = new Collector(0);
      VadRunner.Stream stream = runner.open(closed);
      stream.accept(speech, 0, speech.length);
      stream.close();
      stream.accept(speech, 0, speech.length);
      short[] x = audioOf(1);
      Collector open = new Collector(x.length / WINDOW_SAMPLES);
      runner.open(open).accept(x, 0, x.length);
      runner.start();
      assertTrue(open.done.await(60, TimeUnit.SECONDS));
      assertTrue(closed.probabilities.isEmpty(), closed.probabilities.size() + " windows heard");
      assertEquals(x.length / WINDOW_SAMPLES, runner.windows());
    } finally {
      runner.close();
    }
  }

  @Test
  void settingsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new VadRunner(SileroModel.shared(), 0, 32, Duration.ZERO, null));
    assertThrows(IllegalArgumentException.class, () -> new VadRunner(SileroModel.shared(), 1, 0, Duration.ZERO, null));
  }
}
