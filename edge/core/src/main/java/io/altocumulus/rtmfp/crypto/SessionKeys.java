package io.altocumulus.rtmfp.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Session key derivation of RFC 7425 §4.6.5 (RTMFP-WIRE §4.9): with S the DH shared secret,
 * {@code encrypt = HMAC(S, HMAC(far, near))} and {@code decrypt = HMAC(S, HMAC(near, far))},
 * HMAC-SHA-256, first 16 bytes as the AES-128 key. The server's near component is its SKRC and its
 * far component the client's SKIC, both byte for byte as sent.
 */
public final class SessionKeys {
  private final byte[] encryptKey;
  private final byte[] decryptKey;
  private final byte[] sendHmacKey;
  private final byte[] recvHmacKey;

  private SessionKeys(byte[] encryptKey, byte[] decryptKey, byte[] sendHmacKey, byte[] recvHmacKey) {
    this.encryptKey = encryptKey;
    this.decryptKey = decryptKey;
    this.sendHmacKey = sendHmacKey;
    this.recvHmacKey = recvHmacKey;
  }

  public static SessionKeys derive(byte[] sharedSecret, byte[] nearComponent, byte[] farComponent) {
    byte[] enc = hmac(sharedSecret, hmac(farComponent, nearComponent));
    byte[] dec = hmac(sharedSecret, hmac(nearComponent, farComponent));
    // RFC 7425 §4.6.5 per-packet HMAC keys: HMAC(S, full 32-byte encrypt/decrypt key), as in
    // rtmfp-cpp FlashCryptoKey::computeKeysAndNonces.
    return new SessionKeys(Arrays.copyOf(enc, 16), Arrays.copyOf(dec, 16), hmac(sharedSecret, enc),
        hmac(sharedSecret, dec));
  }

  /** HMAC-SHA-256 key for the HMAC of the packets this side sends (when negotiated). */
  public byte[] sendHmacKey() {
    return sendHmacKey.clone();
  }

  /** HMAC-SHA-256 key for checking the HMAC of the packets this side receives (when negotiated). */
  public byte[] recvHmacKey() {
    return recvHmacKey.clone();
  }

  /** AES key for the packets this side sends. */
  public byte[] encryptKey() {
    return encryptKey.clone();
  }

  /** AES key for the packets this side receives. */
  public byte[] decryptKey() {
    return decryptKey.clone();
  }

  static byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
