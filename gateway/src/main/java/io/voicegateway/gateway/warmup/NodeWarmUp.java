package io.voicegateway.gateway.warmup;

import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fresh node's first sessions, run by the node itself before it reports ready
 * (docs/BENCHMARKS.md, "No cold first utterance"). A new node's first real utterance took about
 * a second to first audio, against 30 ms for later ones: the gRPC channel to the worker, the
 * session's actors, the codecs and the WebSocket stages all loading and compiling on its path.
 * So the node connects to its own WebSocket port over loopback, as a client would, and runs
 * {@link WarmUpSettings#utterances()} sessions through the whole path: {@code session_start},
 * one text spoken by a real registered worker (JSON and binary audio in turn), and the user's
 * audio (silence at 16 kHz, through the VAD) before the text. Readiness ({@code /readiness}, the
 * management {@code /ready}) stays false until it is over, or until its timeout.
 *
 * <p>The warm-up sessions are ordinary sessions: they count in the node's metrics and use a
 * worker for a few seconds of audio. Without a worker within {@link WarmUpSettings#workerWait()}
 * they connect, listen and close without speaking.
 */
public final class NodeWarmUp {

  private static final Logger log = LoggerFactory.getLogger(NodeWarmUp.class);
  private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(15);
  /** 20 ms of silence at 16 kHz in the gateway's binary audio framing (WIRE/PROTOCOL). */
  private static final int INPUT_RATE = 16_000;
  private static final int AUDIO_FRAMES = 25; // half a second: 15 VAD windows

  /** Where the warm-up stands, for readiness. */
  public record Status(boolean done, String detail) {}

  private final WarmUpSettings settings;
  private final URI uri;
  private final IntSupplier healthyWorkers;
  private final AtomicInteger spoken = new AtomicInteger();
  private volatile Status status;

  /**
   * @param uri the node's own WebSocket endpoint, on loopback
   * @param healthyWorkers workers the node could select now
   */
  public NodeWarmUp(WarmUpSettings settings, URI uri, IntSupplier healthyWorkers) {
    this.settings = settings;
    this.uri = uri;
    this.healthyWorkers = healthyWorkers;
    this.status = settings.utterances() == 0 ? new Status(true, "warm-up off")
        : new Status(false, "warming up: waiting for the node to be Up");
  }

  public Status status() {
    return status;
  }

  /** Runs the warm-up on a thread of its own; {@link #status()} is done when it ends. */
  public void start() {
    if (status.done()) return;
    Thread thread = new Thread(this::run, "voicegw-warm-up");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    long started = System.nanoTime();
    long deadline = started + settings.timeout().toNanos();
    try {
      boolean speak = awaitWorker(Math.min(deadline, started + settings.workerWait().toNanos()));
      int n = settings.utterances();
      status = new Status(false, "warming up: " + n + " loopback sessions"
          + (speak ? "" : " (no worker: without speech)"));
      HttpClient http = HttpClient.newHttpClient();
      ExecutorService pool = Executors.newFixedThreadPool(settings.concurrency(), r -> {
        Thread t = new Thread(r, "voicegw-warm-up-session");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<?>> sessions = new ArrayList<>();
        for (int k = 0; k < n; k++) {
          int i = k;
          sessions.add(pool.submit(() -> {
            session(http, i, speak);
            return null;
          }));
        }
        for (Future<?> s : sessions) {
          s.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      log.info("warm-up done: {} loopback sessions, {} utterances spoken, in {} ms", n,
          spoken.get(), (System.nanoTime() - started) / 1_000_000);
      status = new Status(true, "warm: " + n + " sessions, " + spoken.get() + " utterances");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = new Status(true, "warm-up interrupted");
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.warn("warm-up did not complete ({}): ready regardless, the first sessions may be slow",
          cause.toString());
      status = new Status(true, "warm-up incomplete: " + cause.getMessage());
    }
  }

  private boolean awaitWorker(long until) throws InterruptedException {
    while (healthyWorkers.getAsInt() == 0) {
      if (System.nanoTime() >= until) return false;
      status = new Status(false, "warming up: waiting for a worker");
      Thread.sleep(100); // polls the node's own registry mirror; no event to wait on here
    }
    return true;
  }

  /** One loopback session: the user's audio, then (with a worker) one utterance to its end. */
  private void session(HttpClient http, int k, boolean speak) throws Exception {
    String query = (k % 2 == 0 ? "?audio=binary&" : "?") + "input_rate=" + INPUT_RATE;
    try (GatewayClient client = GatewayClient.connect(http, uri.resolve("/" + query))
        .get(EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      client.expect(ServerEvent.SessionStart.class, EVENT_TIMEOUT);
      byte[] frame = new byte[8 + INPUT_RATE / 50 * 2]; // sequence header, 20 ms of silence
      for (int f = 0; f < AUDIO_FRAMES; f++) {
        for (int b = 0; b < 8; b++) frame[7 - b] = (byte) (f >>> (8 * b));
        client.sendBinary(frame).get(EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      if (!speak) return;
      client.sendText("Warming up, " + k + ".");
      List<ServerEvent> events = client.collectUntil(ServerEvent.UtteranceEnd.class, EVENT_TIMEOUT);
      ServerEvent last = events.get(events.size() - 1);
      if (last instanceof ServerEvent.UtteranceEnd end && end.frames() > 0) spoken.incrementAndGet();
    }
  }
}
