package io.altocumulus.rtmfp.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * RFC 7425 §4.4 "simple checksum": the RFC 1071 Internet checksum over the decrypted packet
 * after the checksum field (RTMFP-WIRE §2.4). An odd final byte is added as the <em>low</em> byte
 * of a word: that is what rtmfp-cpp ({@code in_cksum}, from ping.c), Cumulus and librtmfp do, and
 * it is on the wire once session sequence numbers are negotiated (RFC 7425 §4.6.4): a 1-byte
 * sequence number in front of the checksum leaves an odd-length area.
 *
 * <p>Computed on every packet sent and received (it was the largest single Java entry of the
 * relay profile, tests/BENCHMARKS.md), so it reads eight bytes at a time: RFC 1071 §2(B), the sum
 * is independent of word size as long as it is folded at the end, because 2^16 ≡ 1 mod 0xFFFF.
 */
public final class Checksum {
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private Checksum() {}

  public static int compute(byte[] buf, int off, int len) {
    if (off < 0 || len < 0 || off > buf.length - len) {
      throw new ArrayIndexOutOfBoundsException("checksum range " + off + "+" + len + " of " + buf.length);
    }
    long sum = 0;
    int end = off + len;
    int i = off;
    // Each step adds two 32-bit halves (< 2^33): a long cannot overflow for any array length.
    for (; i + 8 <= end; i += 8) {
      long w = (long) LONG_BE.get(buf, i);
      sum += (w >>> 32) + (w & 0xFFFFFFFFL);
    }
    for (; i + 1 < end; i += 2) {
      sum += ((buf[i] & 0xFF) << 8) | (buf[i + 1] & 0xFF);
    }
    if (i < end) {
      sum += buf[i] & 0xFF;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum >>> 16) + (sum & 0xFFFF);
    }
    return (int) (~sum & 0xFFFF);
  }
}
