package io.altocumulus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ZooKeeper servers dying under running nodes: one of three, then the quorum. */
class ZooKeeperFaultsTest {
  TestingCluster zk;
  final List<ClusterNode> nodes = new ArrayList<>();
  final List<Recorder> recorders = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    zk = Nodes.quorum();
    for (String id : List.of("a", "b", "c")) {
      Recorder r = new Recorder();
      ClusterNode n = ClusterNode.start(Nodes.config(zk.getConnectString(), "faults", id), zk.getConnectString(), r);
      n.membership().addListener(r);
      nodes.add(n);
      recorders.add(r);
    }
    await().atMost(Duration.ofSeconds(5)).until(() ->
        nodes.stream().allMatch(n -> n.links().links().size() == 2 && n.membership().nodes().size() == 3));
  }

  @AfterEach
  void stop() throws Exception {
    for (ClusterNode n : nodes) {
      n.close();
    }
    zk.close();
  }

  @Test
  void oneOfThreeServersKilledNothingNotices() throws Exception {
    InstanceSpec victim = zk.getInstances().iterator().next();
    zk.killServer(victim);
    // longer than the session timeout: sessions on the dead server move to the others
    Thread.sleep(Nodes.SESSION_MS + 1_000);
    for (int i = 0; i < 3; i++) {
      assertThat(nodes.get(i).membership().nodes()).hasSize(3);
      assertThat(nodes.get(i).links().links()).hasSize(2);
      assertThat(recorders.get(i).named("down")).isEmpty();
      assertThat(recorders.get(i).named("nodeDown")).isEmpty();
    }
    // the cluster still takes writes
    nodes.get(0).membership().setDraining(true);
    await().atMost(Duration.ofSeconds(2)).until(() -> nodes.get(2).membership().node("a").orElseThrow().getDraining());
  }

  @Test
  void quorumLostNodesKeepTheirLinksAndReRegisterWhenItReturns() throws Exception {
    List<InstanceSpec> specs = new ArrayList<>(zk.getInstances());
    zk.killServer(specs.get(0));
    zk.killServer(specs.get(1));
    // no quorum for twice the session timeout: Curator declares the sessions lost
    Thread.sleep(2L * Nodes.SESSION_MS);
    for (int i = 0; i < 3; i++) {
      assertThat(nodes.get(i).membership().connected()).isFalse();
      assertThat(nodes.get(i).links().links()).hasSize(2);
      assertThat(nodes.get(i).links().link(i == 0 ? "b" : "a").orElseThrow().send("stillThere", new byte[] {1})).isTrue();
    }
    long back = System.nanoTime();
    zk.restartServer(specs.get(0));
    zk.restartServer(specs.get(1));
    // every node registered again, in a fresh session, and every view complete
    var probe = nodes.get(0).membership().curator();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
      for (String id : List.of("a", "b", "c")) {
        Stat s = probe.checkExists().forPath("/faults/nodes/" + id);
        if (s == null) {
          return false;
        }
      }
      return nodes.stream().allMatch(n -> n.membership().connected() && n.membership().nodes().size() == 3);
    });
    System.out.printf("MEASURE quorum back: every node re-registered and every view complete %d ms later%n",
        (System.nanoTime() - back) / 1_000_000);
    // the links survived the outage (a re-registration within the grace keeps them)
    Thread.sleep(2_500);
    for (int i = 0; i < 3; i++) {
      assertThat(recorders.get(i).named("down")).isEmpty();
      assertThat(nodes.get(i).links().links()).hasSize(2);
    }
    assertThat(recorders.get(1).named("msg a stillThere")).hasSize(1);
  }
}
