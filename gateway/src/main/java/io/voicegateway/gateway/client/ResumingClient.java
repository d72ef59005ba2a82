package io.voicegateway.gateway.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client session that survives the loss of its gateway node (docs/PROTOCOL.md, "resume"): when
 * its connection breaks, the session ends with {@code "resumable":true}, or audio stalls while
 * utterances are pending (a frozen node), it reconnects (through a load balancer, to any node),
 * sends {@code resume} with the last sequence it received and re-sends the texts the session had
 * not accepted. A frozen node is told from a slow one by WebSocket pings: while utterances are
 * pending the client pings every {@value #PING_EVERY_MILLIS} ms, and the gateway's HTTP layer
 * answers them whatever its sessions are doing. Every utterance it says is heard exactly once: frames are checked for duplicates
 * and order.
 *
 * <p>One thread runs the session ({@link #start}); the other methods may be called from any
 * thread. Texts carry their own ids ({@code id} field) so that their ends can be matched.
 */
public final class ResumingClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ResumingClient.class);
  static final long PING_EVERY_MILLIS = 250;

  /**
   * @param reconnectDelay wait before each reconnect attempt
   * @param stallTimeout neither a message nor a pong for this long while an utterance is
   *     pending: the node is taken for frozen and the connection is dropped
   * @param connectTimeout one attempt's connect, upgrade and {@code session_start}
   * @param giveUpAfter stop trying to resume after this long
   */
  public record Options(Duration reconnectDelay, Duration stallTimeout, Duration connectTimeout,
      Duration giveUpAfter) {
    public static final Options DEFAULT = new Options(Duration.ofMillis(200),
        Duration.ofMillis(2000), Duration.ofSeconds(2), Duration.ofSeconds(60));
  }

  /**
   * One resume: when the connection was found lost, when {@code session_resumed} arrived, and
   * when the first frame after it did (0 when none yet).
   *
   * @param attempts connections tried
   */
  public record Failover(long lostNanos, long resumedNanos, long firstFrameNanos, int attempts,
      String why) {}

  private record Text(String id, String text) {}

  private final HttpClient http;
  private final URI uri;
  private final Options options;
  private final List<Text> texts = new ArrayList<>();
  private final List<ServerEvent.Audio> frames = new ArrayList<>();
  private final List<ServerEvent.UtteranceEnd> ends = new ArrayList<>();
  private final List<Failover> failovers = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  private volatile GatewayClient connection;
  private String sessionId;
  private String token;
  private long lastSequence;
  private long accepted; // texts the session has (as of the last resume); the rest were sent
  private int sentOnConnection; // texts sent on the current connection (index into texts)
  private long unansweredPingNanos; // when the ping now awaiting its pong was sent, 0: none
  private volatile boolean closing;
  private volatile boolean over;
  private Thread thread;

  private ResumingClient(HttpClient http, URI uri, Options options) {
    this.http = http;
    this.uri = uri;
    this.options = options;
  }

  /** Connects, waits for {@code session_start} and starts the session's thread. */
  public static ResumingClient start(HttpClient http, URI uri, Options options)
      throws Exception {
    ResumingClient c = new ResumingClient(http, uri, options);
    c.connection = GatewayClient.connect(http, uri)
        .get(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ServerEvent.SessionStart start =
        c.connection.expect(ServerEvent.SessionStart.class, options.connectTimeout());
    c.sessionId = start.sessionId();
    c.token = start.resumeToken().orElseThrow(
        () -> new IllegalStateException("the gateway offers no resume (no resume_token)"));
    c.thread = new Thread(c::run, "resuming-client-" + c.sessionId);
    c.thread.setDaemon(true);
    c.thread.start();
    return c;
  }

  public String sessionId() {
    return sessionId;
  }

  /** Says {@code text} as utterance {@code id}; re-sent after a resume if it was not accepted. */
  public void say(String id, String text) {
    synchronized (this) {
      texts.add(new Text(id, text));
    }
    sendPending();
  }

  private void sendPending() {
    GatewayClient c = connection;
    if (c == null) return;
    synchronized (this) {
      if (connection != c) return;
      while (sentOnConnection < texts.size()) {
        Text t = texts.get(sentOnConnection++);
        c.sendText(t.text(), t.id());
      }
    }
  }

  // ---------------------------------------------------------------- the session's thread

  private void run() {
    try {
      while (!closing) {
        GatewayClient c = connection;
        ServerEvent e;
        try {
          e = c.next(Duration.ofMillis(PING_EVERY_MILLIS));
          unansweredPingNanos = 0;
        } catch (EventTimeoutException timeout) {
          checkAlive(c);
          continue;
        } catch (ConnectionClosedException closed) {
          if (closing) return;
          reconnect("connection closed");
          continue;
        }
        if (e instanceof ServerEvent.Audio a) {
          synchronized (this) {
            if (a.sequence() <= lastSequence) {
              problems.add("frame " + a.sequence() + " after " + lastSequence);
            } else if (a.sequence() != lastSequence + 1) {
              problems.add("gap: frame " + a.sequence() + " after " + lastSequence);
            }
            lastSequence = Math.max(lastSequence, a.sequence());
            frames.add(a);
            if (!failovers.isEmpty() && failovers.get(failovers.size() - 1).firstFrameNanos == 0) {
              Failover f = failovers.remove(failovers.size() - 1);
              failovers.add(new Failover(f.lostNanos(), f.resumedNanos(), a.receivedNanos(),
                  f.attempts(), f.why()));
            }
          }
        } else if (e instanceof ServerEvent.UtteranceEnd u) {
          synchronized (this) {
            ends.add(u);
          }
        } else if (e instanceof ServerEvent.SessionEnd end) {
          if (end.resumable() && !closing) {
            reconnect("session_end " + end.reason());
          } else {
            over = true;
            return;
          }
        } else if (e instanceof ServerEvent.Error err) {
          synchronized (this) {
            problems.add("error " + err.code() + ": " + err.message());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      synchronized (this) {
        problems.add("client failed: " + e);
      }
      log.warn("session {}: {}", sessionId, e.toString());
    } finally {
      over = true;
    }
  }

  /**
   * Quiet while utterances are pending: a ping, and if its pong does not come within the stall
   * timeout (nor any message), the node is gone or frozen.
   */
  private void checkAlive(GatewayClient c) throws InterruptedException {
    long now = System.nanoTime();
    if (pendingUtterances() == 0 || c.lastPongNanos() >= unansweredPingNanos) {
      unansweredPingNanos = 0;
    }
    if (pendingUtterances() == 0) return;
    if (unansweredPingNanos == 0) {
      unansweredPingNanos = now;
      c.sendPing();
    } else if (now - unansweredPingNanos > options.stallTimeout().toNanos()) {
      unansweredPingNanos = 0;
      reconnect("no message and no pong for " + options.stallTimeout().toMillis()
          + " ms with utterances pending");
    }
  }

  private void reconnect(String why) throws InterruptedException {
    long lost = System.nanoTime();
    GatewayClient old = connection;
    connection = null;
    if (old != null) old.abort();
    log.info("session {}: {}; resuming after sequence {}", sessionId, why, lastSequence);
    int attempts = 0;
    long giveUp = lost + options.giveUpAfter().toNanos();
    while (!closing && System.nanoTime() < giveUp) {
      attempts++;
      Thread.sleep(options.reconnectDelay().toMillis());
      GatewayClient c = null;
      try {
        c = GatewayClient.connect(http, uri)
            .get(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        c.expect(ServerEvent.SessionStart.class, options.connectTimeout());
        long last;
        synchronized (this) {
          last = lastSequence;
        }
        c.sendResume(sessionId, token, last);
        ServerEvent answer = c.next(options.connectTimeout());
        if (answer instanceof ServerEvent.Error err) {
          synchronized (this) {
            problems.add("resume refused: " + err.code() + " " + err.message());
          }
          c.abort();
          if ("UNAUTHORIZED".equals(err.code())) {
            closing = true;
            return;
          }
          continue;
        }
        if (!(answer instanceof ServerEvent.SessionResumed resumed)) {
          throw new IllegalStateException("expected session_resumed, got " + answer);
        }
        synchronized (this) {
          accepted = resumed.accepted();
          sentOnConnection = (int) Math.min(accepted, texts.size());
          connection = c;
          failovers.add(new Failover(lost, resumed.receivedNanos(), 0, attempts, why));
        }
        sendPending();
        log.info("session {}: resumed after {} attempt(s), {} ms", sessionId, attempts,
            (System.nanoTime() - lost) / 1_000_000);
        return;
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException
          | EventTimeoutException | ConnectionClosedException | IllegalStateException e) {
        log.debug("session {}: resume attempt {} failed: {}", sessionId, attempts, e.toString());
        if (c != null) c.abort();
      }
    }
    synchronized (this) {
      problems.add("gave up resuming after " + attempts + " attempt(s)");
    }
    closing = true;
  }

  private synchronized int pendingUtterances() {
    return texts.size() - ends.size();
  }

  // ---------------------------------------------------------------- what happened

  public synchronized List<ServerEvent.Audio> frames() {
    return List.copyOf(frames);
  }

  public synchronized List<ServerEvent.UtteranceEnd> ends() {
    return List.copyOf(ends);
  }

  public synchronized List<Failover> failovers() {
    return List.copyOf(failovers);
  }

  /** Duplicated, missing or out-of-order frames, errors, failed resumes: empty when all went well. */
  public synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  /** Whether every text said so far has ended. */
  public synchronized boolean allEnded() {
    return ends.size() >= texts.size();
  }

  /** Whether the session thread stopped (the session ended or resuming gave up). */
  public boolean over() {
    return over;
  }

  /** Closes the connection politely and stops the thread. */
  @Override
  public void close() {
    closing = true;
    GatewayClient c = connection;
    if (c != null) c.close(Duration.ofSeconds(2));
    if (thread != null) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "ResumingClient[" + Objects.toString(sessionId) + "]";
  }
}
