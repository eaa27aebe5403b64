package io.altocumulus.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.proto.cluster.v1.LoadSnapshot;
import org.junit.jupiter.api.Test;

class LoadPublishPolicyTest {
  final LoadPublishPolicy policy = new LoadPublishPolicy(5_000, 60_000);

  static LoadSnapshot load(int sessions, float cpu) {
    return LoadSnapshot.newBuilder().setSessions(sessions).setCpu(cpu).build();
  }

  @Test
  void neverTwiceWithinTheMinimumInterval() {
    assertThat(policy.shouldPublish(4_999, load(0, 0), 0, load(10_000, 1))).isFalse();
    assertThat(policy.shouldPublish(5_000, load(0, 0), 0, load(10_000, 1))).isTrue();
  }

  @Test
  void smallChangesWaitForTheMaximumInterval() {
    // 1000 -> 1030 sessions is under 5 %: not worth a write yet
    assertThat(policy.shouldPublish(30_000, load(1000, 0.5f), 0, load(1030, 0.52f))).isFalse();
    assertThat(policy.shouldPublish(60_000, load(1000, 0.5f), 0, load(1030, 0.52f))).isTrue();
    // nothing changed at all: never
    assertThat(policy.shouldPublish(600_000, load(1000, 0.5f), 0, load(1000, 0.5f))).isFalse();
  }

  @Test
  void meaningfulChanges() {
    assertThat(LoadPublishPolicy.meaningfulChange(load(1000, 0.5f), load(1060, 0.5f))).isTrue();
    assertThat(LoadPublishPolicy.meaningfulChange(load(5, 0.5f), load(14, 0.5f))).isFalse();
    assertThat(LoadPublishPolicy.meaningfulChange(load(5, 0.5f), load(15, 0.5f))).isTrue();
    assertThat(LoadPublishPolicy.meaningfulChange(load(5, 0.5f), load(5, 0.56f))).isTrue();
  }
}
