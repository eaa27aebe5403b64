package io.altocumulus.rtmfp.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.time.FakeClock;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Flows of one endpoint add their counts to its {@link FlowTotals} (the node's metrics, issue 7). */
class FlowTotalsTest {
  private static final int MTU = 1192;
  private static final long MS = 1_000_000L;
  private final FakeClock clock = new FakeClock();

  private int fill(SendFlow f, SessionCongestion cc) {
    return f.fill(ByteBuffer.allocate(MTU), MTU, clock.nanoTime(), cc, false);
  }

  @Test
  void flowsSharingTotalsAddTheirSendsRetransmissionsExpiriesAndRefusals() {
    FlowTotals totals = new FlowTotals();
    SessionCongestion cc = new SessionCongestion(MTU);
    SendFlow a = new SendFlow(2, null, -1, totals);
    SendFlow b = new SendFlow(3, null, -1, totals);

    // Sends: both flows' bytes and fragments.
    a.write(null, new byte[100], true, Long.MAX_VALUE);
    b.write(null, new byte[200], true, Long.MAX_VALUE);
    int wa = fill(a, cc);
    int wb = fill(b, cc);
    assertThat(wa).isPositive();
    assertThat(totals.bytesSent()).isEqualTo(wa + wb).isEqualTo(a.bytesSent() + b.bytesSent());
    assertThat(totals.fragmentsSent()).isEqualTo(2);

    // Retransmission timeout (RFC 7016 §3.6.2.3): every fragment in flight is sent again.
    cc.onTimeout(clock.nanoTime());
    a.onRetransmitTimeout(clock.nanoTime());
    b.onRetransmitTimeout(clock.nanoTime());
    fill(a, cc);
    fill(b, cc);
    assertThat(totals.retransmittedFragments()).isEqualTo(2)
        .isEqualTo(a.retransmittedFragments() + b.retransmittedFragments());
    assertThat(totals.fragmentsSent()).isEqualTo(4);

    // Refused by the bounded queue, and expired before sending (media relay, RTMFP-WIRE §8.8).
    b.setQueueLimit(100);
    assertThat(b.write(null, new byte[500], false, Long.MAX_VALUE)).isFalse();
    assertThat(totals.droppedMessages()).isEqualTo(1);
    a.write(null, new byte[50], false, clock.nanoTime() + 10 * MS);
    clock.advanceMillis(10);
    assertThat(a.hasWork(clock.nanoTime())).isFalse();
    assertThat(totals.expiredMessages()).isEqualTo(1).isEqualTo(a.expiredMessages());
    assertThat(totals.abandonedFragments()).isZero();
  }

  @Test
  void aFlowWithoutSharedTotalsCountsOnlyItself() {
    FlowTotals totals = new FlowTotals();
    SendFlow shared = new SendFlow(2, null, -1, totals);
    SendFlow alone = new SendFlow(3, null, -1);
    alone.write(null, new byte[10], true, Long.MAX_VALUE);
    fill(alone, new SessionCongestion(MTU));
    assertThat(alone.bytesSent()).isPositive();
    assertThat(totals.bytesSent()).isZero();
    assertThat(shared.bytesSent()).isZero();
  }
}
