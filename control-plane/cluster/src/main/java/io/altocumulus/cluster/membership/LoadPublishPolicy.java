package io.altocumulus.cluster.membership;

import io.altocumulus.proto.cluster.v1.LoadSnapshot;

/**
 * When a node's load snapshot is worth a ZooKeeper write: at most once per {@code minIntervalMs},
 * and then only if it changed meaningfully, or if anything changed and {@code maxIntervalMs}
 * passed. Every write goes to the ZooKeeper leader and to every watcher of the cluster, so with
 * 200 nodes an unbounded rate would make ZooKeeper the bottleneck. Pure: the caller gives the time.
 */
public final class LoadPublishPolicy {
  private final long minIntervalMs;
  private final long maxIntervalMs;

  public LoadPublishPolicy(long minIntervalMs, long maxIntervalMs) {
    if (minIntervalMs < 0 || maxIntervalMs < minIntervalMs) {
      throw new IllegalArgumentException("need 0 <= min <= max, got " + minIntervalMs + ", " + maxIntervalMs);
    }
    this.minIntervalMs = minIntervalMs;
    this.maxIntervalMs = maxIntervalMs;
  }

  /** Whether {@code current} should be written now, given what was written at {@code publishedAtMs}. */
  public boolean shouldPublish(long nowMs, LoadSnapshot published, long publishedAtMs, LoadSnapshot current) {
    long age = nowMs - publishedAtMs;
    if (age < minIntervalMs) {
      return false;
    }
    if (meaningfulChange(published, current)) {
      return true;
    }
    return age >= maxIntervalMs && !sameLoad(published, current);
  }

  /**
   * A change another node's redirect policy would act on: sessions by 5 % (at least 10), CPU by
   * 5 points, handshake rate by 20 % (at least 10/s), relay rate by 20 %.
   */
  public static boolean meaningfulChange(LoadSnapshot a, LoadSnapshot b) {
    return differs(a.getSessions(), b.getSessions(), 0.05, 10)
        || Math.abs(a.getCpu() - b.getCpu()) >= 0.05f
        || differs(a.getHandshakesPerSecond(), b.getHandshakesPerSecond(), 0.20, 10)
        || differs(a.getRelayBytesPerSecond(), b.getRelayBytesPerSecond(), 0.20, 64 * 1024);
  }

  private static boolean differs(long a, long b, double fraction, long floor) {
    long threshold = Math.max(floor, (long) (Math.max(a, b) * fraction));
    return Math.abs(a - b) >= threshold;
  }

  private static boolean sameLoad(LoadSnapshot a, LoadSnapshot b) {
    return a.getSessions() == b.getSessions()
        && a.getCpu() == b.getCpu()
        && a.getHandshakesPerSecond() == b.getHandshakesPerSecond()
        && a.getRelayBytesPerSecond() == b.getRelayBytesPerSecond();
  }
}
