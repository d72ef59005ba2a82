package io.voicegateway.gateway.bench;

import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * First audio of a fresh gateway's first utterances (docs/BENCHMARKS.md, "No cold first
 * utterance"). Each utterance is a new user: a new WebSocket session that speaks one text and
 * closes, one after another. First audio is from the text sent to its first audio frame
 * received, as {@code voicegw say} reports it.
 *
 * <p>The client's own JVM must be warm too, or its first receive path is measured with the
 * gateway's: {@code --warm-url} names a gateway that has been running (the same worker behind
 * it) for {@code --warmup} utterances before any is measured.
 *
 * <p>Usage: {@code ColdStartBench --url ws://HOST:PORT/ [--warm-url ws://HOST:PORT/] [--warmup
 * 200] [--before COMMAND] [--utterances 10] [--label TEXT]}; {@code --before} runs a shell command
 * after the client's warm-up and before the first measured utterance (it starts the fresh gateway
 * or worker and waits until it is ready: loadtest/bench/cold-start.sh). One tab-separated line per
 * measured utterance: label, index, connect → {@code session_start} ms, first audio ms.
 */
public final class ColdStartBench {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  public static void main(String[] args) throws Exception {
    URI url = null;
    URI warmUrl = null;
    int warmup = 200;
    int utterances = 10;
    String label = "cold";
    String before = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--url" -> url = URI.create(args[++i]);
        case "--warm-url" -> warmUrl = URI.create(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--utterances" -> utterances = Integer.parseInt(args[++i]);
        case "--label" -> label = args[++i];
        case "--before" -> before = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (url == null) throw new IllegalArgumentException("--url is required");
    HttpClient http = HttpClient.newHttpClient();
    if (warmUrl != null) {
      for (int k = 0; k < warmup; k++) {
        utterance(http, warmUrl, "Warm up " + k + ".");
      }
    }
    if (before != null) {
      Process p = new ProcessBuilder("bash", "-c", before).inheritIO().start();
      if (p.waitFor() != 0) throw new IllegalStateException("--before failed: " + before);
    }
    List<double[]> results = new ArrayList<>();
    for (int k = 0; k < utterances; k++) {
      double[] r = utterance(http, url, "Cold start utterance " + k + ".");
      results.add(r);
      System.out.printf(Locale.ROOT, "%s\t%d\t%.1f\t%.1f%n", label, k, r[0], r[1]);
    }
  }

  /** One new session speaking one text: {connect → session_start ms, text → first audio ms}. */
  private static double[] utterance(HttpClient http, URI url, String text) throws Exception {
    long connecting = System.nanoTime();
    try (GatewayClient client = GatewayClient.connect(http, url).get()) {
      ServerEvent.SessionStart start = client.expect(ServerEvent.SessionStart.class, TIMEOUT);
      double connectMs = (start.receivedNanos() - connecting) / 1e6;
      GatewayClient.Sent sent = client.sendText(text).get();
      ServerEvent event;
      do {
        event = client.next(TIMEOUT); // utterance_start comes first
        if (event instanceof ServerEvent.Error error) {
          throw new IllegalStateException("the gateway answered " + error);
        }
      } while (!(event instanceof ServerEvent.Audio));
      double firstAudioMs = (((ServerEvent.Audio) event).receivedNanos() - sent.startedNanos()) / 1e6;
      client.collectUntil(ServerEvent.UtteranceEnd.class, TIMEOUT);
      return new double[] {connectMs, firstAudioMs};
    }
  }
}
