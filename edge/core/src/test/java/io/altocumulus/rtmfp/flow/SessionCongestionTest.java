package io.altocumulus.rtmfp.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.time.FakeClock;
import org.junit.jupiter.api.Test;

class SessionCongestionTest {
  private static final long MS = 1_000_000L;
  private final FakeClock clock = new FakeClock();

  @Test
  void ertoStartsAtThreeSecondsAndFollowsSamples() {
    SessionCongestion cc = new SessionCongestion(1200);
    assertThat(cc.ertoNanos()).isEqualTo(3000 * MS);
    assertThat(cc.srttNanos()).isEqualTo(-1);
    cc.onRttSample(100 * MS);
    assertThat(cc.srttNanos()).isEqualTo(100 * MS);
    // SRTT 100 + 4 * RTTVAR 50 + 200 delayed-ack allowance
    assertThat(cc.ertoNanos()).isEqualTo(500 * MS);
    cc.onRttSample(200 * MS);
    // RTTVAR = (3*50 + 100)/4 = 62.5; SRTT = (700 + 200)/8 = 112.5
    assertThat(cc.srttNanos()).isEqualTo(112_500_000L);
    assertThat(cc.ertoNanos()).isEqualTo(112_500_000L + 250 * MS + 200 * MS);
  }

  @Test
  void ertoNeverBelow250Ms() {
    SessionCongestion cc = new SessionCongestion(1200);
    for (int i = 0; i < 50; i++) {
      cc.onRttSample(1 * MS);
    }
    assertThat(cc.ertoNanos()).isGreaterThanOrEqualTo(250 * MS);
    SessionCongestion cc2 = new SessionCongestion(1200);
    cc2.onRttSample(0);
    assertThat(cc2.ertoNanos()).isEqualTo(250 * MS);
  }

  @Test
  void timeoutBacksOffErtoAndCollapsesWindow() {
    SessionCongestion cc = new SessionCongestion(1200);
    cc.onRttSample(100 * MS);
    long erto = cc.ertoNanos();
    cc.onSent(1000, clock.nanoTime());
    assertThat(cc.timeoutDue(clock.nanoTime())).isFalse();
    assertThat(cc.timeoutDeadline()).isEqualTo(clock.nanoTime() + erto);
    clock.advanceNanos(erto);
    assertThat(cc.timeoutDue(clock.nanoTime())).isTrue();
    cc.onTimeout(clock.nanoTime());
    assertThat(cc.bytesInFlight()).isZero();
    assertThat(cc.cwnd()).isEqualTo(2 * 1200);
    assertThat(cc.ertoNanos()).isEqualTo((long) (erto * 1.414214));
    for (int i = 0; i < 20; i++) {
      cc.onTimeout(clock.nanoTime());
    }
    assertThat(cc.ertoNanos()).isEqualTo(10_000 * MS);
    assertThat(cc.timeoutDue(clock.nanoTime() + 20_000 * MS)).isFalse(); // nothing in flight
  }

  @Test
  void ackRestartsTimer() {
    SessionCongestion cc = new SessionCongestion(1200);
    cc.onSent(2000, clock.nanoTime());
    clock.advanceMillis(2000);
    cc.onAcked(1000, clock.nanoTime());
    clock.advanceMillis(2000);
    assertThat(cc.timeoutDue(clock.nanoTime())).isFalse();
    clock.advanceMillis(1000);
    assertThat(cc.timeoutDue(clock.nanoTime())).isTrue();
  }

  @Test
  void slowStartGrowsThenLossHalves() {
    SessionCongestion cc = new SessionCongestion(1000);
    assertThat(cc.cwnd()).isEqualTo(3000);
    long now = clock.nanoTime();
    for (int round = 0; round < 4; round++) {
      long w = cc.cwnd();
      int sent = 0;
      while (cc.canSend(1000)) {
        cc.onSent(1000, now);
        sent++;
      }
      for (int i = 0; i < sent; i++) {
        cc.onAcked(1000, now);
      }
      assertThat(cc.cwnd()).isGreaterThan(w); // doubles per round trip in slow start
    }
    long before = cc.cwnd();
    assertThat(before).isEqualTo(48000);
    cc.onSent(5000, now);
    cc.onLoss(now);
    assertThat(cc.cwnd()).isEqualTo(before / 2);
    assertThat(cc.ssthresh()).isEqualTo(before / 2);
    cc.onLoss(now); // same loss event
    assertThat(cc.cwnd()).isEqualTo(before / 2);
  }

  @Test
  void windowUnusedDoesNotGrow() {
    SessionCongestion cc = new SessionCongestion(1000);
    cc.onSent(100, clock.nanoTime());
    cc.onAcked(100, clock.nanoTime());
    assertThat(cc.cwnd()).isEqualTo(3000);
  }

  @Test
  void burstLimitSixPackets() {
    SessionCongestion cc = new SessionCongestion(1000);
    for (int i = 0; i < 6; i++) {
      assertThat(cc.burstAllowed()).isTrue();
      cc.onDataPacketSent();
    }
    assertThat(cc.burstAllowed()).isFalse();
    cc.onPacketReceived();
    assertThat(cc.burstAllowed()).isTrue();
  }

  @Test
  void aTimeoutLetsTheRetransmissionOutAfterASilentBurst() {
    SessionCongestion cc = new SessionCongestion(1192);
    for (int i = 0; i < SessionCongestion.MAX_DATA_PACKET_BURST; i++) {
      cc.onSent(1000, 0);
      cc.onDataPacketSent();
    }
    org.assertj.core.api.Assertions.assertThat(cc.burstAllowed()).isFalse(); // the peer said nothing since
    cc.onTimeout(cc.ertoNanos());
    org.assertj.core.api.Assertions.assertThat(cc.burstAllowed()).isTrue();
  }
}
