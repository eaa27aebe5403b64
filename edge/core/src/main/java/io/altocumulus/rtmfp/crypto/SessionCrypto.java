package io.altocumulus.rtmfp.crypto;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.PacketCodec;
import io.altocumulus.rtmfp.wire.Vlu;
import io.altocumulus.rtmfp.wire.WireException;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A session's packet protection: AES-128-CBC (RFC 7425 §4.4) plus, when the handshake negotiated
 * them (RFC 7425 §4.6.4, {@link Negotiation}), a per-packet HMAC and session sequence numbers.
 * With either, the encrypted part is {@code [VLU sequence] [checksum(2), only without HMAC] |
 * header | chunks | 0xFF padding}, and the HMAC-SHA-256 of the ciphertext, truncated to the
 * announced length, follows it in clear. This is the layout of rtmfp-cpp's FlashCryptoKey.
 * Without options it is exactly {@link PacketCodec}. Not thread-safe: one per session, used on
 * its loop.
 */
public final class SessionCrypto {
  /** Received sequence numbers more than this far below the highest are refused as replays. */
  static final int REPLAY_WINDOW = 64;

  private final PacketCipher encrypt;
  private final PacketCipher decrypt;
  private final Negotiation n;
  private final Mac sendMac;
  private final Mac recvMac;
  private final byte[] macOut; // only with a negotiated HMAC: most sessions (Flash) have none
  private long nextSendSequence;
  private long highestRecvSequence = -1;
  private long recvWindow; // bit i: highestRecvSequence - i was received
  private int openedStart;
  private int openedEnd;

  public SessionCrypto(byte[] encryptKey, byte[] decryptKey) {
    this(encryptKey, decryptKey, Negotiation.NONE, null, null);
  }

  public SessionCrypto(SessionKeys keys, Negotiation n) {
    this(keys.encryptKey(), keys.decryptKey(), n, n.sendHmac() ? keys.sendHmacKey() : null,
        n.recvHmac() ? keys.recvHmacKey() : null);
  }

  private SessionCrypto(byte[] encryptKey, byte[] decryptKey, Negotiation n, byte[] sendHmacKey,
      byte[] recvHmacKey) {
    this.encrypt = new PacketCipher(encryptKey);
    this.decrypt = new PacketCipher(decryptKey);
    this.n = n;
    this.sendMac = sendHmacKey == null ? null : mac(sendHmacKey);
    this.recvMac = recvHmacKey == null ? null : mac(recvHmacKey);
    this.macOut = sendMac != null || recvMac != null ? new byte[32] : null;
  }

  public Negotiation negotiation() {
    return n;
  }

  public PacketCipher encryptCipher() {
    return encrypt;
  }

  /** Drops both directions' JDK cipher objects until the next packet (see PacketCipher#release). */
  public void release() {
    encrypt.release();
    decrypt.release();
  }

  public PacketCipher decryptCipher() {
    return decrypt;
  }

  /**
   * Finishes a packet in place, as {@link PacketCodec#seal} (plaintext from {@code off + 6} to
   * {@code plainEnd}). With negotiated options the plaintext is first moved to make room for the
   * sequence number, and up to 15 bytes of padding plus the HMAC follow it: the array needs
   * {@code 9 + 15 + 32} bytes of room after {@code plainEnd}.
   *
   * @return the total packet length
   */
  public int seal(byte[] buf, int off, int plainEnd, int sessionId) {
    if (!n.sendHmac() && !n.sendSequence()) {
      return PacketCodec.seal(buf, off, plainEnd, sessionId, encrypt);
    }
    int start = off + 4;
    long seq = nextSendSequence++;
    int prefix = (n.sendSequence() ? Vlu.size(seq) : 0) + (n.sendHmac() ? 0 : 2);
    int dataStart = off + PacketCodec.PLAINTEXT_OFFSET;
    int shift = start + prefix - dataStart;
    if (shift != 0) {
      System.arraycopy(buf, dataStart, buf, dataStart + shift, plainEnd - dataStart);
      plainEnd += shift;
    }
    int end = start + ((plainEnd - start + 15) & ~15);
    for (int i = plainEnd; i < end; i++) {
      buf[i] = (byte) 0xFF;
    }
    int p = start;
    if (n.sendSequence()) {
      p = writeVlu(buf, p, seq);
    }
    if (!n.sendHmac()) {
      int sum = Checksum.compute(buf, p + 2, end - p - 2);
      buf[p] = (byte) (sum >>> 8);
      buf[p + 1] = (byte) sum;
    }
    encrypt.encrypt(buf, start, end - start);
    int total = end;
    if (sendMac != null) {
      sendMac.update(buf, start, end - start);
      doFinal(sendMac);
      System.arraycopy(macOut, 0, buf, end, n.sendHmacLength());
      total += n.sendHmacLength();
    }
    int ssid = sessionId ^ readInt(buf, start) ^ readInt(buf, start + 4);
    buf[off] = (byte) (ssid >>> 24);
    buf[off + 1] = (byte) (ssid >>> 16);
    buf[off + 2] = (byte) (ssid >>> 8);
    buf[off + 3] = (byte) ssid;
    return total - off;
  }

