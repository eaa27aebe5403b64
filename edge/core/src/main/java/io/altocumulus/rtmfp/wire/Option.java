package io.altocumulus.rtmfp.wire;

import java.nio.ByteBuffer;

/**
 * One RFC 7016 §2.1.3 option: {@code length VLU | type VLU | value}, where length counts the type
 * and value bytes (RTMFP-WIRE §3.2). A zero length is the end-of-list marker, not an option.
 */
public record Option(int type, byte[] value) {
  public Option {
    if (type < 0) {
      throw new IllegalArgumentException("negative option type");
    }
    if (value == null) {
      value = new byte[0];
    }
  }

  public static Option of(int type, byte[] value) {
    return new Option(type, value);
  }

  public int encodedSize() {
    int body = Vlu.size(type) + value.length;
    return Vlu.size(body) + body;
  }

  public void serialize(ByteBuffer out) {
    Vlu.write(out, Vlu.size(type) + value.length);
    Vlu.write(out, type);
    out.put(value);
  }

  /** The value as a VLU (for example a DH group id), or -1 if it is not exactly one VLU. */
  public long valueAsVlu() {
    ByteBuffer b = ByteBuffer.wrap(value);
    try {
      long v = Vlu.read(b);
      return b.hasRemaining() ? -1 : v;
    } catch (WireException e) {
      return -1;
    }
  }
}
