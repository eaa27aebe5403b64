package io.altocumulus.rtmfp.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.time.FakeClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CookieJarTest {
  final FakeClock clock = new FakeClock();
  final CookieJar jar = new CookieJar(clock, new SecureRandom());
  final InetSocketAddress from = addr("203.0.113.5", 50000);

  static InetSocketAddress addr(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void validCookieIs64BytesAndVerifies() {
    byte[] c = jar.issue(from);
    assertThat(c).hasSize(64);
    assertThat(jar.verify(c, from)).isTrue();
    assertThat(jar.verify(c.clone(), addr("203.0.113.5", 50000))).isTrue();
    assertThat(jar.issue(from)).isNotEqualTo(c);
  }

  @Test
  void otherAddressFails() {
    byte[] c = jar.issue(from);
    assertThat(jar.verify(c, addr("203.0.113.6", 50000))).isFalse();
    assertThat(jar.verify(c, addr("203.0.113.5", 50001))).isFalse();
    assertThat(jar.verify(c, addr("::ffff:cb00:7106", 50000))).isFalse();
  }

  @Test
  void everyBitFlipFails() {
    byte[] c = jar.issue(from);
    for (int bit = 0; bit < 64 * 8; bit++) {
      byte[] f = c.clone();
      f[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(jar.verify(f, from)).as("bit %d", bit).isFalse();
    }
    assertThat(jar.verify(new byte[64], from)).isFalse();
    assertThat(jar.verify(new byte[63], from)).isFalse();
    assertThat(jar.verify(null, from)).isFalse();
  }

  @Test
  void anotherJarsCookieFails() {
    CookieJar other = new CookieJar(clock, new SecureRandom());
    assertThat(jar.verify(other.issue(from), from)).isFalse();
  }

  @Test
  void expiresAfter120Seconds() {
    byte[] c = jar.issue(from);
    clock.advanceMillis(120_000);
    assertThat(jar.verify(c, from)).isTrue();
    clock.advanceMillis(1);
    assertThat(jar.verify(c, from)).isFalse();
  }

  @Test
  void survivesOneSecretRotationButNotTheOldSecret() {
    clock.advanceMillis(CookieJar.ROTATION_MS - 1_000);
    byte[] c = jar.issue(from);
    clock.advanceMillis(2_000); // rotation happens on this verify
    assertThat(jar.verify(c, from)).isTrue();
    byte[] fresh = jar.issue(from);
    assertThat(fresh[1]).isNotEqualTo(c[1]);
    assertThat(jar.verify(fresh, from)).isTrue();
    // Two rotation periods later the first secret is gone (the cookie is also past 120 s).
    clock.advanceMillis(2 * CookieJar.ROTATION_MS);
    assertThat(jar.verify(jar.issue(from), from)).isTrue();
    assertThat(jar.verify(c, from)).isFalse();
  }

  @Test
  void threadsShareTheJar() throws Exception {
    byte[] c = jar.issue(from);
    AtomicBoolean ok = new AtomicBoolean();
    Thread t = new Thread(() -> ok.set(jar.verify(c, from) && jar.verify(jar.issue(from), from)));
    t.start();
    t.join();
    assertThat(ok).isTrue();
  }
}
