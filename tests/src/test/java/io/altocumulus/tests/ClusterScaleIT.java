package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.cluster.membership.Membership;
import io.altocumulus.cluster.membership.MembershipListener;
import io.altocumulus.cluster.membership.ZooKeeperClients;
import io.altocumulus.proto.cluster.v1.LoadSnapshot;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import io.altocumulus.proto.cluster.v1.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 6 "Must measure": N in-process membership agents (Membership only, no RTMFP, no links)
 * against a real 3-server ensemble. Run by hand:
 * <pre>
 * mvn -B -o -pl tests -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=ClusterScaleIT -Dcluster.scale=200
 * </pre>
 * Prints: convergence time (last agent started -> every view complete), ZooKeeper writes per node
 * per second with loads changing meaningfully every 100 ms, znodes, watch events, and the time a
 * departure takes to reach every view.
 */
@EnabledIfSystemProperty(named = "cluster.scale", matches = "[0-9]+")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ClusterScaleIT {
  @Test
  void membershipOfManyNodes() throws Exception {
    int n = Integer.getInteger("cluster.scale");
    LongAdder events = new LongAdder();
    List<Membership> agents = new ArrayList<>();
    try (TestingCluster zk = ClusterNodes.quorum(n + 50)) {  // every agent on 127.0.0.1
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        NodeInfo self = NodeInfo.newBuilder().setId("n" + i).addRoles(Role.ROLE_EDGE)
            .setPublicAddress("127.0.0.1:" + (10_000 + i)).setGrpcAddress("127.0.0.1:" + (20_000 + i))
            .setCapacity(1000).setWeight(100).build();
        Membership m = new Membership(ZooKeeperClients.create(zk.getConnectString(), Duration.ofSeconds(10),
            Duration.ofSeconds(15), Optional.empty(), false), "scale", self, Duration.ofSeconds(5));
        m.addListener(new MembershipListener() {
          @Override
          public void nodeUp(NodeInfo node) {
            events.increment();
          }

          @Override
          public void nodeChanged(NodeInfo before, NodeInfo after) {
            events.increment();
          }

          @Override
          public void nodeDown(NodeInfo node) {
            events.increment();
          }
        });
        m.start();
        agents.add(m);
      }
      long started = System.nanoTime();
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> agents.stream().allMatch(a -> a.nodes().size() == n));
      long converged = System.nanoTime();
      long writesAfterJoin = agents.stream().mapToLong(Membership::zooKeeperWrites).sum();
      long eventsAfterJoin = events.sum();
      System.out.printf("ClusterScaleIT: %d agents started in %d ms; every view complete %d ms after the last start "
              + "(%d ms after the first); %d registration writes, %d membership events (watch-driven) so far%n",
          n, (started - t0) / 1_000_000, (converged - started) / 1_000_000, (converged - t0) / 1_000_000,
          writesAfterJoin, eventsAfterJoin);

      // load: every agent's sessions move by 10-30 % every 100 ms for 12 s
      long loadStart = System.nanoTime();
      int[] sessions = new int[n];
      while (System.nanoTime() - loadStart < 12_000_000_000L) {
        for (int i = 0; i < n; i++) {
          sessions[i] = Math.max(1, (int) (Math.max(sessions[i], 100) * (0.7 + 0.6 * ThreadLocalRandom.current().nextDouble())));
          agents.get(i).updateLoad(LoadSnapshot.newBuilder().setSessions(sessions[i]).build());
        }
        Thread.sleep(100);
      }
      double seconds = (System.nanoTime() - loadStart) / 1e9;
      long writes = agents.stream().mapToLong(Membership::zooKeeperWrites).sum() - writesAfterJoin;
      long loadEvents = events.sum() - eventsAfterJoin;
      System.out.printf("ClusterScaleIT: load phase %.1f s: %d writes = %.3f writes/s/node (%.1f writes/s for the "
              + "ensemble); %d membership events = %.0f events/s over all agents (%.1f per agent per s)%n",
          seconds, writes, writes / seconds / n, writes / seconds, loadEvents, loadEvents / seconds,
          loadEvents / seconds / n);
      int znodes = agents.get(0).curator().getChildren().forPath("/scale/nodes").size();
      System.out.printf("ClusterScaleIT: znodes under /scale/nodes: %d (+2 parents); znode size ~%d bytes%n",
          znodes, agents.get(0).self().getSerializedSize());
      assertThat(znodes).isEqualTo(n);
      assertThat(writes / seconds / n).isLessThanOrEqualTo(0.25); // bound: 1 per cluster.load.interval (5 s)

      // a departure (clean close: the ephemeral znode goes at once) reaching every view
      Membership leaving = agents.remove(agents.size() - 1);
      long leftAt = System.nanoTime();
      leaving.close();
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
          .until(() -> agents.stream().allMatch(a -> a.nodes().size() == n - 1));
      System.out.printf("ClusterScaleIT: a departure reached all %d views in %d ms%n", n - 1,
          (System.nanoTime() - leftAt) / 1_000_000);
      // close while the ensemble is up: a close against a dead ensemble waits out its retries
      agents.parallelStream().forEach(Membership::close);
      agents.clear();
    } finally {
      agents.parallelStream().forEach(Membership::close);
    }
  }
}
