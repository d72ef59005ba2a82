package io.voicegateway.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scrapes the gateway's {@code /metrics} when asked (the run's ticker asks once a second), without
 * blocking: the latest sample is kept and read by the next tick. A failed scrape is counted and
 * remembered, never an error of the run.
 */
final class MetricsSampler {

  static final Duration TIMEOUT = Duration.ofSeconds(2);

  private record Timed(GatewaySample sample, long atNanos) {}

  private final HttpClient http;
  private final URI uri;
  private final AtomicReference<Timed> latest = new AtomicReference<>();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<String> lastFailure = new AtomicReference<>();

  MetricsSampler(HttpClient http, URI uri) {
    this.http = http;
    this.uri = uri;
  }

  URI uri() {
    return uri;
  }

  /** Starts one scrape. */
  void scrape() {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, error) -> {
      if (error != null) {
        fail(error.getCause() != null ? error.getCause().toString() : error.toString());
      } else if (r.statusCode() != 200) {
        fail("HTTP " + r.statusCode());
      } else {
        latest.set(new Timed(GatewaySample.parse(r.body()), System.nanoTime()));
        ok.incrementAndGet();
      }
    });
  }

  /** Scrapes once and waits; for the check at the start of a run. Returns null on failure. */
  GatewaySample scrapeNow() {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        fail("HTTP " + r.statusCode());
        return null;
      }
      return GatewaySample.parse(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      fail(e.toString());
      return null;
    }
  }

  private void fail(String why) {
    failed.incrementAndGet();
    lastFailure.set(why);
  }

  /** The latest sample if it is younger than {@code maxAgeNanos}, else null. */
  GatewaySample fresh(long maxAgeNanos) {
    Timed t = latest.get();
    return t == null || System.nanoTime() - t.atNanos() > maxAgeNanos ? null : t.sample();
  }

  long ok() {
    return ok.get();
  }

  long failed() {
    return failed.get();
  }

  String lastFailure() {
    return lastFailure.get();
  }
}
