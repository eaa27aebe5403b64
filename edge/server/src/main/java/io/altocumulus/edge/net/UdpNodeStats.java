package io.altocumulus.edge.net;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of a {@link UdpNode}, for metrics. Each loop writes only its own slots (single
 * writer, release store), so the hot path takes no lock and no CAS; readers sum the slots.
 */
public final class UdpNodeStats {
  private static final int DATAGRAMS_IN = 0;
  private static final int BYTES_IN = 1;
  private static final int DATAGRAMS_OUT = 2;
  private static final int BYTES_OUT = 3;
  private static final int HANDOVERS = 4;
  private static final int DROPPED = 5;
  private static final int ERRORS = 6;
  private static final int GSO_DATAGRAMS = 7;
  // One cache line (8 longs) per loop so loops do not false-share.
  private static final int STRIDE = 8;

  private final int loops;
  private final AtomicLongArray slots;

  UdpNodeStats(int loops) {
    this.loops = loops;
    this.slots = new AtomicLongArray((loops + 1) * STRIDE);
  }

  // Slot of loop i begins at (i + 1) * STRIDE: the first line is padding.
  private void add(int loop, int counter, long n) {
    int i = (loop + 1) * STRIDE + counter;
    slots.setRelease(i, slots.getPlain(i) + n);
  }

  private long get(int loop, int counter) {
    return slots.getAcquire((loop + 1) * STRIDE + counter);
  }

  private long sum(int counter) {
    long s = 0;
    for (int l = 0; l < loops; l++) {
      s += get(l, counter);
    }
    return s;
  }

  void received(int loop, int bytes) {
    add(loop, DATAGRAMS_IN, 1);
    add(loop, BYTES_IN, bytes);
  }

  void sent(int loop, int bytes) {
    add(loop, DATAGRAMS_OUT, 1);
    add(loop, BYTES_OUT, bytes);
  }

  void handover(int loop) {
    add(loop, HANDOVERS, 1);
  }

  void dropped(int loop) {
    add(loop, DROPPED, 1);
  }

  void gsoSend(int loop, int datagrams) {
    add(loop, GSO_DATAGRAMS, datagrams);
  }

  void error(int loop) {
    add(loop, ERRORS, 1);
  }

  public int loopCount() {
    return loops;
  }

  /** Datagrams read from the sockets (counted on the loop whose socket read them). */
  public long datagramsIn() {
    return sum(DATAGRAMS_IN);
  }

  public long datagramsIn(int loop) {
    return get(loop, DATAGRAMS_IN);
  }

  public long bytesIn() {
    return sum(BYTES_IN);
  }

  public long datagramsOut() {
    return sum(DATAGRAMS_OUT);
  }

  public long bytesOut() {
    return sum(BYTES_OUT);
  }

  /** Datagrams read on one loop and handed to the loop owning their session. */
  public long handovers() {
    return sum(HANDOVERS);
  }

  public long handovers(int loop) {
    return get(loop, HANDOVERS);
  }

  /** Datagrams refused before the endpoint: larger than {@link UdpNode#MAX_DATAGRAM}, or sent before bind. */
  public long dropped() {
    return sum(DROPPED);
  }

  /** Exceptions thrown by an endpoint or reported by a socket (logged, then ignored). */
  public long errors() {
    return sum(ERRORS);
  }

  /** Datagrams of {@link #datagramsOut()} that left in a UDP GSO send of two or more. */
  public long gsoDatagrams() {
    return sum(GSO_DATAGRAMS);
  }

  @Override
  public String toString() {
    return "UdpNodeStats{in=" + datagramsIn() + "/" + bytesIn() + "B, out=" + datagramsOut() + "/"
        + bytesOut() + "B, handovers=" + handovers() + ", dropped=" + dropped() + ", errors=" + errors() + ", gso=" + gsoDatagrams() + "}";
  }
}
