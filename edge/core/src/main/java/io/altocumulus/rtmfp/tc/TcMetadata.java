package io.altocumulus.rtmfp.tc;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.Vlu;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;

/**
 * Flash-profile flow metadata (RFC 7425 §5.1.1, RTMFP-WIRE §8.1): the value of user-data option
 * 0x00. {@code 'T' 'C' flags VLU(streamId)} for NetConnection (stream 0) and NetStream flows,
 * {@code 'G' 'C'} for NetGroup control flows.
 */
public record TcMetadata(Kind kind, int flags, long streamId) {
  public enum Kind { TC, GROUP }

  /** Stream id present; required on TC flows (RFC 7425 §5.1.1). */
  public static final int FLAG_STREAM_ID = 0x04;
  /** Receive intent "network order"; 0 means sequence order. Accepted (RTMFP-WIRE §11 row 17). */
  public static final int FLAG_NETWORK_ORDER = 0x01;

  public static TcMetadata parse(byte[] metadata) {
    if (metadata == null || metadata.length < 2) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "flow metadata too short");
    }
    if (metadata[0] == 'G' && metadata[1] == 'C') {
      return new TcMetadata(Kind.GROUP, 0, 0);
    }
    if (metadata[0] != 'T' || metadata[1] != 'C' || metadata.length < 3) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "flow metadata is neither TC nor GC");
    }
    int flags = metadata[2] & 0xFF;
    if ((flags & FLAG_STREAM_ID) == 0 || (flags & ~(FLAG_STREAM_ID | FLAG_NETWORK_ORDER)) != 0) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "TC metadata flags 0x" + Integer.toHexString(flags));
    }
    ByteBuffer in = ByteBuffer.wrap(metadata, 3, metadata.length - 3);
    long streamId = Vlu.read(in);
    return new TcMetadata(Kind.TC, flags, streamId);
  }

  /** Metadata of a TC flow for the given stream (0 = NetConnection). */
  public static byte[] encode(long streamId) {
    ByteBuffer out = ByteBuffer.allocate(3 + Vlu.size(streamId));
    out.put((byte) 'T').put((byte) 'C').put((byte) FLAG_STREAM_ID);
    Vlu.write(out, streamId);
    return out.array();
  }

  public boolean isNetConnection() {
    return kind == Kind.TC && streamId == 0;
  }
}
