package io.altocumulus.rtmfp.wire;

import io.altocumulus.rtmfp.DropCause;
import java.nio.ByteBuffer;

/**
 * RFC 7016 §2.1.2 variable length unsigned integer: big-endian groups of 7 bits, 0x80 set on every
 * byte but the last (RTMFP-WIRE §3.1). Used everywhere in RTMFP; AMF3's U29 is a different codec.
 */
public final class Vlu {
  /** Longest VLU accepted: 9 bytes carry 63 bits, enough for any flow id or sequence number. */
  public static final int MAX_BYTES = 9;

  private Vlu() {}

  public static long read(ByteBuffer in) {
    long v = 0;
    for (int i = 0; i < MAX_BYTES; i++) {
      if (!in.hasRemaining()) {
        throw new WireException(DropCause.MALFORMED_CHUNK, "truncated VLU");
      }
      int b = in.get() & 0xFF;
      v = (v << 7) | (b & 0x7F);
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new WireException(DropCause.MALFORMED_CHUNK, "VLU longer than 9 bytes");
  }

  /** Reads a VLU that must fit an int in [0, max]. */
  public static int readInt(ByteBuffer in, int max) {
    long v = read(in);
    if (v < 0 || v > max) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "VLU " + v + " above " + max);
    }
    return (int) v;
  }

  public static void write(ByteBuffer out, long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative VLU " + v);
    }
    int n = size(v);
    for (int i = n - 1; i > 0; i--) {
      out.put((byte) (0x80 | ((v >>> (7 * i)) & 0x7F)));
    }
    out.put((byte) (v & 0x7F));
  }

  public static int size(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative VLU " + v);
    }
    int n = 1;
    while ((v >>>= 7) != 0) {
      n++;
    }
    return n;
  }
}
