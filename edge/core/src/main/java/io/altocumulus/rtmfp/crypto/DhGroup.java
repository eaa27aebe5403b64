package io.altocumulus.rtmfp.crypto;

import java.math.BigInteger;

/**
 * The MODP Diffie-Hellman groups we implement, g = 2 (RTMFP-WIRE §4.5, REAL-CLIENTS §2). Every
 * group the server certificate advertises must really work, so this list and
 * {@link Certificates#serverCertificate} agree.
 */
public enum DhGroup {
  /** RFC 2409 §6.2 "Second Oakley Group" (1024 bits); the group Flash uses. */
  MODP_1024(2,
      "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
          + "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
          + "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF"),
  /** RFC 3526 §2 (1536 bits). */
  MODP_1536(5,
      "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
          + "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
          + "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
          + "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
          + "F1746C08CA237327FFFFFFFFFFFFFFFF"),
  /** RFC 3526 §3 (2048 bits). */
  MODP_2048(14,
      "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
          + "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
          + "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
          + "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
          + "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6"
          + "955817183995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF");

  public static final BigInteger GENERATOR = BigInteger.TWO;

  private final int id;
  private final BigInteger prime;

  DhGroup(int id, String primeHex) {
    this.id = id;
    this.prime = new BigInteger(primeHex, 16);
  }

  /** The group id used on the wire (options 0x0D, 0x15, 0x1D). */
  public int id() {
    return id;
  }

  public BigInteger prime() {
    return prime;
  }

  /** Length of the prime in bytes: the usual length of a public key in this group. */
  public int byteLength() {
    return (prime.bitLength() + 7) / 8;
  }

  /** The group with this wire id, or null if we do not implement it. */
  public static DhGroup byId(int id) {
    for (DhGroup g : values()) {
      if (g.id == id) {
        return g;
      }
    }
    return null;
  }
}
