package io.altocumulus.edge.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QosWindowTest {
  static final long S = 1_000_000_000L;

  @Test
  void sumsTheLastFiveSecondsOnly() {
    QosWindow q = new QosWindow(2);
    long t0 = 100 * S;
    for (int s = 0; s < 8; s++) {
      q.add(0, 1000, t0 + s * S);
      q.add(1, 1, t0 + s * S + S / 2);
    }
    long now = t0 + 7 * S + S / 2;
    assertThat(q.sum(0, now)).isEqualTo(5000); // seconds 3..7
    assertThat(q.rate(0, now)).isEqualTo(1000.0);
    assertThat(q.sum(1, now)).isEqualTo(5);
    // Nothing new for 10 s: the window is empty again.
    assertThat(q.sum(0, now + 10 * S)).isZero();
  }

  @Test
  void aBucketIsReusedForANewSecond() {
    QosWindow q = new QosWindow(1);
    q.add(0, 7, 3 * S);
    q.add(0, 5, 8 * S); // same bucket index, 5 s later: the old count is gone
    assertThat(q.sum(0, 8 * S)).isEqualTo(5);
  }
}
