package io.voicegateway.loadtest;

import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.MalformedServerMessageException;
import io.voicegateway.gateway.client.ServerEvent;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One simulated user: a WebSocket session that speaks, optionally interrupts itself, waits and
 * speaks again until the run's end. It owns no thread: events arrive through
 * {@link GatewayClient#listen} on the threads of its {@code HttpClient} (one of
 * {@code --clients}, chosen by its index), timers run on the run's scheduler, and all state is
 * guarded by this object's monitor.
 *
 * <p>One utterance at a time: the next text is only sent after the previous one's
 * {@code utterance_end} (and after any PAUSE/RESUME or STOP has been answered), so first-audio
 * latency never includes queueing behind the session's own audio. A connection is replaced by a
 * new one after {@code --messages-per-session} messages, below the gateway's per-session message
 * limit; a connection that breaks is counted as an error and replaced a second later.
 */
final class SessionDriver {

  /** How long a PAUSE or STOP may wait for {@code paused}/{@code clear} before it is an error. */
  static final long CONTROL_TIMEOUT_MS = 5_000;
  /** RESUME goes this long after {@code paused} arrived. */
  static final long RESUME_AFTER_MS = 100;
  /** A barge-in happens at a frame chosen uniformly from 1 to this. */
  static final int BARGE_IN_MAX_FRAME = 20;
  static final long RECONNECT_DELAY_MS = 1_000;

  private enum Barge { NONE, PAUSE, STOP }

  private final LoadRun run;
  private final LoadStats stats;
  private final int index;

  private GatewayClient client;
  private SequenceTracker sequences = new SequenceTracker();
  private final JitterMeter jitter = new JitterMeter();
  private final PlayoutMeter playout;
  private int utteranceUnderruns;
  private int messagesSent;
  private boolean open;
  private boolean rotating;
  private boolean sessionEnded;
  private boolean done;

  private int utteranceNo;
  private boolean speaking;
  private boolean speakPending;
  private long textSentNanos;
  private int framesInUtterance;
  private Barge barge = Barge.NONE;
  private int bargeFrame;
  private Barge awaiting = Barge.NONE;
  private int controlNo;
  private long controlSentNanos;
  private long lastFrameAfterControl;
  private boolean paused;

  SessionDriver(LoadRun run, int index) {
    this.run = run;
    this.stats = run.stats();
    this.index = index;
    this.playout = new PlayoutMeter(run.options().lead().toNanos());
  }

  /** Opens the connection and starts speaking. */
  void start() {
    connect();
  }

  /** Whether the session has nothing in flight (used to drain at the end). */
  synchronized boolean idle() {
    return done || !open || (!speaking && awaiting == Barge.NONE && !paused);
  }

  /** Whether the session has finished for good. */
  synchronized boolean done() {
    return done;
  }

  private void connect() {
    GatewayClient.connect(run.http(index), run.options().connectUri()).whenComplete((c, error) -> {
      if (error != null) {
        stats.connectFailures.increment();
        stats.errorSample("session " + index + ": " + rootMessage(error));
        retryLater();
        return;
      }
      synchronized (this) {
        if (run.stopping()) {
          done = true;
          c.closeAsync();
          return;
        }
        client = c;
        sequences = new SequenceTracker();
        messagesSent = 0;
        open = true;
        rotating = false;
        sessionEnded = false;
        speaking = false;
        speakPending = false;
        awaiting = Barge.NONE;
        paused = false;
        jitter.suspend();
        playout.suspend();
      }
      stats.connects.increment();
      stats.sessionsOpen.incrementAndGet();
      c.closed().thenAccept(closed -> onClosed(c, closed));
      c.listen(e -> onEvent(c, e), m -> onMalformed(c, m));
      speak(c);
    });
  }

