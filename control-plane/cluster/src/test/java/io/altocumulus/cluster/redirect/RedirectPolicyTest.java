package io.altocumulus.cluster.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.proto.cluster.v1.LoadSnapshot;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import io.altocumulus.proto.cluster.v1.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RedirectPolicyTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final RedirectPolicy policy = new RedirectPolicy("self", RedirectPolicy.Settings.defaults(), now::get, new Random(7));

  static NodeInfo edge(String id, int capacity, int sessions, int weight) {
    return NodeInfo.newBuilder().setId(id).addRoles(Role.ROLE_EDGE).setPublicAddress(id + ":1935")
        .setCapacity(capacity).setWeight(weight).setLoad(LoadSnapshot.newBuilder().setSessions(sessions)).build();
  }

  @Test
  void drainingAlwaysRedirectsAndNoCapacityNever() {
    NodeInfo self = edge("self", 0, 0, 100);
    assertThat(policy.shouldRedirect(self, 1_000_000)).isFalse();
    assertThat(policy.shouldRedirect(self.toBuilder().setDraining(true).build(), 0)).isTrue();
  }

  @Test
  void overCapacityHasHysteresisInLoadAndTime() {
    NodeInfo self = edge("self", 100, 0, 100);
    assertThat(policy.shouldRedirect(self, 99)).isFalse();
    assertThat(policy.shouldRedirect(self, 100)).isTrue();
    // below capacity but above the 90 % low water: still redirecting
    assertThat(policy.shouldRedirect(self, 95)).isTrue();
    // below low water, but not yet 5 s in redirect mode
    now.addAndGet(4_999);
    assertThat(policy.shouldRedirect(self, 80)).isTrue();
    now.addAndGet(1);
    assertThat(policy.shouldRedirect(self, 80)).isFalse();
    assertThat(policy.shouldRedirect(self, 99)).isFalse();
  }

  @Test
  void targetsSkipSelfDrainingFullNonEdgeAndZeroWeight() {
    NodeInfo rendezvous = NodeInfo.newBuilder().setId("r").addRoles(Role.ROLE_RENDEZVOUS)
        .setPublicAddress("r:1935").setWeight(100).build();
    List<NodeInfo> nodes = List.of(edge("self", 0, 0, 100), edge("a", 100, 10, 100),
        edge("b", 100, 10, 100).toBuilder().setDraining(true).build(), edge("c", 100, 100, 100),
        edge("d", 100, 10, 0), rendezvous);
    for (int i = 0; i < 20; i++) {
      assertThat(policy.targets(nodes)).containsExactly("a:1935");
    }
  }

  @Test
  void aNodeWhoseRegistrationIsGoneIsNeverChosen() {
    assertThat(policy.targets(List.of(edge("a", 0, 0, 100), edge("b", 0, 0, 100))))
        .containsExactlyInAnyOrder("a:1935", "b:1935");
    assertThat(policy.targets(List.of(edge("a", 0, 0, 100)))).containsExactly("a:1935");
  }

  @Test
  void drawsAreProportionalToWeightTimesHeadroom() {
    RedirectPolicy one = new RedirectPolicy("self", new RedirectPolicy.Settings(1, 0.9, 0.15, 0.05, 5_000),
        now::get, new Random(1));
    // a: weight 100, headroom 0.5 -> 50; b: weight 100, headroom 1.0 -> 100; c: weight 300, headroom 0.5 -> 150
    List<NodeInfo> nodes = List.of(edge("a", 100, 50, 100), edge("b", 100, 0, 100), edge("c", 100, 50, 300));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 30_000; i++) {
      counts.merge(one.targets(nodes).get(0), 1, Integer::sum);
    }
    assertThat(counts.get("a:1935") / 30_000.0).isBetween(0.16, 0.18);
    assertThat(counts.get("b:1935") / 30_000.0).isBetween(0.32, 0.35);
    assertThat(counts.get("c:1935") / 30_000.0).isBetween(0.48, 0.52);
  }

  @Test
  void eligibilityDoesNotFlapAroundTheThreshold() {
    // a at 90 % load (headroom 0.10): not eligible to enter (needs 0.15)
    assertThat(policy.targets(List.of(edge("a", 100, 90, 100)))).isEmpty();
    // at 80 %: enters
    assertThat(policy.targets(List.of(edge("a", 100, 80, 100)))).containsExactly("a:1935");
    // back to 90 %: stays (leaves only under 0.05 headroom)
    assertThat(policy.targets(List.of(edge("a", 100, 90, 100)))).containsExactly("a:1935");
    // 96 %: leaves
    assertThat(policy.targets(List.of(edge("a", 100, 96, 100)))).isEmpty();
    // recovered at once, but kept out for 5 s
    assertThat(policy.targets(List.of(edge("a", 100, 10, 100)))).isEmpty();
    now.addAndGet(5_000);
    assertThat(policy.targets(List.of(edge("a", 100, 10, 100)))).containsExactly("a:1935");
  }

  @Test
  void listsAtMostMaxTargetsDistinctAddresses() {
    List<NodeInfo> nodes = List.of(edge("a", 0, 0, 1), edge("b", 0, 0, 1), edge("c", 0, 0, 1),
        edge("d", 0, 0, 1), edge("e", 0, 0, 1));
    List<String> t = policy.targets(nodes);
    assertThat(t).hasSize(3).doesNotHaveDuplicates();
  }
}
