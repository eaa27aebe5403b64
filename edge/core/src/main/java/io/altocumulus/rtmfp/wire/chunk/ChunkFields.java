package io.altocumulus.rtmfp.wire.chunk;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.Vlu;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;

/** Bounded field readers and the chunk header writer shared by the handshake chunks. */
final class ChunkFields {
  /** Largest chunk payload: the length field is 16 bits (RFC 7016 §2.3). */
  static final int MAX_PAYLOAD = 0xFFFF;

  private ChunkFields() {}

  /** {@code length VLU | bytes}, the length bounded by what remains before allocating. */
  static byte[] vluBytes(ByteBuffer in, String what) {
    long n = Vlu.read(in);
    if (n > in.remaining()) {
      throw new WireException(DropCause.MALFORMED_CHUNK, what + " runs past the chunk");
    }
    byte[] b = new byte[(int) n];
    in.get(b);
    return b;
  }

  static byte[] fixed(ByteBuffer in, int n, String what) {
    if (in.remaining() < n) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "truncated " + what);
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  static int int32(ByteBuffer in, String what) {
    if (in.remaining() < 4) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "truncated " + what);
    }
    return in.getInt();
  }

  static byte[] rest(ByteBuffer in) {
    byte[] b = new byte[in.remaining()];
    in.get(b);
    return b;
  }

  static int vluFieldSize(byte[] b) {
    return Vlu.size(b.length) + b.length;
  }

  static void putVluBytes(ByteBuffer out, byte[] b) {
    Vlu.write(out, b.length);
    out.put(b);
  }

  /** Writes {@code type | length}; the payload follows. */
  static void header(ByteBuffer out, int type, int payloadLength) {
    if (payloadLength > MAX_PAYLOAD) {
      throw new IllegalArgumentException("chunk payload of " + payloadLength + " bytes");
    }
    out.put((byte) type).putShort((short) payloadLength);
  }

  static byte[] orEmpty(byte[] b) {
    return b == null ? new byte[0] : b;
  }
}
