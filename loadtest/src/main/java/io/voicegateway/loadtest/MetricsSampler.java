package io.voicegateway.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scrapes the gateway's {@code /metrics} when asked (the run's ticker asks once a second), without
 * blocking: the latest sample is kept and read by the next tick. A failed scrape is counted and
 * remembered, never an error of the run.
 */
final class MetricsSampler {

  static final Duration TIMEOUT = Duration.ofSeconds(2);

  private record Timed(List<PrometheusText.Sample> samples, GatewaySample sample, long atNanos) {}

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
        List<PrometheusText.Sample> samples = PrometheusText.parse(r.body());
        latest.set(new Timed(samples, GatewaySample.from(samples), System.nanoTime()));
        ok.incrementAndGet();
      }
    });
  }

  /** Scrapes once and waits; every sample, or null on failure. */
  List<PrometheusText.Sample> scrapeSamplesNow() {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        fail("HTTP " + r.statusCode());
        return null;
      }
      return PrometheusText.parse(r.body());
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

  /** The samples of the latest scrape that succeeded, null if none did. */
  List<PrometheusText.Sample> latestSamples() {
    Timed t = latest.get();
    return t == null ? null : t.samples();
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
