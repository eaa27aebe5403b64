package io.altocumulus.edge.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.edge.config.ConfigException;
import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.rendezvous.GroupRegistry;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.LimitExceededException;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.DropCounters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The node's group collection, virtual members and limits, against a fake registry. */
class NetGroupsTest {
  /** Records calls; answers joins with a fixed list, or the stage the test holds. */
  static final class FakeRegistry implements GroupRegistry {
    final List<String> calls = new ArrayList<>();
    CompletableFuture<List<Key>> next;

    @Override
    public CompletionStage<List<Key>> join(Key group, Key peer, String edgeId, boolean virtual) {
      calls.add("join " + peer.hex().substring(0, 2) + " " + edgeId + " " + virtual);
      CompletableFuture<List<Key>> f = next != null ? next : CompletableFuture.completedFuture(List.of());
      next = null;
      return f;
    }

    @Override
    public CompletionStage<Void> leave(Key group, Key peer, String edgeId) {
      calls.add("leave " + peer.hex().substring(0, 2));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Integer> size(Key group) {
      return CompletableFuture.completedFuture(0);
    }
  }

  static Key k(int b) {
    byte[] r = new byte[32];
    java.util.Arrays.fill(r, (byte) b);
    return Key.of(r);
  }

  final FakeRegistry registry = new FakeRegistry();
  final DropCounters drops = new DropCounters();

  NetGroups groups(GroupLimits limits) {
    return new NetGroups(registry, "edge-1", limits, drops);
  }

  @Test
  void virtualMembersShareOneHandlePerPeerAndReleaseLeavesEveryGroup() {
    NetGroups g = groups(GroupLimits.DEFAULT);
    VirtualMember a = g.join(k(0xaa), k(1));
    assertThat(g.join(k(0xaa), k(2))).isSameAs(a);
    assertThat(g.join(k(0xaa), k(2))).isSameAs(a); // again: nothing new
    assertThat(registry.calls).containsExactly("join aa edge-1 true", "join aa edge-1 true");
    assertThat(g.count()).isEqualTo(2);
    assertThat(g.find(k(1)).size()).isEqualTo(1);
    assertThat(g.find(k(1)).members()).isEmpty();
    assertThat(a.groups()).hasSize(2);
    a.release();
    a.release();
    assertThat(registry.calls).endsWith("leave aa", "leave aa").hasSize(4);
    assertThat(g.count()).isZero();
    assertThat(g.all()).isEmpty();
    assertThat(g.join(k(0xaa), k(1))).isNotSameAs(a); // a new handle after release
    assertThat(g.joins()).isEqualTo(3);
    assertThat(g.leaves()).isEqualTo(2);
  }

  @Test
  void idsMayBeRawOrHex() {
    NetGroups g = groups(GroupLimits.DEFAULT);
    byte[] raw = k(7).bytes();
    byte[] hex = k(7).hex().toUpperCase().getBytes(StandardCharsets.US_ASCII);
    VirtualMember m = g.join(k(0xbb).hex().getBytes(StandardCharsets.US_ASCII), raw);
    assertThat(m.rawId()).isEqualTo(k(0xbb).bytes());
    assertThat(g.find(hex)).isSameAs(g.find(raw)).isSameAs(g.find(k(7).hex())).isNotNull();
    assertThat(g.find(raw).id()).isEqualTo(k(7).hex());
    assertThat(g.find(new byte[5])).isNull();
    assertThat(g.find("zz".repeat(32))).isNull();
    assertThat(NetGroups.keyOf((byte[]) null)).isNull();
    assertThat(g.join(new byte[3], raw)).isNull();
  }

  @Test
  void groupAndMemberLimitsRefuseAndCount() {
    NetGroups g = groups(new GroupLimits(2, 2, 1));
    assertThat(g.join(k(0xa1), k(1))).isNotNull();
    assertThat(g.join(k(0xa2), k(2))).isNotNull();
    assertThat(g.join(k(0xa3), k(3))).isNull(); // a third group
    assertThat(g.refusedGroups()).isEqualTo(1);
    assertThat(g.join(k(0xa3), k(1))).isNotNull();
    assertThat(g.join(k(0xa4), k(1))).isNull(); // a third member
    assertThat(g.refusedMembers()).isEqualTo(1);
    assertThat(drops.count(DropCause.LIMIT_EXCEEDED)).isEqualTo(2);
    assertThat(g.virtualMember(k(0xa4))).isNull(); // the refused handle is not kept
    assertThat(g.count()).isEqualTo(2);
    g.virtualMember(k(0xa1)).release();
    assertThat(g.join(k(0xa4), k(1))).isNotNull(); // room again
  }

  @Test
  void aRegistryRefusalUndoesTheLocalJoin() {
    NetGroups g = groups(GroupLimits.DEFAULT);
    CompletableFuture<List<Key>> answer = new CompletableFuture<>();
    registry.next = answer;
    VirtualMember m = g.join(k(0xcc), k(9));
    assertThat(g.find(k(9)).size()).isEqualTo(1);
    answer.completeExceptionally(new LimitExceededException("group full"));
    assertThat(g.find(k(9))).isNull();
    assertThat(m.groups()).isEmpty();
    assertThat(g.registryRefusals()).isEqualTo(1);
    assertThat(drops.count(DropCause.LIMIT_EXCEEDED)).isEqualTo(1);
  }

  @Test
  void ringRepairsForUnknownMembersAreCountedNotThrown() {
    NetGroups g = groups(GroupLimits.DEFAULT);
    g.onGroupNeighbour(k(1), k(2), k(3));
    g.join(k(0xdd), k(1));
    g.onGroupNeighbour(k(1), k(0xdd), k(3)); // a virtual member is never told
    assertThat(g.unroutedNeighbours()).isEqualTo(2);
    assertThat(g.neighbourNotices()).isZero();
  }

  @Test
  void resyncJoinsEveryMemberAgain() {
    NetGroups g = groups(GroupLimits.DEFAULT);
    g.join(k(0xee), k(1));
    g.join(k(0xef), k(1));
    registry.calls.clear();
    g.resync();
    assertThat(registry.calls).containsExactly("join ee edge-1 true", "join ef edge-1 true");
  }

  @Test
  void limitsFromConfigWithRangeChecks() {
    NodeConfig c = NodeConfig.fromIni("groups.max=5\ngroups.maxMembers=6\ngroups.perSession=7\n", Map.of());
    assertThat(GroupLimits.from(c)).isEqualTo(new GroupLimits(5, 6, 7));
    assertThat(GroupLimits.from(NodeConfig.fromIni("", Map.of()))).isEqualTo(GroupLimits.DEFAULT);
    for (String bad : new String[] {"groups.max=0", "groups.maxMembers=x", "groups.perSession=2000", "groups.max=99999999999"}) {
      NodeConfig b = NodeConfig.fromIni(bad + "\n", Map.of());
      assertThatThrownBy(() -> GroupLimits.from(b)).as(bad).isInstanceOf(ConfigException.class)
          .hasMessageContaining(bad.substring(0, bad.indexOf('=')));
    }
  }
}
