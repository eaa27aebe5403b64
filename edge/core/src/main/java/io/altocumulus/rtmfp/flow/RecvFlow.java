package io.altocumulus.rtmfp.flow;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import io.altocumulus.rtmfp.wire.chunk.DataAck;
import io.altocumulus.rtmfp.wire.chunk.UserData;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The receiving side of one flow (RFC 7016 §3.6.3, RTMFP-WIRE §7.4–7.5): orders fragments by
 * sequence number, skips what the sender abandoned (FSN), reassembles messages by the FRA bits and
 * produces the 0x51 acknowledgements.
 */
public final class RecvFlow {
  private static final int ACK_MAX_RANGES = 64;

  private final long flowId;
  private final byte[] metadata;
  private final long associatedFlowId;
  private final RecvLimits limits;

  /** Everything at or below this was delivered, abandoned or skipped (the cumulative ack). */
  private long cumAck;
  /** Out-of-order fragments above cumAck, copied out of their packets. */
  private final TreeMap<Long, Fragment> buffered = new TreeMap<>();
  private long bufferedBytes;

  private byte[] partial = new byte[0];
  private int partialLength;
  private boolean partialOpen;

  private boolean ackPending;
  private boolean finished;
  private boolean finishNotified;
  private long lostFragments;
  private long messagesDelivered;
  private final DataAck ack = new DataAck();

  private record Fragment(int flags, byte[] data) {}

  public RecvFlow(long flowId, byte[] metadata, long associatedFlowId, RecvLimits limits) {
    this.flowId = flowId;
    this.metadata = metadata;
    this.associatedFlowId = associatedFlowId;
    this.limits = limits;
  }

  public long flowId() {
    return flowId;
  }

  public byte[] metadata() {
    return metadata;
  }

  public long associatedFlowId() {
    return associatedFlowId;
  }

  /** Sequence numbers given up: gaps skipped by an FSN jump and fragments that couldn't join a message. */
  public long lostFragments() {
    return lostFragments;
  }

  public long messagesDelivered() {
    return messagesDelivered;
  }

  /** The fragment with FIN was delivered: nothing more will come on this flow. */
  public boolean finished() {
    return finished;
  }

  /**
   * One fragment from a 0x10/0x11 chunk. {@code buf[off, off+len)} is only read during the call.
   *
   * @throws WireException LIMIT_EXCEEDED when buffering or reassembly would pass {@link RecvLimits};
   *     what was delivered stays delivered and the flow stays usable.
   */
  public void onFragment(int flags, long seq, long fsnOffset, byte[] buf, int off, int len,
      MessageSink sink) {
    // RFC 7016 §3.6.3.4: every data packet calls for an ack, duplicates too (the earlier ack may be lost).
    ackPending = true;
    if (finished) {
      return;
    }
    if (seq <= cumAck) {
      drain(sink); // resumes a drain a limit error may have cut short
      return;
    }
    long fsn = Math.max(0, seq - fsnOffset);
    if (fsn > cumAck) {
      // The sender will never send cumAck+1..fsn again: deliver what we hold of them, skip the rest.
      if (seq <= fsn) {
        // Consumed by skipTo right away, so no limit applies (fsnOffset 0, RFC 7016 §2.3.11).
        bufferFragment(seq, flags, buf, off, len, false);
        skipTo(fsn, sink);
        drain(sink);
        return;
      }
      skipTo(fsn, sink);
      drain(sink);
      if (seq <= cumAck) {
        return;
      }
      // Above the FSN it waits like any out-of-order fragment, within the limits.
    }
    if (seq == cumAck + 1) {
      if (buffered.containsKey(seq)) {
        drain(sink); // its copy stayed buffered when a limit error cut a drain short
        return;
      }
      cumAck = seq;
      process(flags, buf, off, len, sink);
      drain(sink);
      return;
    }
    bufferFragment(seq, flags, buf, off, len, true);
  }

  private void bufferFragment(long seq, int flags, byte[] buf, int off, int len, boolean checkLimits) {
    if (buffered.containsKey(seq)) {
      return;
    }
    if (checkLimits && (buffered.size() >= limits.maxBufferedFragments()
        || bufferedBytes + partialLength + len > limits.maxBufferedBytes())) {
      throw new WireException(DropCause.LIMIT_EXCEEDED, "flow " + flowId + " receive buffer full");
    }
    buffered.put(seq, new Fragment(flags, Arrays.copyOfRange(buf, off, off + len)));
    bufferedBytes += len;
  }

