package io.altocumulus.rtmfp.crypto;

/**
 * RFC 7425 §4.4 "simple checksum": the RFC 1071 Internet checksum over the decrypted packet
 * after the checksum field (RTMFP-WIRE §2.4). An odd final byte is added as the <em>low</em> byte
 * of a word: that is what rtmfp-cpp ({@code in_cksum}, from ping.c), Cumulus and librtmfp do, and
 * it is on the wire once session sequence numbers are negotiated (RFC 7425 §4.6.4): a 1-byte
 * sequence number in front of the checksum leaves an odd-length area.
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
      sum += buf[i] & 0xFF;
    }
    sum = (sum >>> 16) + (sum & 0xFFFF);
    sum += sum >>> 16;
    return (int) (~sum & 0xFFFF);
  }
}
