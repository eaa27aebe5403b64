package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.NodeHooks;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rendezvous.local.LocalRendezvous;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.PeerConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.session.EndpointConfig;
import io.altocumulus.rtmfp.tc.TcCommand;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** P2P introductions on a real node over loopback UDP, with the project's client as both peers. */
class P2pIT {
  /** Sessions that present the client's peer identity, so other peers can reach it. */
  static final RtmfpClient.ConnectOptions PEER = new RtmfpClient.ConnectOptions().asPeer();

  @TempDir
  Path dir;
  Path www;
  final List<AutoCloseable> toClose = new ArrayList<>();
  EdgeNode node;
  String url;

  static NodeConfig config(Path www) {
    return NodeConfig.fromIni("host=127.0.0.1\nthreads=2\nudpBufferSize=8388608\n", Map.of("www", www.toString()))
        .withPort(0);
  }

  @BeforeEach
  void start() throws Exception {
    www = dir.resolve("www");
    Files.createDirectories(www.resolve("app"));
    node = startNode(new Applications(www));
    url = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/app";
  }

  EdgeNode startNode(Applications apps) throws Exception {
    EdgeNode n = EdgeNode.start(config(www), new EdgeNode.Options().applications(apps));
    toClose.add(0, n);
    return n;
  }

