package io.altocumulus.edge.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.edge.config.NodeConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UdpNodeTest {
  static final int CLIENTS = 40;
  static final int BUFFER = 32768;

  /** What an endpoint saw: which endpoint, and whether it ran on its own loop thread. */
  record Seen(int loopIndex, boolean onOwnLoop, byte[] bytes) {}

  static final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
  static final AtomicInteger[] ticks = {new AtomicInteger(), new AtomicInteger()};
  static final AtomicInteger closes = new AtomicInteger();
  static UdpNode node;

  /** Echoes every datagram back and records the loop that handled it. */
  static final LoopEndpointFactory ECHO = (int loopIndex, int loopCount, DatagramOutput out, Executor loop) ->
      new LoopEndpoint() {
        @Override
        public void onDatagram(ByteBuffer datagram, InetSocketAddress from) {
          assertThat(datagram.hasArray()).isTrue();
          byte[] b = new byte[datagram.remaining()];
          datagram.duplicate().get(b);
          seen.add(new Seen(loopIndex, ((EventLoop) loop).inEventLoop(), b));
          out.send(datagram, from);
        }

        @Override
        public void onReadComplete() {}

        @Override
        public void onTick() {
          if (loopIndex < ticks.length && ((EventLoop) loop).inEventLoop()) {
            ticks[loopIndex].incrementAndGet();
          }
        }

        @Override
        public void close() {
          closes.incrementAndGet();
        }
      };

  @BeforeAll
  static void start() throws Exception {
    NodeConfig cfg = NodeConfig.fromIni("", Map.of("host", "127.0.0.1", "threads", "2",
        "udpBufferSize", String.valueOf(BUFFER))).withPort(0);
    node = new UdpNode(cfg, ECHO);
    node.start();
  }

  @AfterAll
  static void stop() {
    int before = closes.get();
    node.close();
    assertThat(closes.get() - before).as("close() on each loop's endpoint").isEqualTo(2);
  }

  @Test
  void bindsOneSocketPerLoopOnOnePort() {
    assertThat(node.isEpoll()).as("epoll on this Linux machine").isTrue();
    assertThat(node.loopCount()).isEqualTo(2);
    List<InetSocketAddress> bound = node.boundAddresses();
    assertThat(bound).hasSize(2);
    assertThat(bound.get(0).getPort()).isPositive().isEqualTo(bound.get(1).getPort());
  }

  /** Handshake datagrams (session id 0) stay on the loop whose socket read them. */
  @Test
  void manyClientsAllGetEchoes() throws Exception {
    seen.clear();
    List<byte[]> replies = exchange(0, CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
      assertThat(replies.get(i)).isEqualTo(payload(0, i));
    }
    // SO_REUSEPORT spreads 40 source ports over both sockets (all on one: p = 2^-39).
    assertThat(seen).extracting(Seen::loopIndex).contains(0, 1);
    assertThat(seen).allMatch(Seen::onOwnLoop);
  }

  /** A datagram for a session of loop 1 is handled by loop 1 even when loop 0's socket reads it. */
  @Test
  void sessionOfLoopOneIsHandedOverToLoopOne() throws Exception {
    seen.clear();
    long handoversBefore = node.stats().handovers(0);
    int sessionId = 0x5A_3C_7E_01; // low byte 1 = loop 1
    List<byte[]> replies = exchange(sessionId, CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
      assertThat(replies.get(i)).isEqualTo(payload(sessionId, i));
    }
    assertThat(seen).hasSize(CLIENTS).allMatch(s -> s.loopIndex() == 1 && s.onOwnLoop());
    assertThat(node.stats().handovers(0) - handoversBefore).as("datagrams read on loop 0").isPositive();
    assertThat(node.stats().handovers(1)).isZero();
  }

  /** A low byte naming a loop that does not exist stays where it was read. */
  @Test
  void unknownLoopStaysOnReadingLoop() {
    assertThat(UdpNode.ownerLoop(0, 2, 1)).isEqualTo(1);
    assertThat(UdpNode.ownerLoop(0x100, 2, 1)).isEqualTo(0);
    assertThat(UdpNode.ownerLoop(0x101, 2, 0)).isEqualTo(1);
    assertThat(UdpNode.ownerLoop(0x105, 2, 0)).isEqualTo(0);
  }

  @Test
  void socketBuffersApplied() {
    for (Channel ch : node.channels()) {
      // Linux doubles the requested size for its bookkeeping.
      assertThat(ch.config().getOption(ChannelOption.SO_RCVBUF)).isBetween(BUFFER, 2 * BUFFER);
      assertThat(ch.config().getOption(ChannelOption.SO_SNDBUF)).isBetween(BUFFER, 2 * BUFFER);
    }
  }

  @Test
  void ticksRunOnEachLoop() throws Exception {
    long deadline = System.nanoTime() + 2_000_000_000L;
    while ((ticks[0].get() < 3 || ticks[1].get() < 3) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(ticks[0].get()).isGreaterThanOrEqualTo(3);
    assertThat(ticks[1].get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void countsTraffic() throws Exception {
    long in = node.stats().datagramsIn();
    long out = node.stats().datagramsOut();
    exchange(0, 3);
    assertThat(node.stats().datagramsIn() - in).isEqualTo(3);
    assertThat(node.stats().datagramsOut() - out).isEqualTo(3);
    assertThat(node.stats().bytesIn()).isPositive();
  }

  @Test
  void bindsIpv6Loopback() throws Exception {
    Assumptions.assumeTrue(hasIpv6Loopback(), "no IPv6 loopback here");
    NodeConfig cfg = NodeConfig.fromIni("", Map.of("host", "::1", "threads", "2")).withPort(0);
    try (UdpNode v6 = new UdpNode(cfg, ECHO)) {
      v6.start();
      InetSocketAddress a = v6.boundAddresses().get(0);
      assertThat(a.getAddress()).isInstanceOf(Inet6Address.class);
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("::1", 0))) {
        s.setSoTimeout(2000);
        byte[] p = payload(0, 7);
        s.send(new DatagramPacket(p, p.length, a));
        DatagramPacket r = new DatagramPacket(new byte[2048], 2048);
        s.receive(r);
        assertThat(Arrays.copyOf(r.getData(), r.getLength())).isEqualTo(p);
      }
    }
  }

  @Test
  void nioFallbackRunsOneLoop() throws Exception {
    NodeConfig cfg = NodeConfig.fromIni("", Map.of("host", "127.0.0.1", "threads", "2")).withPort(0);
    try (UdpNode nio = new UdpNode(cfg, ECHO, 10, true)) {
      nio.start();
      assertThat(nio.isEpoll()).isFalse();
      assertThat(nio.loopCount()).isEqualTo(1);
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
        s.setSoTimeout(2000);
        byte[] p = payload(0x0301, 1); // names loop 1, which does not exist: stays on loop 0
        s.send(new DatagramPacket(p, p.length, nio.boundAddresses().get(0)));
        DatagramPacket r = new DatagramPacket(new byte[2048], 2048);
        s.receive(r);
        assertThat(Arrays.copyOf(r.getData(), r.getLength())).isEqualTo(p);
      }
    }
  }

  private static boolean hasIpv6Loopback() {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
      return NetworkInterface.getNetworkInterfaces() != null;
    } catch (Exception e) {
      return false;
    }
  }

  /** A fake RTMFP packet: scrambled id word, two words, then a marker; unscrambles to sessionId. */
  static byte[] payload(int sessionId, int client) {
    ByteBuffer b = ByteBuffer.allocate(20);
    int w1 = 0x11223344 * (client + 1);
    int w2 = 0x0F0E0D0C ^ client;
    b.putInt(sessionId ^ w1 ^ w2).putInt(w1).putInt(w2).putInt(client).putInt(0xCAFEBABE);
    return b.array();
  }

  /** Each of {@code clients} sockets (distinct ports) sends one datagram and reads its echo. */
  private static List<byte[]> exchange(int sessionId, int clients) throws Exception {
    InetSocketAddress server = node.boundAddresses().get(0);
    List<DatagramSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        s.setSoTimeout(2000);
        sockets.add(s);
        byte[] p = payload(sessionId, i);
        s.send(new DatagramPacket(p, p.length, server));
      }
      List<byte[]> replies = new ArrayList<>();
      for (DatagramSocket s : sockets) {
        DatagramPacket r = new DatagramPacket(new byte[2048], 2048);
        s.receive(r);
        assertThat(r.getPort()).isEqualTo(server.getPort());
        replies.add(Arrays.copyOf(r.getData(), r.getLength()));
      }
      return replies;
    } finally {
      sockets.forEach(DatagramSocket::close);
    }
  }
}
