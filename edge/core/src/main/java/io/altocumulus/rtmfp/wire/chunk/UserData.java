package io.altocumulus.rtmfp.wire.chunk;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.Vlu;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;

/**
 * User Data 0x10 and Next User Data 0x11 (RFC 7016 §2.3.11–2.3.12, RTMFP-WIRE §7.1–7.2): one
 * fragment of a flow. Mutable and reused: the session parses every data chunk of a packet into the
 * same instance. The fragment bytes are not copied; {@link #dataOffset} and {@link #dataLength}
 * locate them in the packet buffer's backing array, which must therefore be a heap buffer.
 */
public final class UserData {
  /** Option list present. */
  public static final int OPT = 0x80;
  /** Fragment position mask (RFC "FRA"). */
  public static final int FRA_MASK = 0x30;
  /** The fragment is a whole message. */
  public static final int WHOLE = 0x00;
  /** First fragment of a message; more follow. */
  public static final int BEGIN = 0x10;
  /** Last fragment of a message. */
  public static final int END = 0x20;
  /** Neither first nor last. */
  public static final int MIDDLE = 0x30;
  /** Abandon: the fragment carries no valid data. */
  public static final int ABN = 0x02;
  /** Final sequence number of the flow. */
  public static final int FIN = 0x01;

  /** RFC 7016 option types used on the first fragments of a flow (RTMFP-WIRE §7.2). */
  public static final int OPTION_METADATA = 0x00;
  public static final int OPTION_RETURN_ASSOCIATION = 0x0A;

  public int flags;
  public long flowId;
  public long sequenceNumber;
  public long fsnOffset;
  /** Value of option 0x00, or null when absent. */
  public byte[] metadata;
  /** Value of option 0x0A, or -1 when absent. */
  public long associatedFlowId = -1;
  /** Absolute offset of the fragment in the packet buffer's backing array. */
  public int dataOffset;
  public int dataLength;

  private boolean hasPrevious;

  public int flags() {
    return flags;
  }

  public long flowId() {
    return flowId;
  }

  public long sequenceNumber() {
    return sequenceNumber;
  }

  public long fsnOffset() {
    return fsnOffset;
  }

  /** Forward sequence number: everything at or below it was delivered or abandoned. */
  public long forwardSequenceNumber() {
    return sequenceNumber - fsnOffset;
  }

  public byte[] metadata() {
    return metadata;
  }

  public long associatedFlowId() {
    return associatedFlowId;
  }

  public int dataOffset() {
    return dataOffset;
  }

  public int dataLength() {
    return dataLength;
  }

  /** Forgets the previous chunk; call at the start of each packet so a stray 0x11 is refused. */
  public void reset() {
    hasPrevious = false;
  }

  /** Parses a 0x10 payload: {@code in} at the payload start, limit at its end. */
  public void parse(ByteBuffer in) {
    hasPrevious = false;
    flags = readFlags(in);
    flowId = Vlu.read(in);
    sequenceNumber = Vlu.read(in);
    fsnOffset = Vlu.read(in);
    if (fsnOffset > sequenceNumber) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "fsnOffset above sequence number");
    }
    readOptionsAndData(in);
    hasPrevious = true;
  }

  /**
   * Parses a 0x11 payload: same flow as the previous 0x10/0x11 of this packet, sequence number
   * and FSN offset one higher (RFC 7016 §2.3.12).
   */
  public void parseNext(ByteBuffer in) {
    if (!hasPrevious) {
      throw new WireException(DropCause.UNEXPECTED_CHUNK, "Next User Data without a previous fragment");
    }
    hasPrevious = false;
    flags = readFlags(in);
    sequenceNumber++;
    fsnOffset++;
    readOptionsAndData(in);
    hasPrevious = true;
  }

  private static int readFlags(ByteBuffer in) {
    if (!in.hasRemaining()) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "empty user data chunk");
    }
    return in.get() & 0xFF;
  }

  private void readOptionsAndData(ByteBuffer in) {
    metadata = null;
    associatedFlowId = -1;
    if ((flags & OPT) != 0) {
      // RFC 7016 §2.1.3: length VLU (type + value), 0 ends the list.
      while (true) {
        long len = Vlu.read(in);
        if (len == 0) {
          break;
        }
        if (len > in.remaining()) {
          throw new WireException(DropCause.MALFORMED_CHUNK, "option runs past the chunk");
        }
        int end = in.position() + (int) len;
        int limit = in.limit();
        in.limit(end);
        try {
          long type = Vlu.read(in);
          if (type == OPTION_METADATA) {
            byte[] m = new byte[in.remaining()];
            in.get(m);
            metadata = m;
          } else if (type == OPTION_RETURN_ASSOCIATION) {
            associatedFlowId = Vlu.read(in);
          }
        } finally {
          in.limit(limit);
        }
        in.position(end);
      }
    }
    if (!in.hasArray()) {
      throw new IllegalArgumentException("user data must be parsed from a heap buffer");
    }
    dataOffset = in.arrayOffset() + in.position();
    dataLength = in.remaining();
    in.position(in.limit());
  }

  /** Bytes of the whole chunk (type, length and payload) except the fragment data. */
  public static int headerSize(boolean next, int flags, long flowId, long seq, long fsnOffset,
      byte[] metadata, long assocFlowId) {
    int n = 3 + 1;
    if (!next) {
      n += Vlu.size(flowId) + Vlu.size(seq) + Vlu.size(fsnOffset);
    }
    if (metadata != null || assocFlowId >= 0) {
      if (metadata != null) {
        int len = 1 + metadata.length;
        n += Vlu.size(len) + len;
      }
      if (assocFlowId >= 0) {
        int len = 1 + Vlu.size(assocFlowId);
        n += Vlu.size(len) + len;
      }
      n += 1;
    }
    return n;
  }

  /**
   * Writes a whole 0x10 (or 0x11 when {@code next}) chunk. OPT is set exactly when metadata or an
   * association is given. {@code flowId}, {@code seq} and {@code fsnOffset} are ignored for 0x11.
   */
  public static void write(ByteBuffer out, boolean next, int flags, long flowId, long seq,
      long fsnOffset, byte[] metadata, long assocFlowId, byte[] data, int off, int len) {
    boolean opt = metadata != null || assocFlowId >= 0;
    int payload = headerSize(next, flags, flowId, seq, fsnOffset, metadata, assocFlowId) - 3 + len;
    if (payload > 0xFFFF) {
      throw new IllegalArgumentException("chunk too large: " + payload);
    }
    out.put((byte) (next ? ChunkType.NEXT_USER_DATA : ChunkType.USER_DATA));
    out.putShort((short) payload);
    out.put((byte) (opt ? (flags | OPT) : (flags & ~OPT)));
    if (!next) {
      Vlu.write(out, flowId);
      Vlu.write(out, seq);
      Vlu.write(out, fsnOffset);
    }
    if (opt) {
      if (metadata != null) {
        Vlu.write(out, 1 + metadata.length);
        out.put((byte) OPTION_METADATA);
        out.put(metadata);
      }
      if (assocFlowId >= 0) {
        Vlu.write(out, 1 + Vlu.size(assocFlowId));
        out.put((byte) OPTION_RETURN_ASSOCIATION);
        Vlu.write(out, assocFlowId);
      }
      out.put((byte) 0);
    }
    if (len > 0) {
      out.put(data, off, len);
    }
  }
}