  /** Moves cumAck to {@code fsn}, processing buffered fragments in order and counting the holes. */
  private void skipTo(long fsn, MessageSink sink) {
    while (!finished) {
      Map.Entry<Long, Fragment> e = buffered.firstEntry();
      if (e == null || e.getKey() > fsn) {
        break;
      }
      long seq = buffered.pollFirstEntry().getKey();
      Fragment f = e.getValue();
      bufferedBytes -= f.data.length;
      if (seq > cumAck + 1) {
        loseGap(seq - cumAck - 1);
      }
      cumAck = seq;
      process(f.flags, f.data, 0, f.data.length, sink);
    }
    if (!finished && fsn > cumAck) {
      loseGap(fsn - cumAck);
      cumAck = fsn;
    }
  }

  private void loseGap(long count) {
    lostFragments += count;
    // A hole inside a message makes it undeliverable.
    dropPartial();
  }

  private void drain(MessageSink sink) {
    while (!finished) {
      Map.Entry<Long, Fragment> e = buffered.firstEntry();
      if (e == null || e.getKey() != cumAck + 1) {
        return;
      }
      buffered.pollFirstEntry();
      Fragment f = e.getValue();
      bufferedBytes -= f.data.length;
      cumAck++;
      process(f.flags, f.data, 0, f.data.length, sink);
    }
  }

  private void process(int flags, byte[] buf, int off, int len, MessageSink sink) {
    if ((flags & UserData.ABN) != 0) {
      // RFC 7016 §3.6.3.3: an abandoned fragment ends any message in progress.
      if (partialOpen) {
        lostFragments++;
      }
      dropPartial();
    } else {
      switch (flags & UserData.FRA_MASK) {
        case UserData.WHOLE -> {
          dropPartialAsLoss();
          messagesDelivered++;
          sink.onMessage(this, buf, off, len);
        }
        case UserData.BEGIN -> {
          dropPartialAsLoss();
          partialOpen = true;
          append(buf, off, len);
        }
        case UserData.MIDDLE -> {
          if (!partialOpen) {
            lostFragments++;
          } else {
            append(buf, off, len);
          }
        }
        default -> { // END
          if (!partialOpen) {
            lostFragments++;
          } else {
            append(buf, off, len);
            int n = partialLength;
            dropPartial();
            messagesDelivered++;
            sink.onMessage(this, partial, 0, n);
          }
        }
      }
    }
    if ((flags & UserData.FIN) != 0) {
      finished = true;
      dropPartial();
      buffered.clear();
      bufferedBytes = 0;
      if (!finishNotified) {
        finishNotified = true;
        sink.onFinished(this);
      }
    }
  }

  private void dropPartialAsLoss() {
    if (partialOpen) {
      lostFragments++;
    }
    dropPartial();
  }

  private void dropPartial() {
    partialOpen = false;
    partialLength = 0;
  }

  private void append(byte[] buf, int off, int len) {
    long total = (long) partialLength + len;
    if (total > limits.maxMessageBytes() || bufferedBytes + total > limits.maxBufferedBytes()) {
      dropPartial();
      lostFragments++;
      throw new WireException(DropCause.LIMIT_EXCEEDED, "flow " + flowId + " message too large");
    }
    if (total > partial.length) {
      partial = Arrays.copyOf(partial, (int) Math.min(limits.maxMessageBytes(),
          Math.max(total, 2L * partial.length)));
    }
    System.arraycopy(buf, off, partial, partialLength, len);
    partialLength = (int) total;
  }

  /** RFC 7016 §3.6.3.5: a Buffer Probe asks for an ack with the current window. */
  public void onBufferProbe() {
    ackPending = true;
  }

  public boolean ackPending() {
    return ackPending;
  }

  /** Receive window in 1024-byte blocks (RFC 7016 §2.3.13). */
  public long bufferBlocksAvailable() {
    long free = limits.maxBufferedBytes() - bufferedBytes - partialLength;
    return Math.max(0, free) / 1024;
  }

  private void prepareAck() {
    ack.clear(flowId, bufferBlocksAvailable(), cumAck);
    long start = -1;
    long end = -1;
    int n = 0;
    for (Long k : buffered.keySet()) {
      long seq = k;
      if (start >= 0 && seq == end + 1) {
        end = seq;
        continue;
      }
      if (start >= 0) {
        ack.addRange(start, end);
        if (++n == ACK_MAX_RANGES) {
          return;
        }
      }
      start = seq;
      end = seq;
    }
    if (start >= 0) {
      ack.addRange(start, end);
    }
  }

  /** Bytes of the whole 0x51 chunk {@link #writeAck} would write now. */
  public int ackSize() {
    prepareAck();
    return ack.size();
  }

  /** Writes the whole 0x51 chunk and clears {@link #ackPending}. */
  public void writeAck(ByteBuffer out) {
    prepareAck();
    ack.write(out);
    ackPending = false;
  }
}
