package io.voicegateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayHistogramTest {

  private static final String NAME = GatewayHistogram.SEND_INTERVAL;

  /** A scrape with cumulative bucket counts at 10, 20, 30 ms and +Inf. */
  private static List<PrometheusText.Sample> scrape(long le10, long le20, long le30, long inf) {
    return PrometheusText.parse("""
        # TYPE voicegw_frame_send_interval_seconds histogram
        voicegw_frame_send_interval_seconds_bucket{le="0.01"} %d
        voicegw_frame_send_interval_seconds_bucket{le="0.02"} %d
        voicegw_frame_send_interval_seconds_bucket{le="0.03"} %d
        voicegw_frame_send_interval_seconds_bucket{le="+Inf"} %d
        voicegw_frame_send_interval_seconds_count %d
        voicegw_frame_send_interval_seconds_sum 1.0
        """.formatted(le10, le20, le30, inf, inf));
  }

  @Test
  void quantilesAreOfTheDifferenceInterpolatedInTheBucket() {
    // before: 1000 intervals, all under 10 ms (a warm-up's burst); after: 100 more, of which
    // 10 under 10 ms, 80 in 10..20 ms, 10 in 20..30 ms
    GatewayHistogram.Quantiles q = GatewayHistogram.between(scrape(1000, 1000, 1000, 1000),
        scrape(1010, 1090, 1100, 1100), NAME);
    assertEquals(100, q.count());
    // rank 50: 40 of the 80 in 10..20 ms → 15 ms
    assertEquals(15.0, q.p50(), 1e-9);
    // rank 99: 9 of the 10 in 20..30 ms → 29 ms
    assertEquals(29.0, q.p99(), 1e-9);
  }

  @Test
  void aQuantileAboveTheLastFiniteBucketIsThatBucketsBound() {
    GatewayHistogram.Quantiles q =
        GatewayHistogram.between(scrape(0, 0, 0, 0), scrape(0, 0, 90, 100), NAME);
    assertEquals(30.0, q.p99(), 1e-9);
  }

  @Test
  void noNewObservationsOrNoHistogramIsEmpty() {
    assertEquals(0, GatewayHistogram.between(scrape(5, 6, 7, 8), scrape(5, 6, 7, 8), NAME).count());
    GatewayHistogram.Quantiles none = GatewayHistogram.between(List.of(),
        PrometheusText.parse("process_cpu_usage 0.5\n"), NAME);
    assertEquals(0, none.count());
    assertTrue(Double.isNaN(none.p50()));
  }
}
