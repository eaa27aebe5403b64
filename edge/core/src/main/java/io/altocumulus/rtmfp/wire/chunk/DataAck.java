package io.altocumulus.rtmfp.wire.chunk;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.Vlu;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;

/**
 * Data Acknowledgement, ranges form 0x51 (RFC 7016 §2.3.14, RTMFP-WIRE §7.5) and, on input, the
 * bitmap form 0x50 (RFC 7016 §2.3.13). Both parse into the same mutable, reusable shape: the
 * cumulative ack plus up to {@link #MAX_RANGES} ascending ranges of sequence numbers received above
 * it. Ranges past that bound are ignored (the sender just learns of them later).
 */
public final class DataAck {
  /** Bound on the ranges kept from one ack (and written into one). */
  public static final int MAX_RANGES = 256;

  public long flowId;
  /** Receive buffer space in 1024-byte blocks (RFC 7016 §2.3.13). */
  public long bufferBlocksAvailable;
  /** Highest sequence number received with everything below it. */
  public long cumulativeAck;
  private int rangeCount;
  // Grown on demand: every RecvFlow owns a DataAck, and most flows never see a hole.
  private long[] ranges = new long[8];

  public long flowId() {
    return flowId;
  }

  public long bufferBlocksAvailable() {
    return bufferBlocksAvailable;
  }

  public long cumulativeAck() {
    return cumulativeAck;
  }

  public int rangeCount() {
    return rangeCount;
  }

  public long rangeStart(int i) {
    return ranges[2 * i];
  }

  public long rangeEnd(int i) {
    return ranges[2 * i + 1];
  }

  /** Starts a new ack to write. */
  public void clear(long flowId, long bufferBlocksAvailable, long cumulativeAck) {
    this.flowId = flowId;
    this.bufferBlocksAvailable = bufferBlocksAvailable;
    this.cumulativeAck = cumulativeAck;
    this.rangeCount = 0;
  }

  /**
   * Appends a received range [start, end]; ranges must ascend and leave a gap of at least one
   * number after the previous range (or the cumulative ack). Returns false when full.
   */
  public boolean addRange(long start, long end) {
    long prev = rangeCount == 0 ? cumulativeAck : ranges[2 * rangeCount - 1];
    if (start < prev + 2 || end < start) {
      throw new IllegalArgumentException("ranges must ascend with gaps");
    }
    if (rangeCount == MAX_RANGES) {
      return false;
    }
    ensureRoom();
    ranges[2 * rangeCount] = start;
    ranges[2 * rangeCount + 1] = end;
    rangeCount++;
    return true;
  }

  /** True when {@code seq} is at or below the cumulative ack or inside a range. */
  public boolean covers(long seq) {
    if (seq <= cumulativeAck) {
      return true;
    }
    for (int i = 0; i < rangeCount; i++) {
      if (seq < ranges[2 * i]) {
        return false;
      }
      if (seq <= ranges[2 * i + 1]) {
        return true;
      }
    }
    return false;
  }

  /** Highest sequence number this ack reports as received. */
  public long highestAcked() {
    return rangeCount == 0 ? cumulativeAck : ranges[2 * rangeCount - 1];
  }

  /** Parses a 0x51 payload: {@code flowId, bufferBlocks, cumAck, (holesMinusOne, receivedMinusOne)*}. */
  public void parseRanges(ByteBuffer in) {
    readHeader(in);
    long cursor = cumulativeAck;
    while (in.hasRemaining()) {
      long holesMinusOne = Vlu.read(in);
      long receivedMinusOne = Vlu.read(in);
      // cursor is the last number accounted for; holes start right after it.
      long start = cursor + holesMinusOne + 2;
      long end = start + receivedMinusOne;
      if (start < cursor || end < start) {
        throw new WireException(DropCause.MALFORMED_CHUNK, "ack range overflows");
      }
      if (rangeCount < MAX_RANGES) {
        ensureRoom();
        ranges[2 * rangeCount] = start;
        ranges[2 * rangeCount + 1] = end;
        rangeCount++;
      }
      cursor = end;
    }
  }

  /**
   * Parses a 0x50 payload: {@code flowId, bufferBlocks, cumAck, bitmap bytes}; bit 0 (least
   * significant) of the first byte is {@code cumAck + 2} (cumAck + 1 is missing by definition).
   */
  public void parseBitmap(ByteBuffer in) {
    readHeader(in);
    long base = cumulativeAck + 2;
    long openStart = -1;
    int byteIndex = 0;
    while (in.hasRemaining()) {
      int b = in.get() & 0xFF;
      for (int bit = 0; bit < 8; bit++) {
        long seq = base + 8L * byteIndex + bit;
        if ((b & (1 << bit)) != 0) {
          if (openStart < 0) {
            openStart = seq;
          }
        } else if (openStart >= 0) {
          closeRange(openStart, seq - 1);
          openStart = -1;
        }
      }
      byteIndex++;
    }
    if (openStart >= 0) {
      closeRange(openStart, base + 8L * byteIndex - 1);
    }
  }

  private void closeRange(long start, long end) {
    if (rangeCount < MAX_RANGES) {
      ensureRoom();
      ranges[2 * rangeCount] = start;
      ranges[2 * rangeCount + 1] = end;
      rangeCount++;
    }
  }

  private void readHeader(ByteBuffer in) {
    rangeCount = 0;
    flowId = Vlu.read(in);
    bufferBlocksAvailable = Vlu.read(in);
    cumulativeAck = Vlu.read(in);
    if (cumulativeAck > Long.MAX_VALUE / 2) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "cumulative ack out of range");
    }
  }

  private int payloadSize() {
    int n = Vlu.size(flowId) + Vlu.size(bufferBlocksAvailable) + Vlu.size(cumulativeAck);
    long cursor = cumulativeAck;
    for (int i = 0; i < rangeCount; i++) {
      n += Vlu.size(ranges[2 * i] - cursor - 2) + Vlu.size(ranges[2 * i + 1] - ranges[2 * i]);
      cursor = ranges[2 * i + 1];
    }
    return n;
  }

  /** Bytes of the whole 0x51 chunk {@link #write} produces. */
  public int size() {
    return 3 + payloadSize();
  }

  /** Writes the whole 0x51 chunk. */
  public void write(ByteBuffer out) {
    out.put((byte) ChunkType.DATA_ACK_RANGES);
    out.putShort((short) payloadSize());
    Vlu.write(out, flowId);
    Vlu.write(out, bufferBlocksAvailable);
    Vlu.write(out, cumulativeAck);
    long cursor = cumulativeAck;
    for (int i = 0; i < rangeCount; i++) {
      Vlu.write(out, ranges[2 * i] - cursor - 2);
      Vlu.write(out, ranges[2 * i + 1] - ranges[2 * i]);
      cursor = ranges[2 * i + 1];
    }
  }

  private void ensureRoom() {
    if (2 * rangeCount + 2 > ranges.length) {
      ranges = java.util.Arrays.copyOf(ranges, Math.min(2 * MAX_RANGES, ranges.length * 2));
    }
  }
}
