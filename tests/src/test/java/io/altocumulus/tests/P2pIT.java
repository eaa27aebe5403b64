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
import io.altocumulus.rtmfp.client.ClientNetStream;
import io.altocumulus.rtmfp.client.DirectNetStream;
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

  /**
   * Issue 5 point 4: a NetStream over the direct session. B publishes to direct connections
   * (Flash's NetStream.DIRECT_CONNECTIONS); A plays it by name over its session to B and gets the
   * status, the data message and the media in order with their timestamps; the server carries none.
   */
  @Test
  void aPeerPlaysAStreamPublishedToDirectConnections() throws Exception {
    RtmfpClient a = client(10_000);
    RtmfpClient b = client(10_000);
    a.connect(url, PEER).get(10, TimeUnit.SECONDS);
    ClientNetConnection ncB = b.connect(url, PEER).get(10, TimeUnit.SECONDS);
    ncB.setPeerInfo("127.0.0.1:" + b.localAddress().getPort()).get(5, TimeUnit.SECONDS);
    DirectNetStream published = b.createDirectStream();
    published.publish("cam").get(5, TimeUnit.SECONDS);
    List<String> asked = new CopyOnWriteArrayList<>();
    published.onPeerConnect(pc -> {
      asked.add(java.util.HexFormat.of().formatHex(pc.peerId()));
      return true;
    });

    PeerConnection direct = a.connectToPeer(node.localAddress(), b.peerId()).get(10, TimeUnit.SECONDS);
    ClientNetStream player = direct.createStream();
    List<String> codes = new CopyOnWriteArrayList<>();
    List<String> got = new CopyOnWriteArrayList<>();
    player.onStatus(e -> codes.add(e.code()));
    player.onAudio((ts, buf, off, len) -> got.add("audio " + ts + " " + hex(buf, off, len)));
    player.onVideo((ts, buf, off, len) -> got.add("video " + ts + " " + hex(buf, off, len)));
    player.onData((handler, values) -> got.add("data " + handler + " " + values));
    player.play("cam");
    await().atMost(Duration.ofSeconds(5)).until(() -> codes.contains("NetStream.Play.Start"));
    await().atMost(Duration.ofSeconds(5)).until(() -> published.subscriberCount() == 1);
    assertThat(codes).containsExactly("NetStream.Play.Reset", "NetStream.Play.Start");
    assertThat(asked).containsExactly(java.util.HexFormat.of().formatHex(a.peerId()));

    // AAC sequence header, then frames; an AVC sequence header, a keyframe, an inter frame.
    published.sendAudio(0, new byte[] {(byte) 0xAF, 0x00, 0x12, 0x10});
    published.sendVideo(0, new byte[] {0x17, 0x00, 0x00, 0x00, 0x00, 0x01});
    published.sendVideo(0, new byte[] {0x17, 0x01, 0x00, 0x00, 0x00, 0x55});
    published.sendAudio(23, new byte[] {(byte) 0xAF, 0x01, 0x21});
    published.sendAudio(46, new byte[] {(byte) 0xAF, 0x01, 0x22});
    published.sendVideo(40, new byte[] {0x27, 0x01, 0x00, 0x00, 0x00, 0x66});
    published.send("onCue", "intro", 3.0);
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 8); // with |RtmpSampleAccess

    assertThat(got).filteredOn(s -> s.startsWith("audio")).containsExactly(
        "audio 0 af001210", "audio 23 af0121", "audio 46 af0122");
    assertThat(got).filteredOn(s -> s.startsWith("video")).containsExactly(
        "video 0 170000000001", "video 0 170100000055", "video 40 270100000066");
    assertThat(got).filteredOn(s -> s.startsWith("data")).containsExactly(
        "data |RtmpSampleAccess [false, false]", "data onCue [intro, 3.0]");
    assertThat(player.serverFlows()).isEqualTo(3); // status/data, audio, video (RTMFP-WIRE §8.8)
    assertThat(player.streamBegins()).isEqualTo(1);
    // The server saw none of it: no publication, and its sessions are the two NetConnections.
    assertThat(node.streams().count()).isZero();
    assertThat(node.sessionCount()).isEqualTo(2);

    // Unpublishing tells the player.
    published.close().get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> codes.contains("NetStream.Play.UnpublishNotify"));
    assertThat(published.subscriberCount()).isZero();
  }

  @Test
  void playingANameThePeerDoesNotPublishFails() throws Exception {
    RtmfpClient a = client(10_000);
    RtmfpClient b = client(10_000);
    a.connect(url, PEER).get(10, TimeUnit.SECONDS);
    ClientNetConnection ncB = b.connect(url, PEER).get(10, TimeUnit.SECONDS);
    ncB.setPeerInfo("127.0.0.1:" + b.localAddress().getPort()).get(5, TimeUnit.SECONDS);
    b.createDirectStream().publish("cam").get(5, TimeUnit.SECONDS);
    DirectNetStream refusing = b.createDirectStream();
    refusing.publish("private").get(5, TimeUnit.SECONDS);
    refusing.onPeerConnect(pc -> false);
    assertThatThrownBy(() -> b.createDirectStream().publish("cam").get(5, TimeUnit.SECONDS))
        .hasMessageContaining("already published");

    PeerConnection direct = a.connectToPeer(node.localAddress(), b.peerId()).get(10, TimeUnit.SECONDS);
    List<String> codes = new CopyOnWriteArrayList<>();
    direct.createStream().onStatus(e -> codes.add("nothing " + e.code()));
    ClientNetStream p1 = direct.createStream();
    p1.onStatus(e -> codes.add("nobody " + e.code()));
    p1.play("nobody");
    ClientNetStream p2 = direct.createStream();
    p2.onStatus(e -> codes.add("private " + e.code()));
    p2.play("private");
    await().atMost(Duration.ofSeconds(5)).until(() -> codes.size() == 2);
    assertThat(codes).containsExactlyInAnyOrder("nobody NetStream.Play.Failed", "private NetStream.Play.Failed");
    assertThat(refusing.subscriberCount()).isZero();
  }

  /** RTMFP-WIRE §8.8 toward a late player: codec configuration first, video from a keyframe. */
  @Test
  void aLatePlayerGetsTheCodecConfigurationAndStartsAtAKeyframe() throws Exception {
    RtmfpClient a = client(10_000);
    RtmfpClient b = client(10_000);
    a.connect(url, PEER).get(10, TimeUnit.SECONDS);
    ClientNetConnection ncB = b.connect(url, PEER).get(10, TimeUnit.SECONDS);
    ncB.setPeerInfo("127.0.0.1:" + b.localAddress().getPort()).get(5, TimeUnit.SECONDS);
    DirectNetStream published = b.createDirectStream();
    published.publish("live").get(5, TimeUnit.SECONDS);
    // Sent before anyone plays: only the sequence headers are kept.
    published.sendAudio(0, new byte[] {(byte) 0xAF, 0x00, 0x12, 0x10});
    published.sendVideo(0, new byte[] {0x17, 0x00, 0x00, 0x00, 0x00, 0x01});
    published.sendVideo(0, new byte[] {0x17, 0x01, 0x00, 0x00, 0x00, 0x55});

    PeerConnection direct = a.connectToPeer(node.localAddress(), b.peerId()).get(10, TimeUnit.SECONDS);
    ClientNetStream player = direct.createStream();
    List<String> got = new CopyOnWriteArrayList<>();
    player.onAudio((ts, buf, off, len) -> got.add("audio " + ts + " " + hex(buf, off, len)));
    player.onVideo((ts, buf, off, len) -> got.add("video " + ts + " " + hex(buf, off, len)));
    player.play("live");
    await().atMost(Duration.ofSeconds(5)).until(() -> published.subscriberCount() == 1);
    published.sendVideo(1000, new byte[] {0x27, 0x01, 0x00, 0x00, 0x00, 0x66}); // inter frame: dropped
    published.sendAudio(1010, new byte[] {(byte) 0xAF, 0x01, 0x21});
    published.sendVideo(1040, new byte[] {0x17, 0x01, 0x00, 0x00, 0x00, 0x77});
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 4);
    assertThat(got).filteredOn(s -> s.startsWith("audio")).containsExactly("audio 1010 af001210", "audio 1010 af0121");
    assertThat(got).filteredOn(s -> s.startsWith("video")).containsExactly("video 1040 170000000001",
        "video 1040 170100000077");
  }

  static String hex(byte[] buf, int off, int len) {
    return java.util.HexFormat.of().formatHex(buf, off, off + len);
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
