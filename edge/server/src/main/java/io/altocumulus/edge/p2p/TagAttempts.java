package io.altocumulus.edge.p2p;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * How many IHellos carried a tag (RTMFP-WIRE §4.1 "attempt", §6.3 "n"): a direct-mapped table of
 * fixed size shared by all loops, so the state an unproven source can create is bounded by
 * construction; a colliding tag replaces the older entry, records expire after 120 s as in the
 * reference. Lock-free: a lost race only miscounts one retry.
 */
public final class TagAttempts {
  private static final class Entry {
    final byte[] tag;
    final long firstSeen;
    volatile int count;

    Entry(byte[] tag, long firstSeen) {
      this.tag = tag;
      this.firstSeen = firstSeen;
    }
  }

  private final AtomicReferenceArray<Entry> slots;
  private final int mask;
  private final long lifetimeNanos;

  /** @param capacity rounded up to a power of two */
  public TagAttempts(int capacity, long lifetimeNanos) {
    int n = Integer.highestOneBit(Math.max(16, capacity - 1)) << 1;
    this.slots = new AtomicReferenceArray<>(n);
    this.mask = n - 1;
    this.lifetimeNanos = lifetimeNanos;
  }

  /** Counts one more IHello with {@code tag}: 1 the first time. */
  public int seen(byte[] tag, long now) {
    int h = Arrays.hashCode(tag);
    int i = (h ^ (h >>> 16)) & mask;
    Entry e = slots.get(i);
    if (e != null && now - e.firstSeen < lifetimeNanos && Arrays.equals(e.tag, tag)) {
      return ++e.count;
    }
    Entry fresh = new Entry(tag.clone(), now);
    fresh.count = 1;
    slots.set(i, fresh);
    return 1;
  }

  public int capacity() {
    return mask + 1;
  }
}
