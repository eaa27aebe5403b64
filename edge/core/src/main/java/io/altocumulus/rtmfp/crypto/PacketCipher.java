package io.altocumulus.rtmfp.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-128-CBC with an all-zero IV for every packet and no cipher padding (RFC 7425 §4.4,
 * RTMFP-WIRE §2.3): the packet plaintext is already padded to whole blocks (§2.6).
 *
 * <p>Both JDK ciphers are initialised once; {@code doFinal} resets each to the same zero IV, so a
 * call allocates nothing. The JDK copies its input when input and output overlap, so we cipher
 * into a private scratch array and copy back. Not thread-safe: one instance per session/thread.
 */
public final class PacketCipher {
  /** RFC 7425 §4.1 default session key: the ASCII bytes "Adobe Systems 02". */
  public static final byte[] DEFAULT_KEY = "Adobe Systems 02".getBytes(StandardCharsets.US_ASCII);

  private static final int BLOCK = 16;

  private final Cipher encryptor;
  private final Cipher decryptor;
  private byte[] scratch = new byte[2048];

  public PacketCipher(byte[] key16) {
    if (key16 == null || key16.length != 16) {
      throw new IllegalArgumentException("AES-128 key must be 16 bytes");
    }
    try {
      SecretKeySpec key = new SecretKeySpec(key16, "AES");
      IvParameterSpec zeroIv = new IvParameterSpec(new byte[BLOCK]);
      encryptor = Cipher.getInstance("AES/CBC/NoPadding");
      encryptor.init(Cipher.ENCRYPT_MODE, key, zeroIv);
      decryptor = Cipher.getInstance("AES/CBC/NoPadding");
      decryptor.init(Cipher.DECRYPT_MODE, key, zeroIv);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CBC/NoPadding unavailable", e);
    }
  }

  public static PacketCipher forDefaultKey() {
    return new PacketCipher(DEFAULT_KEY);
  }

  /** Encrypts {@code buf[off, off+len)} in place; {@code len} must be a multiple of 16. */
  public void encrypt(byte[] buf, int off, int len) {
    run(encryptor, buf, off, len);
  }

  /** Decrypts {@code buf[off, off+len)} in place; {@code len} must be a multiple of 16. */
  public void decrypt(byte[] buf, int off, int len) {
    run(decryptor, buf, off, len);
  }

  private void run(Cipher cipher, byte[] buf, int off, int len) {
    if (len < 0 || (len & (BLOCK - 1)) != 0) {
      throw new IllegalArgumentException("length " + len + " is not a multiple of 16");
    }
    if (len == 0) {
      return;
    }
    if (scratch.length < len) {
      scratch = new byte[len]; // only for oversized buffers; datagrams fit the initial size
    }
    try {
      int n = cipher.doFinal(buf, off, len, scratch, 0);
      System.arraycopy(scratch, 0, buf, off, n);
    } catch (GeneralSecurityException e) {
      // Cannot happen with NoPadding on whole blocks and a large enough output.
      throw new IllegalStateException("AES failure", e);
    }
  }
}
