package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.handshake.PeerIdentity;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.tests.bench.P2pNet;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RTMFP-WIRE §6.3 address cycling, in memory with a fake clock: the target is told the
 * initiator's address {@code (n + sameIp) mod count} of its book on the n-th retry; observed as the
 * addresses the target sends its RHellos to (it answers each forwarded IHello at the reply address).
 */
class IntroductionCycleTest {
  static final PeerIdentity A_ID = PeerIdentity.generate(new SecureRandom());
  static final PeerIdentity B_ID = PeerIdentity.generate(new SecureRandom());

  /** Runs an introduction whose answers never get through and returns where B sent RHellos. */
  static List<InetSocketAddress> replies(InetSocketAddress a, InetSocketAddress b, String... aReported) {
    P2pNet net = new P2pNet();
    RtmfpEndpoint ea = net.peer(a, A_ID);
    RtmfpEndpoint eb = net.peer(b, B_ID);
    Session sa = net.connect(ea);
    Session sb = net.connect(eb);
    net.peerInfo(sa, aReported);
    net.peerInfo(sb, "192.168.0.3:" + b.getPort());
    net.sent.clear();
    // Nothing passes between the peers: A keeps retrying through the server (1 s apart).
    net.filter = d -> d.from().equals(P2pNet.SERVER) || d.to().equals(P2pNet.SERVER);
    Session[] direct = net.connectToPeer(ea, B_ID.peerId());
    net.pump();
    net.advance(3_500, 100);
    assertThat(direct[0]).isNull();
    assertThat(net.introducer.introductions()).isEqualTo(4);
    return net.sent.stream().filter(d -> d.from().equals(b) && !d.to().equals(P2pNet.SERVER))
        .map(P2pNet.Datagram::to).toList();
  }

  @Test
  void retriesWalkTheInitiatorsAddressBook() {
    InetSocketAddress a = new InetSocketAddress("10.0.0.2", 50000);
    InetSocketAddress b = new InetSocketAddress("10.0.0.3", 50001);
    InetSocketAddress p1 = new InetSocketAddress("192.168.0.2", 50000);
    InetSocketAddress p2 = new InetSocketAddress("192.168.0.12", 50000);
    assertThat(replies(a, b, "192.168.0.2:50000", "192.168.0.12:50000")).containsExactly(a, p1, p2, a);
  }

  @Test
  void behindTheSamePublicAddressThePrivateOneComesFirst() {
    InetSocketAddress a = new InetSocketAddress("10.0.0.2", 50000);
    InetSocketAddress b = new InetSocketAddress("10.0.0.2", 50001);
    InetSocketAddress p1 = new InetSocketAddress("192.168.0.2", 50000);
    assertThat(replies(a, b, "192.168.0.2:50000")).containsExactly(p1, a, p1, a);
  }

  @Test
  void aWildcardTakesTheObservedAddress() {
    InetSocketAddress a = new InetSocketAddress("10.0.0.2", 50000);
    InetSocketAddress b = new InetSocketAddress("10.0.0.3", 50001);
    // librtmfp reports 0.0.0.0:port; the server substitutes the observed IP.
    assertThat(replies(a, b, "0.0.0.0:50007")).containsExactly(a, new InetSocketAddress("10.0.0.2", 50007), a,
        new InetSocketAddress("10.0.0.2", 50007));
  }
}
