package io.altocumulus.rtmfp.crypto;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * One ephemeral Diffie-Hellman key pair (RTMFP-WIRE §4.5). Keys travel as big-endian integers of
 * minimal length; the shared secret is big-endian with leading zero bytes stripped, as OpenSSL's
 * {@code BN_bn2bin} (which Flash, Cumulus and rtmfp-cpp use) produces it.
 */
public final class DhKeyPair {
  /** Private exponent size: at least twice the ~112-bit strength of our largest group. */
  static final int PRIVATE_BITS = 256;
  private static final BigInteger TWO_TO_24 = BigInteger.ONE.shiftLeft(24);

  private final DhGroup group;
  private final BigInteger privateKey;
  private final byte[] publicKey;

  private DhKeyPair(DhGroup group, BigInteger privateKey) {
    this.group = group;
    this.privateKey = privateKey;
    this.publicKey = unsigned(DhGroup.GENERATOR.modPow(privateKey, group.prime()));
  }

  public static DhKeyPair generate(DhGroup g, SecureRandom r) {
    while (true) {
      // Top bit set so the exponent has exactly PRIVATE_BITS bits.
      BigInteger x = new BigInteger(PRIVATE_BITS, r).setBit(PRIVATE_BITS - 1);
      DhKeyPair pair = new DhKeyPair(g, x);
      // A public key the peer would refuse (RFC 7425 §4.6.2) is astronomically unlikely; retry.
      if (acceptable(g, new BigInteger(1, pair.publicKey))) {
        return pair;
      }
    }
  }

  /** A key pair from a known private exponent (tests and vectors). */
  public static DhKeyPair fromPrivate(DhGroup g, BigInteger x) {
    if (x.signum() <= 0 || x.compareTo(g.prime()) >= 0) {
      throw new IllegalArgumentException("private exponent out of range");
    }
    return new DhKeyPair(g, x);
  }

  public DhGroup group() {
    return group;
  }

  /** Big-endian, minimal length (normally {@link DhGroup#byteLength()} bytes). Do not modify. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * {@code peer^x mod p} after the RFC 7425 §4.6.2 checks on the peer's key.
   *
   * @throws WireException {@link DropCause#BAD_DH_KEY} for a key outside the bounds
   */
  public byte[] sharedSecret(byte[] peerPublicKey) {
    if (peerPublicKey == null || peerPublicKey.length == 0
        || peerPublicKey.length > group.byteLength() + 1) {
      throw new WireException(DropCause.BAD_DH_KEY, "DH public key of bad length");
    }
    BigInteger y = new BigInteger(1, peerPublicKey);
    if (!acceptable(group, y)) {
      throw new WireException(DropCause.BAD_DH_KEY, "DH public key fails RFC 7425 §4.6.2 checks");
    }
    return unsigned(y.modPow(privateKey, group.prime()));
  }

  /**
   * RFC 7425 §4.6.2: 2^24 ≤ y ≤ p − 2^24, and at least 16 one bits and 16 zero bits, counted like
   * rtmfp-cpp over the bytes from the first non-zero byte on.
   */
  static boolean acceptable(DhGroup g, BigInteger y) {
    if (y.compareTo(TWO_TO_24) < 0 || y.compareTo(g.prime().subtract(TWO_TO_24)) > 0) {
      return false;
    }
    int ones = y.bitCount();
    int zeros = ((y.bitLength() + 7) / 8) * 8 - ones;
    return ones >= 16 && zeros >= 16;
  }

  /** Big-endian magnitude without the sign byte or any leading zero byte. */
  static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    int i = 0;
    while (i < b.length - 1 && b[i] == 0) {
      i++;
    }
    if (i == 0) {
      return b;
    }
    byte[] r = new byte[b.length - i];
    System.arraycopy(b, i, r, 0, r.length);
    return r;
  }
}