  private void retryLater() {
    synchronized (this) {
      if (run.stopping()) {
        done = true;
        return;
      }
    }
    run.scheduler().schedule(this::connect, RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
  }

  private void speak(GatewayClient c) {
    synchronized (this) {
      if (c != client || !open || rotating || speaking) {
        return;
      }
      if (run.stopping()) {
        finish();
        return;
      }
      if (awaiting != Barge.NONE || paused) {
        speakPending = true;
        return;
      }
      // text + at most PAUSE and RESUME must stay within the connection's budget
      if (messagesSent + 3 > run.options().messagesPerSession()) {
        rotating = true;
        stats.rotations.increment();
        c.closeAsync();
        return;
      }
      ThreadLocalRandom random = ThreadLocalRandom.current();
      utteranceNo++;
      speaking = true;
      framesInUtterance = 0;
      barge = Barge.NONE;
      if (run.options().bargeIn() > 0 && random.nextDouble() < run.options().bargeIn()) {
        barge = random.nextBoolean() ? Barge.PAUSE : Barge.STOP;
        bargeFrame = 1 + random.nextInt(BARGE_IN_MAX_FRAME);
      }
      jitter.restart();
      playout.restart();
      utteranceUnderruns = 0;
      messagesSent++;
      stats.utterancesStarted.increment();
      String text = run.options().text().replace("%d", Integer.toString(utteranceNo));
      textSentNanos = System.nanoTime();
      c.sendText(text, "s" + index + "-u" + utteranceNo);
    }
  }

  private void onEvent(GatewayClient c, ServerEvent event) {
    synchronized (this) {
      if (c != client) {
        return;
      }
      if (event instanceof ServerEvent.Audio a) {
        onAudio(c, a);
      } else if (event instanceof ServerEvent.Paused p) {
        if (awaiting == Barge.PAUSE) {
          controlAnswered(p.receivedNanos());
          paused = true;
          int no = controlNo;
          run.scheduler().schedule(() -> resume(c, no), RESUME_AFTER_MS, TimeUnit.MILLISECONDS);
        }
      } else if (event instanceof ServerEvent.Resumed) {
        paused = false;
        if (speaking) {
          jitter.restart();
        }
        settled(c);
      } else if (event instanceof ServerEvent.Clear cl) {
        if (awaiting == Barge.STOP) {
          controlAnswered(cl.receivedNanos());
          settled(c);
        }
      } else if (event instanceof ServerEvent.UtteranceEnd end) {
        onUtteranceEnd(c, end);
      } else if (event instanceof ServerEvent.Error e) {
        stats.errorEvents.increment();
        stats.errorSample("session " + index + ": error " + e.code() + ": " + e.message());
      } else if (event instanceof ServerEvent.SessionEnd end) {
        sessionEnded = true;
        if (end.reason().equals("max_messages") || end.reason().equals("max_duration")) {
          rotating = true; // the gateway's limit; a new connection follows
          stats.rotations.increment();
        } else if (!run.stopping() && !rotating) {
          stats.unexpectedSessionEnds.increment();
          stats.errorSample("session " + index + ": session_end " + end.reason());
        }
      }
      // session_start, utterance_start, worker_changed and unknown types need nothing
    }
  }

  /** Caller holds the monitor. */
  private void onAudio(GatewayClient c, ServerEvent.Audio a) {
    stats.framesSeen.increment();
    stats.framesReceived.increment();
    sequences.accept(a.sequence(), stats);
    if (awaiting != Barge.NONE) {
      lastFrameAfterControl = a.receivedNanos();
    }
    if (!speaking) {
      return;
    }
    framesInUtterance++;
    if (framesInUtterance == 1) {
      stats.firstAudio.recordNanos(a.receivedNanos() - textSentNanos);
    }
    long j = jitter.onFrame(a.receivedNanos());
    if (j >= 0) {
      stats.jitter.recordNanos(j);
    }
    PlayoutMeter.Frame p = playout.onFrame(a.receivedNanos());
    if (p != null) {
      stats.playoutFrames.increment();
      stats.lateness.recordNanos(p.latenessNanos());
      if (p.underrun()) {
        stats.underruns.increment();
        utteranceUnderruns++;
      }
    }
    if (barge != Barge.NONE && framesInUtterance == bargeFrame && awaiting == Barge.NONE
        && !paused) {
      Barge command = barge;
      barge = Barge.NONE;
      awaiting = command;
      controlNo++;
      messagesSent++;
      jitter.suspend();
      playout.suspend(); // for the rest of this utterance
      lastFrameAfterControl = 0;
      controlSentNanos = System.nanoTime();
      if (command == Barge.PAUSE) {
        stats.pauses.increment();
      } else {
        stats.stops.increment();
      }
      c.sendControl(command.name());
      int no = controlNo;
      run.scheduler().schedule(() -> controlTimeout(c, no), CONTROL_TIMEOUT_MS,
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * {@code paused} or {@code clear} arrived: barge-in latency is control sent → the last frame
   * received before the answer (0 if no frame arrived after the control was sent).
   */
  private void controlAnswered(long answerNanos) {
    long last = lastFrameAfterControl;
    stats.bargeIn.recordNanos(last == 0 ? 0 : last - controlSentNanos);
    stats.controlAck.recordNanos(answerNanos - controlSentNanos);
    awaiting = Barge.NONE;
  }

  private void onUtteranceEnd(GatewayClient c, ServerEvent.UtteranceEnd end) {
    if (!speaking) {
      return;
    }
    speaking = false;
    jitter.suspend();
    playout.suspend();
    stats.utterances.increment();
    if (utteranceUnderruns > 0) {
      stats.utterancesWithUnderrun.increment();
    }
    switch (end.reason()) {
      case "stopped" -> stats.utterancesStopped.increment();
      case "failed" -> stats.utterancesFailed.increment();
      default -> { }
    }
    long delayMs;
    if (run.options().speechRatio().isPresent()) {
      delayMs = speechRatioPauseMs(framesInUtterance, run.options().speechRatio().getAsDouble(),
          ThreadLocalRandom.current().nextDouble());
    } else if (run.options().ratePerMinute().isPresent()) {
      long intervalNanos = (long) (60e9 / run.options().ratePerMinute().getAsDouble());
      delayMs = Math.max(0,
          (textSentNanos + intervalNanos - System.nanoTime()) / 1_000_000);
    } else {
      delayMs = 500 + ThreadLocalRandom.current().nextLong(1_001);
    }
    run.scheduler().schedule(() -> speak(c), delayMs, TimeUnit.MILLISECONDS);
  }

  /**
   * The pause after an utterance of {@code frames} frames (T = frames · 20 ms) that makes a
   * session speak a share {@code ratio} of its time on average: uniform in 0..2·T·(1−R)/R, so its
   * mean is T·(1−R)/R and sessions do not fall into step. 0 when {@code ratio} is 1.
   *
   * @param uniform a random number in [0, 1)
   */
  static long speechRatioPauseMs(int frames, double ratio, double uniform) {
    double speechMs = frames * (JitterMeter.PERIOD_NANOS / 1e6);
    return Math.round(2 * uniform * speechMs * (1 - ratio) / ratio);
  }

  /** A control was answered or playback resumed: a deferred text may go now. Holds the monitor. */
  private void settled(GatewayClient c) {
    if (speakPending && awaiting == Barge.NONE && !paused) {
      speakPending = false;
      run.scheduler().execute(() -> speak(c));
    }
  }

  private void resume(GatewayClient c, int no) {
    synchronized (this) {
      if (c != client || !open || no != controlNo || !paused) {
        return;
      }
      messagesSent++;
      c.sendControl("RESUME");
    }
  }

  private void controlTimeout(GatewayClient c, int no) {
    synchronized (this) {
      if (c != client || !open || no != controlNo || awaiting == Barge.NONE) {
        return;
      }
      stats.controlTimeouts.increment();
      stats.errorSample("session " + index + ": no answer to " + awaiting + " within "
          + CONTROL_TIMEOUT_MS + " ms");
      awaiting = Barge.NONE;
      paused = false;
      settled(c);
    }
  }

  private void onMalformed(GatewayClient c, MalformedServerMessageException m) {
    synchronized (this) {
      if (c != client) {
        return;
      }
    }
    stats.malformed.increment();
    stats.errorSample("session " + index + ": malformed message: " + m.getMessage());
  }

  private void onClosed(GatewayClient c, GatewayClient.Closed closed) {
    boolean reconnectNow;
    boolean reconnectLater;
    synchronized (this) {
      if (c != client || !open) {
        return;
      }
      open = false;
      stats.sessionsOpen.decrementAndGet();
      if (done || run.stopping()) {
        done = true;
        return;
      }
      reconnectNow = rotating;
      reconnectLater = false;
      if (!rotating) {
        if (!sessionEnded) { // an unexpected session_end was counted already
          stats.connectionsLost.increment();
          stats.errorSample("session " + index + ": connection closed: " + closed.statusCode()
              + " " + closed.reason());
        }
        reconnectLater = true;
      }
    }
    if (reconnectNow) {
      connect();
    } else if (reconnectLater) {
      retryLater();
    }
  }

  /** The run is over for this session: close the connection. Holds the monitor. */
  private void finish() {
    done = true;
    if (client != null && open) {
      client.closeAsync();
    }
  }

  /** Closes the connection at the end of the run (after the drain). */
  void stop() {
    GatewayClient c;
    synchronized (this) {
      done = true;
      c = open ? client : null;
    }
    if (c != null) {
      c.closeAsync();
    }
  }

  /** Drops the connection if it did not close in time. */
  void abort() {
    GatewayClient c;
    synchronized (this) {
      c = open ? client : null;
    }
    if (c != null) {
      c.abort();
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && cause.getCause() != cause
        && !(cause instanceof io.voicegateway.gateway.client.GatewayClientException)) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
