package io.altocumulus.rtmfp.crypto;

/**
 * RFC 7425 §4.4 "simple checksum": the RFC 1071 Internet checksum over the decrypted packet
 * after the checksum field (RTMFP-WIRE §2.4). An odd final byte is the high byte of a word, as in
 * RFC 1071 (Cumulus differs, but never on the wire: the area is always 16k-2 bytes).
 */
public final class Checksum {
  private Checksum() {}

  public static int compute(byte[] buf, int off, int len) {
    long sum = 0;
    int end = off + len;
    int i = off;
    for (; i + 1 < end; i += 2) {
      sum += ((buf[i] & 0xFF) << 8) | (buf[i + 1] & 0xFF);
    }
    if (i < end) {
      sum += (buf[i] & 0xFF) << 8;
    }
    sum = (sum >>> 16) + (sum & 0xFFFF);
    sum += sum >>> 16;
    return (int) (~sum & 0xFFFF);
  }
}