  RtmfpClient client(long handshakeTimeoutMillis) throws Exception {
    EndpointConfig c = new EndpointConfig();
    c.handshakeTimeoutNanos = handshakeTimeoutMillis * 1_000_000L;
    RtmfpClient r = RtmfpClient.open(new InetSocketAddress("127.0.0.1", 0), c);
    toClose.add(0, r);
    return r;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  @Test
  void twoClientsMeetThroughTheServerAndTalkOverTheirDirectSession() throws Exception {
    RtmfpClient a = client(10_000);
    RtmfpClient b = client(10_000);
    ClientNetConnection ncA = a.connect(url, PEER).get(10, TimeUnit.SECONDS);
    ClientNetConnection ncB = b.connect(url, PEER).get(10, TimeUnit.SECONDS);
    // librtmfp style: a wildcard address, which the server completes with the observed IP.
    ncB.setPeerInfo("0.0.0.0:" + b.localAddress().getPort()).get(5, TimeUnit.SECONDS);
    ncA.setPeerInfo("127.0.0.1:" + a.localAddress().getPort()).get(5, TimeUnit.SECONDS);

    List<String> heardByB = new CopyOnWriteArrayList<>();
    List<String> heardByA = new CopyOnWriteArrayList<>();
    AtomicReference<PeerConnection> atB = new AtomicReference<>();
    b.onPeerConnection(pc -> {
      atB.set(pc);
      pc.onCommand(cmd -> {
        heardByB.add(cmd.name() + " " + cmd.args());
        pc.send("reply", "hi " + cmd.args().get(0));
      });
    });

    PeerConnection direct = a.connectToPeer(node.localAddress(), b.peerId()).get(10, TimeUnit.SECONDS);
    direct.onCommand(cmd -> heardByA.add(cmd.name() + " " + cmd.args()));

    assertThat(direct.peerId()).isEqualTo(b.peerId());
    assertThat(direct.address()).isEqualTo(new InetSocketAddress("127.0.0.1", b.localAddress().getPort()));
    await().atMost(Duration.ofSeconds(5)).until(() -> atB.get() != null);
    assertThat(atB.get().peerId()).isEqualTo(a.peerId());
    assertThat(node.introducer().introductions()).isGreaterThanOrEqualTo(1);

    direct.send("hello", "B");
    await().atMost(Duration.ofSeconds(5)).until(() -> heardByA.size() == 1);
    assertThat(heardByB).containsExactly("hello [B]");
    assertThat(heardByA).containsExactly("reply [hi B]");
    // The server relayed none of it: its sessions are the two NetConnections.
    assertThat(node.sessionCount()).isEqualTo(2);
  }

  @Test
  void aPeerOnAnotherEdgeIsIntroducedThroughTheSharedDirectory() throws Exception {
    LocalRendezvous directory = new LocalRendezvous();
    toClose.add(directory);
    EdgeNode one = EdgeNode.start(config(www), new EdgeNode.Options().applications(new Applications(www)).rendezvous(directory));
    toClose.add(0, one);
    EdgeNode two = EdgeNode.start(config(www), new EdgeNode.Options().applications(new Applications(www)).rendezvous(directory));
    toClose.add(0, two);
    RtmfpClient a = client(10_000);
    RtmfpClient b = client(10_000);
    a.connect("rtmfp://127.0.0.1:" + one.localAddress().getPort() + "/app", PEER).get(10, TimeUnit.SECONDS);
    ClientNetConnection ncB = b.connect("rtmfp://127.0.0.1:" + two.localAddress().getPort() + "/app", PEER)
        .get(10, TimeUnit.SECONDS);
    ncB.setPeerInfo("127.0.0.1:" + b.localAddress().getPort()).get(5, TimeUnit.SECONDS);
    List<TcCommand> heardByB = new CopyOnWriteArrayList<>();
    b.onPeerConnection(pc -> pc.onCommand(heardByB::add));

    PeerConnection direct = a.connectToPeer(one.localAddress(), b.peerId()).get(10, TimeUnit.SECONDS);
    direct.send("across", 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> heardByB.size() == 1);
    assertThat(heardByB.get(0).name()).isEqualTo("across");
    assertThat(one.introducer().remoteIntroductions()).isGreaterThanOrEqualTo(1);
    assertThat(two.introducer().introductions()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aTargetWithoutSetPeerInfoIsNotIntroduced() throws Exception {
    RtmfpClient a = client(1_500);
    RtmfpClient b = client(10_000);
    a.connect(url, PEER).get(10, TimeUnit.SECONDS);
    b.connect(url, PEER).get(10, TimeUnit.SECONDS);
    List<PeerConnection> atB = new CopyOnWriteArrayList<>();
    b.onPeerConnection(atB::add);
    CompletableFuture<PeerConnection> f = a.connectToPeer(node.localAddress(), b.peerId());
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("timed out");
    assertThat(node.introducer().notIntroducible()).isGreaterThanOrEqualTo(1);
    assertThat(node.introducer().introductions()).isZero();
    assertThat(atB).isEmpty();
  }

  @Test
  void anUnknownPeerGoesWhereOnRendezVousUnknownSays() throws Exception {
    try (DatagramSocket elsewhere = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      elsewhere.setSoTimeout(5_000);
      List<byte[]> asked = new CopyOnWriteArrayList<>();
      node.applications().nodeHooks(new NodeHooks() {
        @Override
        public boolean handlesRendezVousUnknown() {
          return true;
        }

        @Override
        public CompletionStage<List<InetSocketAddress>> onRendezVousUnknown(byte[] peerId) {
          asked.add(peerId);
          return CompletableFuture.supplyAsync(() -> List.of((InetSocketAddress) elsewhere.getLocalSocketAddress()));
        }
      });
      RtmfpClient a = client(2_000);
      byte[] nobody = new byte[32];
      Arrays.fill(nobody, (byte) 7);
      a.connectToPeer(node.localAddress(), nobody);
      // The Redirect sends the initiator's IHello (with the same peer id) to the address the hook gave.
      DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
      elsewhere.receive(p);
      assertThat(p.getSocketAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", a.localAddress().getPort()));
      // Asked once per IHello that reached the server (the initiator keeps retrying it).
      assertThat(asked).isNotEmpty().allSatisfy(id -> assertThat(id).isEqualTo(nobody));
    }
  }

  @Test
  void anAsynchronousOnHandshakeRedirectsToAnotherNode() throws Exception {
    Files.createDirectories(www.resolve("lb"));
    EdgeNode second = startNode(new Applications(www));
    List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    node.applications().register("lb", new ServerApplication() {
      @Override
      public boolean handlesHandshake() {
        return true;
      }

      @Override
      public CompletionStage<List<InetSocketAddress>> onHandshake(InetSocketAddress from, String path,
          Map<String, String> properties, int attempt) {
        seen.add(properties);
        attempts.add(attempt);
        // Answered later, from another thread, as an app on its own executor does.
        return CompletableFuture.supplyAsync(() -> List.of(second.localAddress()),
            CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
      }
    });
    RtmfpClient c = client(10_000);
    ClientNetConnection nc = c.connect("rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/lb?room=blue&x=1")
        .get(10, TimeUnit.SECONDS);
    assertThat(nc.serverAddress()).isEqualTo(second.localAddress());
    assertThat(seen.get(0)).containsEntry("room", "blue").containsEntry("x", "1");
    assertThat(attempts.get(0)).isEqualTo(1);
    assertThat(second.sessionCount()).isEqualTo(1);
  }
}
