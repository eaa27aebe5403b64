package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.edge.app.NodeHooks;
import io.altocumulus.edge.p2p.PeerIndex;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.PeerRecord;
import io.altocumulus.rendezvous.local.LocalRendezvous;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.handshake.PeerIdentity;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.tests.bench.P2pNet;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Introductions around the edges of RTMFP-WIRE §6.2 / §6.3, in memory with a fake clock: a peer
 * whose session moves to a new address is introduced at the new one (index and directory follow);
 * a target whose session is closing is not introduced; an initiator naming itself gets nothing.
 */
class IntroductionEdgeCasesTest {
  static final PeerIdentity A_ID = PeerIdentity.generate(new SecureRandom());
  static final PeerIdentity B_ID = PeerIdentity.generate(new SecureRandom());
  static final InetSocketAddress A = new InetSocketAddress("10.0.0.2", 50000);
  static final InetSocketAddress A_MOVED = new InetSocketAddress("10.0.0.22", 41000);
  static final InetSocketAddress B = new InetSocketAddress("10.0.0.3", 50001);

  @Test
  void aPeerThatMovedIsIntroducedAtItsNewAddress() {
    LocalRendezvous directory = new LocalRendezvous();
    P2pNet net = new P2pNet(directory);
    RtmfpEndpoint ea = net.peer(A, A_ID);
    RtmfpEndpoint eb = net.peer(B, B_ID);
    Session sa = net.connect(ea);
    net.connect(eb);
    net.peerInfo(sa, "192.168.0.2:50000");
    Key aKey = Key.of(A_ID.peerId());
    assertThat(lookup(directory, aKey).addresses().get(0)).isEqualTo(A);

    // A's NAT rebinds: its packets now come from A_MOVED, and the mapping answers there.
    net.rewriteSource.put(A, A_MOVED);
    net.alias(A_MOVED, A);
    // A's keepalive reaches the server from the new address; the server verifies it and moves.
    net.advance(40_000, 500);
    assertThat(sa.isOpen()).isTrue();
    assertThat(sa.address()).isEqualTo(A_MOVED);
    assertThat(net.introducer.addressChanges()).isEqualTo(1);
    PeerIndex index = net.introducer.index();
    assertThat(index.atAddress(A_MOVED)).isNotNull().extracting(PeerIndex.LocalPeer::id).isEqualTo(aKey);
    assertThat(index.atAddress(A)).isNull();
    assertThat(lookup(directory, aKey).addresses())
        .containsExactly(A_MOVED, new InetSocketAddress("192.168.0.2", 50000));

    // B asks for A: the Redirect and the direct session use A's current address.
    Session[] direct = net.connectToPeer(eb, A_ID.peerId());
    net.pump();
    assertThat(direct[0]).isNotNull();
    assertThat(direct[0].address()).isEqualTo(A_MOVED);
    assertThat(net.introducer.introductions()).isEqualTo(1);
  }

  @Test
  void aTargetWhoseSessionIsClosingIsNotIntroduced() {
    P2pNet net = new P2pNet();
    List<byte[]> askedTheApp = new CopyOnWriteArrayList<>();
    net.applications.nodeHooks(new NodeHooks() {
      @Override
      public boolean handlesRendezVousUnknown() {
        return true;
      }

      @Override
      public CompletionStage<List<InetSocketAddress>> onRendezVousUnknown(byte[] peerId) {
        askedTheApp.add(peerId);
        return CompletableFuture.completedFuture(List.of(B));
      }
    });
    RtmfpEndpoint ea = net.peer(A, A_ID);
    RtmfpEndpoint eb = net.peer(B, B_ID);
    net.connect(ea);
    Session sb = net.connect(eb);
    net.peerInfo(sb, "192.168.0.3:50001");
    // The server starts closing B's session while an introduction runs on another loop, before
    // the close reaches the index (here: a handler that does not tell the introducer). B does not
    // hear of it either (its ack would end the session).
    sb.setHandler(new SessionHandler() {
      @Override
      public FlowHandler onFlowOpened(Session session, RecvFlow flow) {
        return null;
      }

      @Override
      public void onClosed(Session session, String reason) {}
    });
    net.filter = d -> !d.to().equals(B);
    sb.close("closing for the test");
    assertThat(net.introducer.index().get(Key.of(B_ID.peerId()))).isNotNull();
    Session[] direct = net.connectToPeer(ea, B_ID.peerId());
    net.pump();
    net.advance(2_500, 100);
    assertThat(direct[0]).isNull();
    assertThat(net.introducer.introductions()).isZero();
    assertThat(net.introducer.notIntroducible()).isGreaterThanOrEqualTo(1);
    assertThat(askedTheApp).isEmpty(); // a closing target is not "unknown"
  }

  @Test
  void anInitiatorNamingItselfGetsNothing() {
    P2pNet net = new P2pNet();
    RtmfpEndpoint ea = net.peer(A, A_ID);
    Session sa = net.connect(ea);
    net.peerInfo(sa, "192.168.0.2:50000");
    net.sent.clear();
    Session[] direct = net.connectToPeer(ea, A_ID.peerId());
    net.pump();
    net.advance(2_500, 100);
    assertThat(direct[0]).isNull();
    assertThat(net.introducer.introductions()).isZero();
    assertThat(net.introducer.selfIntroductions()).isGreaterThanOrEqualTo(2); // each retry too
    // No handshake answer went back to A (its session traffic is all the server sent).
    assertThat(net.sent).filteredOn(d -> d.from().equals(P2pNet.SERVER))
        .allSatisfy(d -> assertThat(d.bytes().length).isGreaterThan(0))
        .noneMatch(d -> isHandshake(d.bytes()));
  }

  static PeerRecord lookup(LocalRendezvous directory, Key key) {
    Optional<PeerRecord> r = directory.lookup(key).toCompletableFuture().join();
    assertThat(r).isPresent();
    return r.get();
  }

  /** Handshake packets travel with session id 0 (RTMFP-WIRE §4): the scrambled id is then 0. */
  static boolean isHandshake(byte[] packet) {
    int id = ((packet[0] & 0xFF) << 24 | (packet[1] & 0xFF) << 16 | (packet[2] & 0xFF) << 8 | (packet[3] & 0xFF))
        ^ ((packet[4] & 0xFF) << 24 | (packet[5] & 0xFF) << 16 | (packet[6] & 0xFF) << 8 | (packet[7] & 0xFF))
        ^ ((packet[8] & 0xFF) << 24 | (packet[9] & 0xFF) << 16 | (packet[10] & 0xFF) << 8 | (packet[11] & 0xFF));
    return id == 0;
  }
}
