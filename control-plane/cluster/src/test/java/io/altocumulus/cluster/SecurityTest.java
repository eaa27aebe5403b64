package io.altocumulus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.altocumulus.cluster.link.LinkCredentials;
import io.altocumulus.cluster.membership.ZooKeeperClients;
import io.altocumulus.proto.cluster.v1.AdminGrpc;
import io.altocumulus.proto.cluster.v1.ListNodesRequest;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Mutual TLS on the links and the admin service; ZooKeeper ACLs on the registrations. */
class SecurityTest {
  static TestingServer zk;
  static Path dir;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void server() throws Exception {
    dir = Path.of(System.getProperty("java.io.tmpdir"), "pki-" + System.nanoTime());
    Files.createDirectories(dir);
    zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 200, -1), true);
  }

  @AfterAll
  static void stop() throws Exception {
    zk.close();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  ClusterNode node(String id, Map<String, String> tls, Recorder r) throws Exception {
    Map<String, String> ini = new HashMap<>(Nodes.ini(zk.getConnectString(), "secure", id));
    ini.putAll(tls);
    ClusterNode n = ClusterNode.start(ClusterConfig.fromIni(ini).orElseThrow(), zk.getConnectString(), r);
    open.add(0, n);
    return n;
  }

  @Test
  void nodesWithTheClusterCaLinkAndANodeWithAnotherCaIsRefused() throws Exception {
    TestPki cluster = new TestPki(dir, "cluster");
    TestPki rogue = new TestPki(dir, "rogue");
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    Recorder rz = new Recorder();
    ClusterNode a = node("a", cluster.node("a"), ra);
    ClusterNode b = node("b", cluster.node("b"), rb);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.links().link("b").isPresent() && b.links().link("a").isPresent());
    assertThat(a.links().link("b").orElseThrow().send("hi", new byte[] {1})).isTrue();
    await().atMost(Duration.ofSeconds(2)).until(() -> rb.named("msg a hi").size() == 1);

    // "0" sorts first: it dials a and b, whose servers refuse its certificate
    ClusterNode z = node("0", rogue.node("0"), rz);
    await().atMost(Duration.ofSeconds(3)).until(() -> a.membership().nodes().containsKey("0"));
    Thread.sleep(1_500);
    assertThat(rz.named("up")).isEmpty();
    assertThat(ra.named("up 0")).isEmpty();
    assertThat(rb.named("up 0")).isEmpty();
    assertThat(z.links().links()).isEmpty();

    // the admin service asks for a cluster certificate too
    ClusterConfig.Tls rogueTls = new ClusterConfig.Tls(dir.resolve("0.pem"), dir.resolve("0.key"), cluster.caFile);
    ManagedChannel ch = Grpc.newChannelBuilder("127.0.0.1:" + a.grpcPort(),
        LinkCredentials.mutualTls(rogueTls).channel()).build();
    try {
      assertThatThrownBy(() -> AdminGrpc.newBlockingStub(ch).listNodes(ListNodesRequest.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class);
    } finally {
      ch.shutdownNow();
    }
    ClusterConfig.Tls goodTls = new ClusterConfig.Tls(dir.resolve("a.pem"), dir.resolve("a.key"), cluster.caFile);
    ManagedChannel ok = Grpc.newChannelBuilder("127.0.0.1:" + b.grpcPort(),
        LinkCredentials.mutualTls(goodTls).channel()).build();
    try {
      assertThat(AdminGrpc.newBlockingStub(ok).listNodes(ListNodesRequest.getDefaultInstance()).getNodesCount()).isEqualTo(3);
    } finally {
      ok.shutdownNow();
    }
  }

  @Test
  void registrationsCannotBeWrittenWithoutTheClusterCredentials() throws Exception {
    ClusterNode a = node("a", Map.of(), new Recorder());
    assertThat(a.membership().awaitRegistered(Duration.ofSeconds(5))).isTrue();
    try (CuratorFramework stranger = ZooKeeperClients.create(zk.getConnectString(), Duration.ofSeconds(3),
             Duration.ofSeconds(3), Optional.empty(), false);
         CuratorFramework wrong = ZooKeeperClients.create(zk.getConnectString(), Duration.ofSeconds(3),
             Duration.ofSeconds(3), Optional.of("altocumulus:guess"), false)) {
      stranger.start();
      wrong.start();
      for (CuratorFramework c : List.of(stranger, wrong)) {
        assertThatThrownBy(() -> c.create().forPath("/secure/nodes/evil", new byte[0]))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> c.setData().forPath("/secure/nodes/a", new byte[0]))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> c.delete().forPath("/secure/nodes/a"))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> c.getData().forPath("/secure/nodes/a"))
            .isInstanceOf(KeeperException.NoAuthException.class);
      }
    }
    assertThat(a.membership().node("a")).isPresent();
  }
}
