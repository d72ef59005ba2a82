package io.voicegateway.loadtest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Quantiles of one of the gateway's Prometheus histograms over part of a run: the difference of
 * its cumulative {@code NAME_bucket{le="…"}} counts between two scrapes, interpolated linearly
 * within a bucket as PromQL's {@code histogram_quantile} does. So the result is only as fine as
 * the gateway's buckets (Micrometer's percentile histogram: about one bucket per 25 % of value).
 */
final class GatewayHistogram {

  /** The gateway's send-interval histogram (seconds between consecutive frames to a client). */
  static final String SEND_INTERVAL = "voicegw_frame_send_interval_seconds";

  /** Count and quantiles in milliseconds; NaN where the interval had no observation. */
  record Quantiles(long count, double p50, double p99) {
    static final Quantiles EMPTY = new Quantiles(0, Double.NaN, Double.NaN);
  }

  private GatewayHistogram() {}

  /** The quantiles of {@code name} between the {@code before} and {@code after} scrapes. */
  static Quantiles between(List<PrometheusText.Sample> before, List<PrometheusText.Sample> after,
      String name) {
    TreeMap<Double, Double> start = buckets(before, name);
    TreeMap<Double, Double> end = buckets(after, name);
    TreeMap<Double, Double> delta = new TreeMap<>();
    for (Map.Entry<Double, Double> e : end.entrySet()) {
      delta.put(e.getKey(), e.getValue() - start.getOrDefault(e.getKey(), 0.0));
    }
    Double total = delta.get(Double.POSITIVE_INFINITY);
    if (total == null || total <= 0) {
      return Quantiles.EMPTY;
    }
    return new Quantiles(Math.round(total), quantile(delta, total, 0.5) * 1e3,
        quantile(delta, total, 0.99) * 1e3);
  }

  /** Cumulative counts by upper bound, summed over any other labels. */
  private static TreeMap<Double, Double> buckets(List<PrometheusText.Sample> samples, String name) {
    TreeMap<Double, Double> out = new TreeMap<>();
    String bucket = name + "_bucket";
    for (PrometheusText.Sample s : samples) {
      String le = s.labels().get("le");
      if (!s.name().equals(bucket) || le == null) {
        continue;
      }
      try {
        double bound = PrometheusText.parseValue(le);
        if (!Double.isNaN(bound)) {
          out.merge(bound, s.value(), Double::sum);
        }
      } catch (NumberFormatException e) {
        // not a bound: skip the line, as PrometheusText skips what it cannot read
      }
    }
    return out;
  }

  /** histogram_quantile over cumulative counts (ascending bounds, the last +Inf). */
  private static double quantile(TreeMap<Double, Double> cumulative, double total, double q) {
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      double bound = e.getKey();
      double count = e.getValue();
      if (count >= rank) {
        if (Double.isInfinite(bound)) {
          return lowerBound; // above the highest finite bucket: its bound is all one can say
        }
        return count == lowerCount ? bound
            : lowerBound + (bound - lowerBound) * (rank - lowerCount) / (count - lowerCount);
      }
      lowerBound = bound;
      lowerCount = count;
    }
    return lowerBound;
  }
}