  /**
   * Checks and decrypts a received session packet in place. The plaintext (header first) then
   * runs from {@link #openedStart()} to {@link #openedEnd()}, padding included.
   *
   * @throws WireException {@link DropCause#TOO_SHORT}, {@link DropCause#BAD_LENGTH}, or
   *     {@link DropCause#BAD_CHECKSUM} for a wrong checksum, {@link DropCause#BAD_HMAC} for a wrong
   *     HMAC, {@link DropCause#REPLAYED_PACKET} for a replayed sequence number
   */
  public void open(byte[] buf, int off, int len) {
    if (!n.recvHmac() && !n.recvSequence()) {
      PacketCodec.open(buf, off, len, decrypt);
      openedStart = off + PacketCodec.PLAINTEXT_OFFSET;
      openedEnd = off + len;
      return;
    }
    if (len < PacketCodec.MIN_PACKET) {
      throw new WireException(DropCause.TOO_SHORT, "packet of " + len + " bytes");
    }
    int start = off + 4;
    int clen = len - 4 - n.recvHmacLength();
    if (clen < 16 || (clen & 15) != 0) {
      throw new WireException(DropCause.BAD_LENGTH, "encrypted part of " + clen + " bytes");
    }
    int end = start + clen;
    if (recvMac != null) {
      recvMac.update(buf, start, clen);
      doFinal(recvMac);
      int diff = 0;
      for (int i = 0; i < n.recvHmacLength(); i++) {
        diff |= macOut[i] ^ buf[end + i];
      }
      if (diff != 0) {
        throw new WireException(DropCause.BAD_HMAC, "HMAC mismatch");
      }
    }
    decrypt.decrypt(buf, start, clen);
    int p = start;
    long seq = -1;
    if (n.recvSequence()) {
      seq = 0;
      int i = 0;
      while (true) {
        if (p >= end || i == Vlu.MAX_BYTES) {
          throw new WireException(DropCause.BAD_CHECKSUM, "bad session sequence number");
        }
        int b = buf[p++] & 0xFF;
        seq = (seq << 7) | (b & 0x7F);
        i++;
        if ((b & 0x80) == 0) {
          break;
        }
      }
      if (seq < 0 || isReplay(seq)) {
        throw new WireException(DropCause.REPLAYED_PACKET, "replayed or too old session sequence number " + seq);
      }
    }
    if (!n.recvHmac()) {
      if (end - p < 2) {
        throw new WireException(DropCause.BAD_LENGTH, "no room for the checksum");
      }
      int stored = ((buf[p] & 0xFF) << 8) | (buf[p + 1] & 0xFF);
      if (stored != Checksum.compute(buf, p + 2, end - p - 2)) {
        throw new WireException(DropCause.BAD_CHECKSUM, "checksum mismatch");
      }
      p += 2;
    }
    if (seq >= 0) {
      remember(seq);
    }
    openedStart = p;
    openedEnd = end;
  }

  /** First plaintext byte (the flags byte) of the packet last {@link #open opened}. */
  public int openedStart() {
    return openedStart;
  }

  /** End of the plaintext of the packet last {@link #open opened} (HMAC excluded). */
  public int openedEnd() {
    return openedEnd;
  }

  private boolean isReplay(long seq) {
    if (seq > highestRecvSequence) {
      return false;
    }
    long age = highestRecvSequence - seq;
    return age >= REPLAY_WINDOW || (recvWindow & (1L << age)) != 0;
  }

  private void remember(long seq) {
    if (seq > highestRecvSequence) {
      long shift = seq - highestRecvSequence;
      recvWindow = shift >= REPLAY_WINDOW ? 0 : recvWindow << shift;
      recvWindow |= 1;
      highestRecvSequence = seq;
    } else {
      recvWindow |= 1L << (highestRecvSequence - seq);
    }
  }

  private void doFinal(Mac mac) {
    try {
      mac.doFinal(macOut, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC output", e);
    }
  }

  private static Mac mac(byte[] key) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static int writeVlu(byte[] b, int p, long v) {
    int size = Vlu.size(v);
    for (int i = size - 1; i >= 0; i--) {
      int bits = (int) ((v >>> (7 * i)) & 0x7F);
      b[p++] = (byte) (i > 0 ? bits | 0x80 : bits);
    }
    return p;
  }

  private static int readInt(byte[] b, int i) {
    return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
  }
}
