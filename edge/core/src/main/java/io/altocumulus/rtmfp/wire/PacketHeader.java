package io.altocumulus.rtmfp.wire;

import io.altocumulus.rtmfp.DropCause;

/**
 * The plaintext packet header (RFC 7016 §2.2.4, RTMFP-WIRE §2.5): {@code flags(1) |
 * [timestamp(2)] | [timestampEcho(2)]}. Both timestamps are optional on receipt (REAL-CLIENTS
 * §1); we always send a timestamp. Mutable and reusable: one instance per receive loop.
 */
public final class PacketHeader {
  public static final int FLAG_TC = 0x80;
  public static final int FLAG_TCR = 0x40;
  public static final int FLAG_TS = 0x08;
  public static final int FLAG_TSE = 0x04;
  public static final int MODE_MASK = 0x03;
  public static final int MODE_INITIATOR = 1;
  public static final int MODE_RESPONDER = 2;
  public static final int MODE_STARTUP = 3;

  private int flags;
  private boolean hasTimestamp;
  private int timestamp;
  private boolean hasTimestampEcho;
  private int timestampEcho;

  /**
   * Reads the header at {@code buf[off]}.
   *
   * @return the offset of the first chunk
   * @throws WireException {@link DropCause#MALFORMED_CHUNK} if the header runs past {@code end}
   */
  public int parse(byte[] buf, int off, int end) {
    if (off >= end) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "no flags byte");
    }
    flags = buf[off++] & 0xFF;
    hasTimestamp = (flags & FLAG_TS) != 0;
    hasTimestampEcho = (flags & FLAG_TSE) != 0;
    timestamp = 0;
    timestampEcho = 0;
    if (hasTimestamp) {
      if (end - off < 2) {
        throw new WireException(DropCause.MALFORMED_CHUNK, "truncated timestamp");
      }
      timestamp = ((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF);
      off += 2;
    }
    if (hasTimestampEcho) {
      if (end - off < 2) {
        throw new WireException(DropCause.MALFORMED_CHUNK, "truncated timestamp echo");
      }
      timestampEcho = ((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF);
      off += 2;
    }
    return off;
  }

  /**
   * Writes a header with a timestamp, and an echo when {@code timestampEchoOrMinus1 >= 0}. The
   * TS/TSE bits of {@code flags} are set from the arguments.
   *
   * @return the offset after the header
   */
  public static int write(byte[] buf, int off, int flags, int timestamp, int timestampEchoOrMinus1) {
    // A negative timestamp leaves the TS field out: it is optional (RFC 7016 §2.2.4,
    // REAL-CLIENTS.md §1); we always send it, but the test client can imitate clients that don't.
    int f = flags & ~(FLAG_TS | FLAG_TSE);
    if (timestamp >= 0) {
      f |= FLAG_TS;
    }
    if (timestampEchoOrMinus1 >= 0) {
      f |= FLAG_TSE;
    }
    buf[off++] = (byte) f;
    if (timestamp >= 0) {
      buf[off++] = (byte) (timestamp >>> 8);
      buf[off++] = (byte) timestamp;
    }
    if (timestampEchoOrMinus1 >= 0) {
      buf[off++] = (byte) (timestampEchoOrMinus1 >>> 8);
      buf[off++] = (byte) timestampEchoOrMinus1;
    }
    return off;
  }

  public int flags() {
    return flags;
  }

  public int mode() {
    return flags & MODE_MASK;
  }

  public boolean hasTimestamp() {
    return hasTimestamp;
  }

  /** The 16-bit timestamp in 4-ms ticks; 0 when absent. */
  public int timestamp() {
    return timestamp;
  }

  public boolean hasTimestampEcho() {
    return hasTimestampEcho;
  }

  /** The 16-bit timestamp echo; 0 when absent. */
  public int timestampEcho() {
    return timestampEcho;
  }
}
