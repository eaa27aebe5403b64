package io.altocumulus.rtmfp.handshake;

import java.net.InetAddress;

/**
 * Per-source-IP rate limit for session-id-0 datagrams (issue 8: handshake floods). A fixed table
 * of GCRA buckets (one {@code long} each: the bucket's theoretical arrival time), indexed by two
 * hashes of the source address: a datagram passes if either of its two buckets has credit, and
 * pays from the one with more; each bucket holds half the rate and burst, so one address gets the
 * configured rate in all. A flooding address drains its own two buckets; another address shares
 * one of them only by chance, and then keeps its other (at least half its rate). No allocation per datagram, no
 * per-source records (a spoofed source cannot grow the table), no lock: one instance per loop.
 * Time comes from the caller (nanoseconds from the endpoint's {@code Clock}).
 */
public final class HelloRateLimiter {
  private final long[] tat;
  private final int mask;
  private final long intervalNanos;
  private final long toleranceNanos;

  /**
   * @param perSecond sustained datagrams per second per source address (&gt; 0)
   * @param burst datagrams a quiet source may send at once (&ge; 1)
   * @param slots buckets, rounded up to a power of two
   */
  public HelloRateLimiter(int perSecond, int burst, int slots) {
    if (perSecond <= 0 || burst < 1 || slots < 2 || slots > (1 << 24)) {
      throw new IllegalArgumentException("rate " + perSecond + "/s, burst " + burst + ", " + slots + " slots");
    }
    int n = Integer.highestOneBit(slots - 1) << 1;
    this.tat = new long[n];
    this.mask = n - 1;
    // A source draws on two buckets, so each holds half its rate and half its burst.
    this.intervalNanos = Math.max(1L, 2_000_000_000L / perSecond);
    this.toleranceNanos = intervalNanos * (Math.max(1, burst / 2) - 1);
    // A zero TAT would be "far in the past" only if nanoTime is large; start every bucket empty of debt.
    java.util.Arrays.fill(tat, Long.MIN_VALUE / 2);
  }

  /** True if a datagram from {@code source} at {@code now} is within its rate; charges it if so. */
  public boolean tryAcquire(InetAddress source, long now) {
    // Inet4Address.hashCode is the address itself; Inet6Address hashes its bytes: no allocation.
    int h = source.hashCode();
    int a = mix(h, 0x9E3779B9) & mask;
    int b = mix(h, 0x85EBCA6B) & mask;
    if (b == a) {
      b = (a + 1) & mask;
    }
    // The bucket with more credit has the earlier theoretical arrival time.
    int s = tat[a] - tat[b] <= 0 ? a : b;
    long t = Math.max(tat[s], now);
    if (t - now > toleranceNanos + intervalNanos) {
      // Never more than that ahead while time only moves forward: the clock went back, so the
      // bucket's future is forgotten rather than refusing this source until the clock catches up.
      t = now;
    }
    if (t - now > toleranceNanos) {
      return false;
    }
    tat[s] = t + intervalNanos;
    return true;
  }

  public int slots() {
    return tat.length;
  }

  private static int mix(int h, int seed) {
    h *= seed;
    h ^= h >>> 16;
    h *= 0x7FEB352D;
    h ^= h >>> 15;
    return h;
  }
}
