package io.altocumulus.tests;

import static io.altocumulus.tests.ClusterNodes.grpc;
import static io.altocumulus.tests.ClusterNodes.publicAddress;
import static io.altocumulus.tests.ClusterNodes.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.proto.cluster.v1.AdminGrpc;
import io.altocumulus.proto.cluster.v1.NodeRequest;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.PeerConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 "Must show", against a real 3-server ZooKeeper quorum: three edges and two rendezvous
 * nodes as in-process EdgeNodes. A full edge redirects, a drained edge sends new clients elsewhere
 * and keeps its sessions, two clients on different edges meet P2P through the rendezvous shards.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterIT {
  /** Names only a cluster node exports (MetricsIT's lone node has none of them). */
  static final java.util.Set<String> CLUSTER_METRICS = java.util.Set.of("rtmfp_cluster_members",
      "rtmfp_zookeeper_connected", "rtmfp_cluster_links_up", "rtmfp_cluster_redirecting", "rtmfp_zookeeper_writes_total");
  static final RtmfpClient.ConnectOptions PEER = new RtmfpClient.ConnectOptions().asPeer();

  @TempDir
  static Path dir;
  static TestingCluster zk;
  /** e1 takes one session (node.capacity=1); e2, e3 the default. */
  static EdgeNode e1;
  static EdgeNode e2;
  static EdgeNode e3;
  static EdgeNode r1;
  static EdgeNode r2;
  static final List<EdgeNode> all = new ArrayList<>();
  static long startedAtNanos;
  final List<AutoCloseable> toClose = new ArrayList<>();

  /**
   * The root app on every node (one www/ shared by the test's nodes): counts its server links from
   * Lua's point of view and checks that messages from each node arrive in order (issue 6 point 3).
   */
  static final String ROOT_LUA = """
      links = 0
      seqErrors = 0
      received = 0
      local last = {}
      local function onSeq(server, i)
        local prev = last[server.nodeId] or 0
        if i ~= prev + 1 then seqErrors = seqErrors + 1 end
        last[server.nodeId] = i
        received = received + 1
      end
      function onServerConnection(server)
        links = links + 1
        server.seq = onSeq
      end
      function onServerDisconnection(server) links = links - 1 end
      function sendEach(n)
        for i = 1, n do
          for _, s in cumulus.servers:ipairs() do s:send('seq', i) end
        end
      end
      function broadcastAll(n)
        for i = 1, n do cumulus.servers:broadcast('seq', n + i) end
      end
      """;

  static int luaInt(EdgeNode n, String global) throws Exception {
    return n.lua().submit(() -> n.lua().app("").env().get(global).toint()).get(5, TimeUnit.SECONDS);
  }

  static void luaCall(EdgeNode n, String function, int arg) throws Exception {
    n.lua().submit(() -> n.lua().app("").env().get(function).call(org.luaj.vm2.LuaValue.valueOf(arg)))
        .get(10, TimeUnit.SECONDS);
  }

  @BeforeAll
  static void cluster() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("www"));
    java.nio.file.Files.writeString(dir.resolve("www/main.lua"), ROOT_LUA);
    zk = ClusterNodes.quorum();
    String c = zk.getConnectString();
    startedAtNanos = System.nanoTime();
    r1 = start(ClusterNodes.ini(c, "it", "r1", "rendezvous"));
    r2 = start(ClusterNodes.ini(c, "it", "r2", "rendezvous"));
    Map<String, String> full = ClusterNodes.ini(c, "it", "e1", "edge");
    full.put("node.capacity", "1");
    e1 = start(full);
    e2 = start(ClusterNodes.ini(c, "it", "e2", "edge"));
    e3 = start(ClusterNodes.ini(c, "it", "e3", "edge"));
    await().atMost(Duration.ofSeconds(10)).until(() -> all.stream().allMatch(n -> ClusterNodes.view(n).size() == 5
        && n.cluster().node().links().links().stream().filter(l -> l.isUp()).count() == 4
        && n.cluster().shardTargets().size() == 2));
    System.out.printf("ClusterIT: 5 nodes started, all registered, linked and sharded in %d ms%n",
        (System.nanoTime() - startedAtNanos) / 1_000_000);
  }

  static EdgeNode start(Map<String, String> ini) throws Exception {
    EdgeNode n = ClusterNodes.start(dir.resolve("www"), ini);
    all.add(n);
    return n;
  }

  @AfterAll
  static void stop() throws Exception {
    for (EdgeNode n : all) {
      n.close();
    }
    if (zk != null) {
      zk.close();
    }
  }

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  RtmfpClient client() throws Exception {
    return ClusterNodes.client(toClose);
  }

  static String addressOf(ClientNetConnection nc) {
    return "127.0.0.1:" + nc.serverAddress().getPort();
  }

  @Test
  void aClientReachingAFullEdgeIsRedirectedAndConnectsToAnother() throws Exception {
    ClientNetConnection first = client().connect(url(e1)).get(10, TimeUnit.SECONDS);
    assertThat(addressOf(first)).isEqualTo(publicAddress(e1));
    // the decision is refreshed every 100 ms from the live session count (10 ms ticks)
    await().atMost(Duration.ofSeconds(2)).until(() -> e1.cluster().loadRedirect() != null);

    ClientNetConnection second = client().connect(url(e1)).get(10, TimeUnit.SECONDS);
    assertThat(addressOf(second)).isIn(publicAddress(e2), publicAddress(e3));
    assertThat(e1.sessionCount()).isEqualTo(1);
    assertThat(e1.edgeMetrics().node().scrape()).contains("rtmfp_redirects_total{reason=\"load\"} 1.0");
    // the first client's session is untouched
    assertThat(first.closed()).isNotDone();
  }

  @Test
  void drainThroughTheAdminServiceSendsNewClientsElsewhereWhileExistingSessionsStay() throws Exception {
    ClientNetConnection existing = client().connect(url(e2)).get(10, TimeUnit.SECONDS);
    assertThat(addressOf(existing)).isEqualTo(publicAddress(e2));
    ManagedChannel ch = Grpc.newChannelBuilder(grpc(e3), InsecureChannelCredentials.create()).build();
    try {
      // asked of e3, forwarded by it to e2
      var admin = AdminGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS);
      assertThat(admin.drain(NodeRequest.newBuilder().setNodeId("e2").build()).getNode().getDraining()).isTrue();
      await().atMost(Duration.ofSeconds(2)).until(() -> e2.cluster().loadRedirect() != null);
      // every other edge stops listing e2 once ZooKeeper tells it
      await().atMost(Duration.ofSeconds(2)).until(() -> !e3.cluster().redirectTargets().contains(publicAddress(e2))
          && !e1.cluster().redirectTargets().contains(publicAddress(e2)));

      ClientNetConnection fresh = client().connect(url(e2)).get(10, TimeUnit.SECONDS);
      assertThat(addressOf(fresh)).isNotEqualTo(publicAddress(e2));
      // the existing session still works (e2's session count is no witness: sessions other tests
      // closed linger there for a while)
      assertThat(existing.closed()).isNotDone();
      existing.setPeerInfo("127.0.0.1:1").get(5, TimeUnit.SECONDS);
    } finally {
      AdminGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
          .undrain(NodeRequest.newBuilder().setNodeId("e2").build());
      ch.shutdownNow();
    }
    await().atMost(Duration.ofSeconds(2)).until(() -> e2.cluster().loadRedirect() == null);
  }

  @Test
  void twoClientsOnDifferentEdgesMeetPeerToPeerThroughTheShards() throws Exception {
    RtmfpClient a = client();
    RtmfpClient b = client();
    ClientNetConnection ncA = a.connect(url(e3), PEER).get(10, TimeUnit.SECONDS);
    ClientNetConnection ncB = b.connect(url(e2), PEER).get(10, TimeUnit.SECONDS);
    assertThat(addressOf(ncA)).isEqualTo(publicAddress(e3));
    assertThat(addressOf(ncB)).isEqualTo(publicAddress(e2));
    ncB.setPeerInfo("127.0.0.1:" + b.localAddress().getPort()).get(5, TimeUnit.SECONDS);
    // the registration reaches its shard asynchronously
    var key = io.altocumulus.rendezvous.Key.of(b.peerId());
    await().atMost(Duration.ofSeconds(5)).until(() -> e3.rendezvous().peers().lookup(key)
        .toCompletableFuture().get(2, TimeUnit.SECONDS).isPresent());
    List<TcCommand> heardByB = new CopyOnWriteArrayList<>();
    b.onPeerConnection(pc -> pc.onCommand(heardByB::add));

    PeerConnection direct = a.connectToPeer(e3.localAddress(), b.peerId()).get(10, TimeUnit.SECONDS);
    direct.send("across", 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> heardByB.size() == 1);
    assertThat(heardByB.get(0).name()).isEqualTo("across");
    assertThat(e3.introducer().remoteIntroductions()).isGreaterThanOrEqualTo(1);
    assertThat(e2.introducer().introductions()).isGreaterThanOrEqualTo(1);
    // the peer's record lives on exactly one of the two shards
    int held = (r1.cluster().shard().local().peers().lookup(key).toCompletableFuture().get().isPresent() ? 1 : 0)
        + (r2.cluster().shard().local().peers().lookup(key).toCompletableFuture().get().isPresent() ? 1 : 0);
    assertThat(held).isEqualTo(1);
  }

  @Test
  void clusterMetricsAreExposed() {
    String text = e2.metrics().scrape();
    assertThat(text).contains("rtmfp_cluster_members 5.0").contains("rtmfp_zookeeper_connected 1.0")
        .contains("rtmfp_cluster_links_up 4.0").contains("rtmfp_zookeeper_writes_total");
    for (String name : CLUSTER_METRICS) {
      assertThat(text).contains("\n" + name);
    }
  }

  @Test
  void luaSeesServerLinksComeAndGoAndMessagesArriveInOrder() throws Exception {
    for (EdgeNode n : all) {
      await().atMost(Duration.ofSeconds(5)).until(() -> luaInt(n, "links") == 4);
    }
    // A node joins: onServerConnection on every other node within 2 s.
    long t0 = System.nanoTime();
    EdgeNode e4 = ClusterNodes.start(dir.resolve("www"), ClusterNodes.ini(zk.getConnectString(), "it", "e4", "edge"));
    try {
      await().atMost(Duration.ofSeconds(2)).until(() -> {
        for (EdgeNode n : all) {
          if (luaInt(n, "links") != 5) {
            return false;
          }
        }
        return true;
      });
      System.out.printf("ClusterIT: onServerConnection on all 5 other nodes %d ms after e4 started%n",
          (System.nanoTime() - t0) / 1_000_000);
      await().atMost(Duration.ofSeconds(5)).until(() -> luaInt(e4, "links") == 5);
      // server:send to each link, then servers:broadcast, from e4: each node gets 2 x 200 in order.
      luaCall(e4, "sendEach", 200);
      luaCall(e4, "broadcastAll", 200);
      for (EdgeNode n : all) {
        await().atMost(Duration.ofSeconds(10)).until(() -> luaInt(n, "received") >= 400);
        assertThat(luaInt(n, "received")).isEqualTo(400);
        assertThat(luaInt(n, "seqErrors")).isZero();
      }
    } finally {
      e4.close();
    }
    // It leaves: onServerDisconnection everywhere.
    for (EdgeNode n : all) {
      await().atMost(Duration.ofSeconds(5)).until(() -> luaInt(n, "links") == 4);
    }
  }
}
