package io.altocumulus.rtmfp.flow;

/**
 * Totals of every {@link SendFlow} of one endpoint (one event loop), for the node's metrics: the
 * flows add to them where they count their own events, so nothing is summed over live flows (whose
 * counts would vanish as they close). Single writer, the owning loop; other threads (a metrics
 * scrape) may read them, possibly a little behind. No locks, no allocation.
 */
public final class FlowTotals {
  long bytesSent;
  long fragmentsSent;
  long retransmittedFragments;
  long abandonedFragments;
  long expiredMessages;
  long droppedMessages;

  /** Bytes of data chunks written, retransmissions included. */
  public long bytesSent() {
    return bytesSent;
  }

  public long fragmentsSent() {
    return fragmentsSent;
  }

  /** Fragments sent again after a loss or a retransmission timeout (RFC 7016 §3.6.2.3). */
  public long retransmittedFragments() {
    return retransmittedFragments;
  }

  /** Fragments given up on: unreliable ones lost, or past their deadline (RFC 7016 §3.6.2.3.2). */
  public long abandonedFragments() {
    return abandonedFragments;
  }

  /** Messages (or their unsent rest) taken out of a queue because their deadline passed. */
  public long expiredMessages() {
    return expiredMessages;
  }

  /** Messages refused by a flow's queue limit or dropped by {@code abandonQueued}. */
  public long droppedMessages() {
    return droppedMessages;
  }
}
