package io.altocumulus.tests.load;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Latency percentiles in fixed memory, for runs too long to keep every sample ({@link Percentiles}
 * does): 0.1 ms buckets below 100 ms, 1 ms buckets up to 10 s, one overflow bucket. Lock-free.
 */
public final class LatencyHistogram {
  private static final int FINE = 1000; // 0..100 ms by 0.1 ms
  private static final int COARSE = 9900; // 100..10,000 ms by 1 ms
  private final AtomicLongArray buckets = new AtomicLongArray(FINE + COARSE + 1);
  private final AtomicLong count = new AtomicLong();
  private final DoubleAdder sum = new DoubleAdder();
  private final AtomicLong maxMicros = new AtomicLong();

  public void add(double ms) {
    int i;
    if (ms < 100) {
      i = (int) Math.max(0, ms * 10);
    } else if (ms < 10_000) {
      i = FINE + (int) (ms - 100);
    } else {
      i = FINE + COARSE;
    }
    buckets.incrementAndGet(i);
    count.incrementAndGet();
    sum.add(ms);
    maxMicros.accumulateAndGet((long) (ms * 1000), Math::max);
  }

  public long count() {
    return count.get();
  }

  /** Nearest rank, as the bucket's upper bound; p in (0, 100]; NaN when empty. */
  public double percentile(double p) {
    long n = count.get();
    if (n == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * n));
    long seen = 0;
    for (int i = 0; i < buckets.length(); i++) {
      seen += buckets.get(i);
      if (seen >= rank) {
        double upper = i < FINE ? (i + 1) / 10.0 : i < FINE + COARSE ? 100 + (i - FINE) + 1 : max();
        return Math.min(upper, max());
      }
    }
    return max();
  }

  public double max() {
    return maxMicros.get() / 1000.0;
  }

  public double mean() {
    long n = count.get();
    return n == 0 ? Double.NaN : sum.sum() / n;
  }
}
