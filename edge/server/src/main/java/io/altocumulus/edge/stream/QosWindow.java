package io.altocumulus.edge.stream;

/**
 * Counters over a sliding 5-second window (the QoS window of Cumulus, RTMFP-WIRE §9), kept in one
 * bucket per second. Written by one loop; read approximately from others (metrics, Lua).
 */
public final class QosWindow {
  static final int SECONDS = 5;
  private static final long SECOND = 1_000_000_000L;

  private final long[][] buckets; // [second][counter]
  private final long[] bucketSecond = new long[SECONDS];
  private final int counters;

  public QosWindow(int counters) {
    this.counters = counters;
    this.buckets = new long[SECONDS][counters];
    java.util.Arrays.fill(bucketSecond, Long.MIN_VALUE);
  }

  public void add(int counter, long amount, long nowNanos) {
    long sec = Math.floorDiv(nowNanos, SECOND);
    int i = (int) Math.floorMod(sec, SECONDS);
    if (bucketSecond[i] != sec) {
      bucketSecond[i] = sec;
      java.util.Arrays.fill(buckets[i], 0);
    }
    buckets[i][counter] += amount;
  }

  /** Sum of a counter over the last 5 s. */
  public long sum(int counter, long nowNanos) {
    long sec = Math.floorDiv(nowNanos, SECOND);
    long total = 0;
    for (int i = 0; i < SECONDS; i++) {
      if (sec - bucketSecond[i] < SECONDS && bucketSecond[i] <= sec) {
        total += buckets[i][counter];
      }
    }
    return total;
  }

  /** Per-second rate of a counter over the window. */
  public double rate(int counter, long nowNanos) {
    return sum(counter, nowNanos) / (double) SECONDS;
  }

  public int counters() {
    return counters;
  }
}
