package io.altocumulus.rtmfp.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class HelloRateLimiterTest {
  static final long MS = 1_000_000L;

  static InetAddress ip(int a, int b, int c, int d) throws Exception {
    return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
  }

  @Test
  void burstThenSustainedRate() throws Exception {
    HelloRateLimiter l = new HelloRateLimiter(100, 10, 64);
    InetAddress a = ip(192, 0, 2, 1);
    long now = 1_000 * MS;
    int passed = 0;
    for (int i = 0; i < 50; i++) {
      passed += l.tryAcquire(a, now) ? 1 : 0;
    }
    assertThat(passed).as("burst at one instant").isEqualTo(10);
    // One second later at 1000/s offered: 100/s sustained, give or take the burst refill.
    passed = 0;
    for (int i = 0; i < 1000; i++) {
      now += MS;
      passed += l.tryAcquire(a, now) ? 1 : 0;
    }
    assertThat(passed).isBetween(95, 110);
  }

  @Test
  void oneSourceFloodingDoesNotStarveAnother() throws Exception {
    // Few slots for 100 victims: many share a bucket with the flooder, and each still gets through.
    HelloRateLimiter l = new HelloRateLimiter(50, 5, 256);
    InetAddress flooder = ip(198, 51, 100, 9);
    long now = 0;
    for (int victim = 1; victim <= 100; victim++) {
      InetAddress good = ip(203, 0, 113, victim);
      int admitted = 0;
      for (int ms = 0; ms < 1000; ms++) {
        now += MS;
        for (int k = 0; k < 20; k++) {
          l.tryAcquire(flooder, now); // 20,000 datagrams a second
        }
        if (ms % 100 == 0) {
          admitted += l.tryAcquire(good, now) ? 1 : 0; // 10 a second, well under its rate
        }
      }
      assertThat(admitted).as("victim %d", victim).isEqualTo(10);
    }
  }

  @Test
  void floodFromManyAddressesIsLimitedPerAddress() throws Exception {
    HelloRateLimiter l = new HelloRateLimiter(100, 10, 4096);
    long now = 0;
    int passed = 0;
    int offered = 0;
    for (int ms = 0; ms < 1000; ms++) {
      now += MS;
      for (int src = 0; src < 8; src++) {
        for (int k = 0; k < 10; k++) {
          offered++;
          passed += l.tryAcquire(ip(10, 0, 0, src), now) ? 1 : 0;
        }
      }
    }
    assertThat(offered).isEqualTo(80_000);
    assertThat(passed).isBetween(8 * 100, 8 * 110 + 8 * 10);
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> new HelloRateLimiter(0, 1, 16)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new HelloRateLimiter(1, 1, 1000).slots()).isEqualTo(1024);
  }
}
