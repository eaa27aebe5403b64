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
 * <p>Each direction's JDK cipher is made on first use and then reused: {@code doFinal} resets it
 * to the same zero IV, so a call allocates nothing. A JDK AES cipher holds about 840 bytes, so
 * an idle session may {@link #release()} them and have them rebuilt by its next packet. The JDK
 * copies its input when input and output overlap, so we cipher into a per-thread scratch array
 * and copy back. Not thread-safe: one instance per session, used on its loop.
 */
public final class PacketCipher {
  /** RFC 7425 §4.1 default session key: the ASCII bytes "Adobe Systems 02". */
  public static final byte[] DEFAULT_KEY = "Adobe Systems 02".getBytes(StandardCharsets.US_ASCII);

  private static final int BLOCK = 16;
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[2048]);

  private final byte[] key;
  private Cipher encryptor;
  private Cipher decryptor;

  public PacketCipher(byte[] key16) {
    if (key16 == null || key16.length != 16) {
      throw new IllegalArgumentException("AES-128 key must be 16 bytes");
    }
    this.key = key16.clone();
  }

  public static PacketCipher forDefaultKey() {
    return new PacketCipher(DEFAULT_KEY);
  }

  /** Encrypts {@code buf[off, off+len)} in place; {@code len} must be a multiple of 16. */
  public void encrypt(byte[] buf, int off, int len) {
    if (encryptor == null) {
      encryptor = newCipher(Cipher.ENCRYPT_MODE);
    }
    run(encryptor, buf, off, len);
  }

  /** Decrypts {@code buf[off, off+len)} in place; {@code len} must be a multiple of 16. */
  public void decrypt(byte[] buf, int off, int len) {
    if (decryptor == null) {
      decryptor = newCipher(Cipher.DECRYPT_MODE);
    }
    run(decryptor, buf, off, len);
  }

  /** Drops the JDK cipher objects; the next call rebuilds them from the key. */
  public void release() {
    encryptor = null;
    decryptor = null;
  }

  /** Whether a JDK cipher is currently held (for tests of {@link #release()}). */
  public boolean holdsCiphers() {
    return encryptor != null || decryptor != null;
  }

  private Cipher newCipher(int mode) {
    try {
      Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
      c.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[BLOCK]));
      return c;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CBC/NoPadding unavailable", e);
    }
  }

  private static void run(Cipher cipher, byte[] buf, int off, int len) {
    if (len < 0 || (len & (BLOCK - 1)) != 0) {
      throw new IllegalArgumentException("length " + len + " is not a multiple of 16");
    }
    if (len == 0) {
      return;
    }
    byte[] scratch = SCRATCH.get();
    if (scratch.length < len) {
      scratch = new byte[len]; // only for oversized buffers; datagrams fit the initial size
      SCRATCH.set(scratch);
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
