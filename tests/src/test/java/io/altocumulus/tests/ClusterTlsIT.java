package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.altocumulus.cluster.TestPki;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rendezvous.Key;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 security with edges: two edges with the cluster CA link and use each other's rendezvous
 * shard over mutual TLS; an edge whose certificate another CA signed is refused by both (no link,
 * no shard access), though it can register in ZooKeeper.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterTlsIT {
  @TempDir
  Path dir;
  TestingCluster zk;
  final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (zk != null) {
      zk.close();
    }
  }

  EdgeNode start(Map<String, String> ini) throws Exception {
    EdgeNode n = ClusterNodes.start(dir.resolve("www"), ini);
    toClose.add(0, n);
    return n;
  }

  @Test
  void anEdgeWithoutTheClustersCredentialsIsRefused() throws Exception {
    zk = ClusterNodes.quorum();
    Files.createDirectories(dir.resolve("pki"));
    TestPki good = new TestPki(dir.resolve("pki"), "cluster");
    TestPki evil = new TestPki(dir.resolve("pki"), "evil");
    String c = zk.getConnectString();
    Map<String, String> a = ClusterNodes.ini(c, "tls", "a", "edge,rendezvous");
    a.putAll(good.node("a"));
    Map<String, String> b = ClusterNodes.ini(c, "tls", "b", "edge");
    b.putAll(good.node("b"));
    Map<String, String> x = ClusterNodes.ini(c, "tls", "x", "edge");
    x.putAll(evil.node("x"));
    EdgeNode na = start(a);
    EdgeNode nb = start(b);
    EdgeNode nx = start(x);

    await().atMost(Duration.ofSeconds(10)).until(() -> List.of(na, nb, nx).stream()
        .allMatch(n -> ClusterNodes.view(n).size() == 3));
    await().atMost(Duration.ofSeconds(5)).until(() -> na.cluster().node().links().link("b")
        .map(l -> l.isUp()).orElse(false));
    // b reaches a's shard over mutual TLS: a lookup answers (empty) instead of failing
    Key nobody = Key.of(new byte[32]);
    await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> nb.rendezvous().peers().lookup(nobody)
        .toCompletableFuture().get(2, TimeUnit.SECONDS).isEmpty());

    Thread.sleep(1_500);  // several link attempts (0.1 s doubling) have been made by now
    assertThat(na.cluster().node().links().link("x").map(l -> l.isUp()).orElse(false)).isFalse();
    assertThat(nb.cluster().node().links().link("x").map(l -> l.isUp()).orElse(false)).isFalse();
    assertThat(nx.cluster().node().links().links().stream().filter(l -> l.isUp()).count()).isZero();
    // and the evil edge cannot use the cluster's peer directory
    assertThatThrownBy(() -> nx.rendezvous().peers().lookup(nobody).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
  }
}
