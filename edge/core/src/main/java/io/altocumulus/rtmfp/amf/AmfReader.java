package io.altocumulus.rtmfp.amf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Common part of {@link Amf0Reader} and {@link Amf3Reader}: bounded big-endian reads from a
 * {@link ByteBuffer} (position → limit; reading advances the position) and the per-message
 * budget of {@link AmfLimits}. Every failure is {@code WireException(MALFORMED_AMF)}.
 */
public abstract class AmfReader {
  final ByteBuffer in;
  final AmfContext ctx;
  final AmfLimits limits;
  final Budget budget;

  /** Values and nesting consumed by one message; shared by an AMF0 reader and its AMF3 switch. */
  static final class Budget {
    private final AmfLimits limits;
    private int elements;
    private int depth;

    Budget(AmfLimits limits) {
      this.limits = limits;
    }

    void element() {
      if (++elements > limits.maxElements()) {
        throw Amf.malformed("more than " + limits.maxElements() + " AMF values in one message");
      }
    }

    void enter() {
      if (++depth > limits.maxDepth()) {
        throw Amf.malformed("AMF nesting deeper than " + limits.maxDepth());
      }
    }

    void exit() {
      depth--;
    }
  }

  AmfReader(ByteBuffer in, AmfContext ctx, Budget budget) {
    this.in = Objects.requireNonNull(in);
    this.ctx = Objects.requireNonNull(ctx);
    this.limits = ctx.limits();
    if (budget == null) {
      if (in.remaining() > limits.maxMessageBytes()) {
        throw Amf.malformed("AMF message of " + in.remaining() + " bytes exceeds "
            + limits.maxMessageBytes());
      }
      budget = new Budget(limits);
    }
    this.budget = budget;
  }

  /** True while bytes remain before the buffer's limit. */
  public boolean hasRemaining() {
    return in.hasRemaining();
  }

  public int remaining() {
    return in.remaining();
  }

  /** The buffer being read (its position is the read cursor). */
  public ByteBuffer buffer() {
    return in;
  }

  /** Reads one value of this reader's encoding (see the package comment for the Java types). */
  public abstract Object readValue();

  /** Reads a value that must be a string. */
  public abstract String readString();

  /** Reads a value that must be a number (AMF3 integers are widened). */
  public abstract double readNumber();

  // Raw reads (also the IDataInput-style helpers for externalizers, CUMULUS-FEATURES §5.16).

  final void need(long n) {
    if (n > in.remaining()) {
      throw Amf.malformed("truncated AMF: need " + n + " bytes, " + in.remaining() + " left");
    }
  }

  public int readU8() {
    need(1);
    return in.get() & 0xFF;
  }

  public boolean readBoolean() {
    return readU8() != 0;
  }

  public int readU16() {
    need(2);
    return in.getShort() & 0xFFFF;
  }

  public int readS16() {
    need(2);
    return in.getShort();
  }

  public int readI32() {
    need(4);
    return in.getInt();
  }

  public long readU32() {
    return readI32() & 0xFFFFFFFFL;
  }

  public double readDouble() {
    need(8);
    return in.getDouble();
  }

  public float readFloat() {
    need(4);
    return in.getFloat();
  }

  /** Reads {@code n} raw bytes; {@code n} is checked against the limits and the bytes left. */
  public byte[] readBytes(long n) {
    checkLength(n, "byte array");
    byte[] b = new byte[(int) n];
    in.get(b);
    return b;
  }

  /** Reads {@code n} bytes of UTF-8 (malformed sequences become U+FFFD). */
  public String readUtf8(long n) {
    checkLength(n, "string");
    int len = (int) n;
    if (len == 0) {
      return "";
    }
    String s;
    if (in.hasArray()) {
      s = new String(in.array(), in.arrayOffset() + in.position(), len, StandardCharsets.UTF_8);
      in.position(in.position() + len);
    } else {
      byte[] b = new byte[len];
      in.get(b);
      s = new String(b, StandardCharsets.UTF_8);
    }
    return s;
  }

  /** Reads a U16 length then that many UTF-8 bytes (AMF0 UTF-8, IDataInput.readUTF). */
  public String readUtf() {
    return readUtf8(readU16());
  }

  private void checkLength(long n, String what) {
    if (n < 0) {
      throw Amf.malformed("negative " + what + " length " + n);
    }
    if (n > limits.maxStringBytes()) {
      throw Amf.malformed(what + " of " + n + " bytes exceeds " + limits.maxStringBytes());
    }
    need(n);
  }

  /** Checks an item count against the limit and against the bytes left (minBytes per item). */
  final void checkCount(long count, int minBytesEach, String what) {
    if (count < 0) {
      throw Amf.malformed("negative " + what + " count " + count);
    }
    if (count > limits.maxArrayLength()) {
      throw Amf.malformed(what + " of " + count + " items exceeds " + limits.maxArrayLength());
    }
    if (count * minBytesEach > in.remaining()) {
      throw Amf.malformed("truncated AMF: " + what + " of " + count + " items, "
          + in.remaining() + " bytes left");
    }
  }
}
