package io.altocumulus.rtmfp.handshake;

import io.altocumulus.rtmfp.time.Clock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless RHello cookies (RFC 7016 §2.3.4 allows any opaque cookie; RTMFP-WIRE §11 #4). Flash
 * exact clients need exactly 64 bytes (REAL-CLIENTS §3):
 *
 * <pre>
 *   version(1) | secret generation(1) | issue time, clock ms(8) | nonce(22) | HMAC-SHA256(32)
 * </pre>
 *
 * The MAC covers the first 32 bytes and the source ip and port, so a cookie only verifies for
 * the address it was issued to, for {@link #LIFETIME_MS} (RTMFP-WIRE §9). The secret rotates every
 * {@link #ROTATION_MS}; the previous one is kept so cookies issued just before a rotation still
 * verify, and a leaked secret is useless two rotations later.
 *
 * <p>Thread-safe without locks: secrets sit in an immutable snapshot swapped by CAS, and each
 * thread keeps its own {@link Mac} objects.
 */
public final class CookieJar {
  public static final int COOKIE_LENGTH = 64;
  public static final long LIFETIME_MS = 120_000;
  /** Longer than {@link #LIFETIME_MS}: a cookie's secret survives at least its whole life. */
  public static final long ROTATION_MS = 300_000;

  private static final byte VERSION = 1;
  private static final int MACED_PREFIX = 32;
  private static final int NONCE_OFFSET = 10;
  private static final int SECRET_BYTES = 32;

  /** Current and previous (or null) secret; the generation tells a cookie which one made it. */
  private record Secrets(int generation, byte[] current, byte[] previous, long rotatedAtMs) {}

  /** Per-thread Mac objects, re-keyed only when the generation they hold is stale. */
  private static final class Macs {
    final Mac[] mac = new Mac[2];
    final int[] generation = {-1, -1};
    final byte[] out = new byte[32];
  }

  private final Clock clock;
  private final SecureRandom random;
  private final AtomicReference<Secrets> secrets;
  private final ThreadLocal<Macs> macs = ThreadLocal.withInitial(CookieJar::newMacs);

  public CookieJar(Clock clock, SecureRandom random) {
    this.clock = clock;
    this.random = random;
    long now = clock.millis();
    this.secrets = new AtomicReference<>(new Secrets(0, fresh(), null, now));
  }

  /** A new 64-byte cookie bound to {@code from}. */
  public byte[] issue(InetSocketAddress from) {
    long now = clock.millis();
    Secrets s = rotateIfDue(now);
    byte[] cookie = new byte[COOKIE_LENGTH];
    cookie[0] = VERSION;
    cookie[1] = (byte) s.generation();
    for (int i = 0; i < 8; i++) {
      cookie[2 + i] = (byte) (now >>> (56 - 8 * i));
    }
    byte[] nonce = new byte[MACED_PREFIX - NONCE_OFFSET];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, cookie, NONCE_OFFSET, nonce.length);
    byte[] tag = mac(s.generation(), s.current(), cookie, from);
    System.arraycopy(tag, 0, cookie, MACED_PREFIX, COOKIE_LENGTH - MACED_PREFIX);
    return cookie;
  }

  /** True if the cookie was issued by this jar to {@code from} at most 120 s ago. */
  public boolean verify(byte[] cookie, InetSocketAddress from) {
    if (cookie == null || cookie.length != COOKIE_LENGTH || cookie[0] != VERSION || from == null) {
      return false;
    }
    long now = clock.millis();
    Secrets s = rotateIfDue(now);
    int gen = cookie[1] & 0xFF;
    byte[] key;
    int generation;
    if (gen == (s.generation() & 0xFF)) {
      key = s.current();
      generation = s.generation();
    } else if (s.previous() != null && gen == ((s.generation() - 1) & 0xFF)) {
      key = s.previous();
      generation = s.generation() - 1;
    } else {
      return false;
    }
    long issued = 0;
    for (int i = 0; i < 8; i++) {
      issued = (issued << 8) | (cookie[2 + i] & 0xFF);
    }
    long age = now - issued;
    byte[] expected = mac(generation, key, cookie, from);
    boolean macOk = constantTimeEquals(expected, cookie);
    return macOk && age >= 0 && age <= LIFETIME_MS;
  }

  private Secrets rotateIfDue(long now) {
    while (true) {
      Secrets s = secrets.get();
      if (now - s.rotatedAtMs() < ROTATION_MS) {
        return s;
      }
      // Two or more periods idle: the current secret is stale too, keep no previous one.
      boolean skipped = now - s.rotatedAtMs() >= 2 * ROTATION_MS;
      Secrets next = new Secrets(s.generation() + 1, fresh(), skipped ? null : s.current(), now);
      if (secrets.compareAndSet(s, next)) {
        return next;
      }
    }
  }

  /** HMAC over the cookie's first 32 bytes, then ip bytes and port. Returns a per-thread array. */
  private byte[] mac(int generation, byte[] key, byte[] cookie, InetSocketAddress from) {
    Macs m = macs.get();
    int slot = generation & 1;
    Mac mac = m.mac[slot];
    try {
      if (m.generation[slot] != generation) {
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        m.generation[slot] = generation;
      }
      mac.update(cookie, 0, MACED_PREFIX);
      InetAddress ip = from.getAddress();
      if (ip != null) {
        mac.update(ip.getAddress());
      } else {
        mac.update(from.getHostString().getBytes(StandardCharsets.UTF_8));
      }
      mac.update((byte) (from.getPort() >>> 8));
      mac.update((byte) from.getPort());
      mac.doFinal(m.out, 0);
      return m.out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 failure", e);
    }
  }

  private static boolean constantTimeEquals(byte[] mac, byte[] cookie) {
    int diff = 0;
    for (int i = 0; i < COOKIE_LENGTH - MACED_PREFIX; i++) {
      diff |= mac[i] ^ cookie[MACED_PREFIX + i];
    }
    return diff == 0;
  }

  private byte[] fresh() {
    byte[] k = new byte[SECRET_BYTES];
    random.nextBytes(k);
    return k;
  }

  private static Macs newMacs() {
    Macs m = new Macs();
    try {
      m.mac[0] = Mac.getInstance("HmacSHA256");
      m.mac[1] = Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
    return m;
  }
}
