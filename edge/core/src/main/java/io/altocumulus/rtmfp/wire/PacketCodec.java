package io.altocumulus.rtmfp.wire;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.crypto.Checksum;
import io.altocumulus.rtmfp.crypto.PacketCipher;

/**
 * The outer packet (RTMFP-WIRE §2.1–2.6): {@code SSID(4) | AES-CBC( checksum(2) | plaintext |
 * 0xFF padding )}. Works in place on a heap array so one receive/send buffer serves every packet.
 */
public final class PacketCodec {
  /** Datagrams shorter than this are dropped (RTMFP-WIRE §1). */
  public static final int MIN_PACKET = 12;
  /** Offset of the first plaintext byte (the flags byte) from the start of the packet. */
  public static final int PLAINTEXT_OFFSET = 6;

  private PacketCodec() {}

  /**
   * The session id of a received packet, unscrambled before decryption: {@code SSID ^ w1 ^ w2}
   * with w1, w2 the first two ciphertext words (RFC 7016 §2.2.2, RTMFP-WIRE §2.2).
   *
   * @throws WireException {@link DropCause#TOO_SHORT} under {@link #MIN_PACKET} bytes
   */
  public static int sessionId(byte[] buf, int off, int len) {
    if (len < MIN_PACKET) {
      throw new WireException(DropCause.TOO_SHORT, "packet of " + len + " bytes");
    }
    return readInt(buf, off) ^ readInt(buf, off + 4) ^ readInt(buf, off + 8);
  }

  /**
   * Finishes a packet in place. {@code buf[off, off+4)} is room for the SSID, {@code [off+4,
   * off+6)} room for the checksum and the plaintext runs from {@code off+6} to {@code plainEnd}.
   * Pads with 0xFF to whole blocks counted from {@code off+4}, writes the checksum, encrypts
   * {@code [off+4, end)} and writes the scrambled SSID. The array must have room for up to 15
   * bytes of padding after {@code plainEnd}.
   *
   * @return the total packet length
   */
  public static int seal(byte[] buf, int off, int plainEnd, int sessionId, PacketCipher cipher) {
    int start = off + 4;
    if (plainEnd < off + PLAINTEXT_OFFSET) {
      throw new IllegalArgumentException("plaintext ends before it starts");
    }
    int end = start + ((plainEnd - start + 15) & ~15);
    for (int i = plainEnd; i < end; i++) {
      buf[i] = (byte) 0xFF;
    }
    int sum = Checksum.compute(buf, start + 2, end - start - 2);
    buf[start] = (byte) (sum >>> 8);
    buf[start + 1] = (byte) sum;
    cipher.encrypt(buf, start, end - start);
    writeInt(buf, off, sessionId ^ readInt(buf, start) ^ readInt(buf, start + 4));
    return end - off;
  }

  /**
   * Decrypts a received packet in place and verifies its checksum. The plaintext then runs from
   * {@code off + PLAINTEXT_OFFSET} to {@code off + len} (padding included).
   *
   * @throws WireException {@link DropCause#TOO_SHORT}, {@link DropCause#BAD_LENGTH} or
   *     {@link DropCause#BAD_CHECKSUM}
   */
  public static void open(byte[] buf, int off, int len, PacketCipher cipher) {
    if (len < MIN_PACKET) {
      throw new WireException(DropCause.TOO_SHORT, "packet of " + len + " bytes");
    }
    if (((len - 4) & 15) != 0) {
      throw new WireException(DropCause.BAD_LENGTH, "encrypted part of " + (len - 4) + " bytes");
    }
    int start = off + 4;
    cipher.decrypt(buf, start, len - 4);
    int stored = ((buf[start] & 0xFF) << 8) | (buf[start + 1] & 0xFF);
    if (stored != Checksum.compute(buf, start + 2, len - 6)) {
      throw new WireException(DropCause.BAD_CHECKSUM, "checksum mismatch");
    }
  }

  static int readInt(byte[] b, int i) {
    return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8)
        | (b[i + 3] & 0xFF);
  }

  static void writeInt(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }
}
