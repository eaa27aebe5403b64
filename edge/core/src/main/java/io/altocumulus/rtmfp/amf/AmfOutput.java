package io.altocumulus.rtmfp.amf;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A growable, reusable big-endian byte buffer: message framing writes its header and the AMF
 * writers append the body to the same instance; {@link #reset()} keeps the storage for the next
 * message (no per-message allocation once warm).
 */
public final class AmfOutput {
  private byte[] buf;
  private int size;

  public AmfOutput() {
    this(256);
  }

  public AmfOutput(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  /** Empties the buffer, keeping its storage. */
  public AmfOutput reset() {
    size = 0;
    return this;
  }

  public int size() {
    return size;
  }

  /** The backing array; bytes [0, size()) are valid. Changes when the buffer grows. */
  public byte[] array() {
    return buf;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /** A buffer over bytes [0, size()) sharing this storage (valid until the next write). */
  public ByteBuffer asByteBuffer() {
    return ByteBuffer.wrap(buf, 0, size);
  }

  /** Copies all bytes into {@code dst} (throws BufferOverflowException when it has no room). */
  public void writeTo(ByteBuffer dst) {
    dst.put(buf, 0, size);
  }

  private void ensure(int n) {
    int need = size + n;
    if (need < 0) {
      throw new IllegalStateException("AmfOutput over 2 GiB");
    }
    if (need > buf.length) {
      int cap = Math.max(need, buf.length << 1);
      buf = Arrays.copyOf(buf, cap < 0 ? Integer.MAX_VALUE - 8 : cap);
    }
  }

  public AmfOutput writeU8(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  public AmfOutput writeU16(int v) {
    ensure(2);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
    return this;
  }

  /** Writes the low 32 bits of {@code v} (use for both int32 and uint32). */
  public AmfOutput writeU32(long v) {
    return writeI32((int) v);
  }

  public AmfOutput writeI32(int v) {
    ensure(4);
    buf[size++] = (byte) (v >>> 24);
    buf[size++] = (byte) (v >>> 16);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
    return this;
  }

  public AmfOutput writeDouble(double v) {
    long bits = Double.doubleToRawLongBits(v);
    writeI32((int) (bits >>> 32));
    return writeI32((int) bits);
  }

  public AmfOutput writeFloat(float v) {
    return writeI32(Float.floatToRawIntBits(v));
  }

  public AmfOutput writeBytes(byte[] b) {
    return writeBytes(b, 0, b.length);
  }

  public AmfOutput writeBytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
    return this;
  }

  /** Appends the remaining bytes of {@code src} (consumes them). */
  public AmfOutput writeBytes(ByteBuffer src) {
    int n = src.remaining();
    ensure(n);
    src.get(buf, size, n);
    size += n;
    return this;
  }

  /** Overwrites one byte at {@code pos} (for back-patching headers). */
  public void setU8(int pos, int v) {
    check(pos, 1);
    buf[pos] = (byte) v;
  }

  public void setU16(int pos, int v) {
    check(pos, 2);
    buf[pos] = (byte) (v >>> 8);
    buf[pos + 1] = (byte) v;
  }

  public void setU32(int pos, long v) {
    check(pos, 4);
    buf[pos] = (byte) (v >>> 24);
    buf[pos + 1] = (byte) (v >>> 16);
    buf[pos + 2] = (byte) (v >>> 8);
    buf[pos + 3] = (byte) v;
  }

  private void check(int pos, int n) {
    if (pos < 0 || pos + n > size) {
      throw new IndexOutOfBoundsException("set at " + pos + " outside [0," + size + ")");
    }
  }

  /**
   * Appends {@code s} as UTF-8 without a length prefix, with no intermediate byte[]; returns the
   * byte count. An unpaired surrogate becomes '?', as {@code String.getBytes(UTF_8)} does.
   */
  public int writeUtf8(CharSequence s) {
    int n = utf8Length(s);
    ensure(n);
    int p = size;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        buf[p++] = (byte) c;
      } else if (c < 0x800) {
        buf[p++] = (byte) (0xC0 | c >> 6);
        buf[p++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          buf[p++] = (byte) (0xF0 | cp >> 18);
          buf[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
          buf[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
          buf[p++] = (byte) (0x80 | cp & 0x3F);
        } else {
          buf[p++] = '?';
        }
      } else {
        buf[p++] = (byte) (0xE0 | c >> 12);
        buf[p++] = (byte) (0x80 | c >> 6 & 0x3F);
        buf[p++] = (byte) (0x80 | c & 0x3F);
      }
    }
    size = p;
    return n;
  }

  /** Appends a U16 byte length then the UTF-8 bytes (AMF0 UTF-8, IDataOutput.writeUTF). */
  public AmfOutput writeUtf(CharSequence s) {
    int n = utf8Length(s);
    if (n > 0xFFFF) {
      throw new IllegalArgumentException("string of " + n + " UTF-8 bytes exceeds U16");
    }
    writeU16(n);
    writeUtf8(s);
    return this;
  }

  /** UTF-8 byte length of {@code s}, counting an unpaired surrogate as one byte ('?'). */
  public static int utf8Length(CharSequence s) {
    int n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
          n += 4;
          i++;
        } else {
          n++;
        }
      } else {
        n += 3;
      }
    }
    return n;
  }
}
