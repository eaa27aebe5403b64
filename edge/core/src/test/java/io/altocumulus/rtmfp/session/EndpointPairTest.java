package io.altocumulus.rtmfp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.tc.TcMetadata;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.PeerAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A responder and an initiator endpoint over {@link MemoryNetwork}, driven by a fake clock. */
class EndpointPairTest {
  static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 1935);
  static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.2", 50000);
  static final ServerIdentity IDENTITY = ServerIdentity.generate(new SecureRandom());

  MemoryNetwork net;
  DropCounters serverDrops;
  DropCounters clientDrops;
  RtmfpEndpoint server;
  RtmfpEndpoint client;
  final List<Session> serverSessions = new ArrayList<>();
  final List<byte[]> serverReceived = new ArrayList<>();
  final List<byte[]> clientReceived = new ArrayList<>();
  final List<String> serverClosed = new ArrayList<>();
  final List<String> clientClosed = new ArrayList<>();
  HelloDecision decision = HelloDecision.ACCEPT;
  /** When set, the echo is deferred (as an app on another thread answers) with acks held. */
  boolean deferEcho;
  Runnable pendingEcho;

  /** Server side: echoes every message back on a return flow. */
  final class EchoHandler implements SessionHandler {
    SendFlow reply;

    @Override
    public FlowHandler onFlowOpened(Session session, RecvFlow flow) {
      if (flow.metadata()[0] == 'X') {
        return null; // refused flow kind
      }
      return (f, buf, off, len) -> {
        byte[] m = Arrays.copyOfRange(buf, off, off + len);
        serverReceived.add(m);
        if (reply == null) {
          reply = session.openFlow(f.metadata(), f.flowId());
        }
        if (deferEcho) {
          session.holdAcks(50_000_000L);
          pendingEcho = () -> {
            session.releaseAcks();
            session.write(reply, m, true);
          };
          return;
        }
        session.write(reply, m, true);
      };
    }

    @Override
    public void onClosed(Session session, String reason) {
      serverClosed.add(reason);
    }
  }

  class ClientHandler implements SessionHandler {
    @Override
    public FlowHandler onFlowOpened(Session session, RecvFlow flow) {
      return (f, buf, off, len) -> clientReceived.add(Arrays.copyOfRange(buf, off, off + len));
    }

    @Override
    public void onClosed(Session session, String reason) {
      clientClosed.add(reason);
    }
  }

  @BeforeEach
  void setUp() {
    net = new MemoryNetwork();
    serverDrops = new DropCounters();
    clientDrops = new DropCounters();
    ResponderPolicy policy = new ResponderPolicy() {
      @Override
      public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
        return decision;
      }

      @Override
      public SessionHandler onSessionOpened(Session session) {
        serverSessions.add(session);
        return new EchoHandler();
      }
    };
    server = net.endpoint(SERVER, serverDrops, IDENTITY, policy, new EndpointConfig(), 3);
    client = net.endpoint(CLIENT, clientDrops, null, null, new EndpointConfig(), 0);
  }

  Session connect(DhGroup group) {
    Session[] out = new Session[1];
    String[] failure = new String[1];
    client.connect(SERVER, EndpointDiscriminator.forUrl("rtmfp://localhost/app"), group,
        new RtmfpEndpoint.ConnectListener() {
          @Override
          public void onConnected(Session session) {
            session.setHandler(new ClientHandler());
            out[0] = session;
          }

          @Override
          public void onFailed(String reason) {
            failure[0] = reason;
          }
        });
    net.pump();
    assertThat(failure[0]).isNull();
    return out[0];
  }

  @Test
  void handshakeEstablishesSessionsOnBothSides() {
    Session c = connect(null);
    assertThat(c).isNotNull();
    assertThat(serverSessions).hasSize(1);
    Session s = serverSessions.get(0);
    assertThat(s.remoteId()).isEqualTo(c.localId());
    assertThat(c.remoteId()).isEqualTo(s.localId());
    assertThat(RtmfpEndpoint.ownerLoop(s.localId())).isEqualTo(3);
    assertThat(c.peerId()).isEqualTo(IDENTITY.peerId());
    assertThat(serverDrops.total()).isZero();
    assertThat(clientDrops.total()).isZero();
  }

  @Test
  void everyImplementedGroupWorks() {
    for (DhGroup g : DhGroup.values()) {
      Session c = connect(g);
      assertThat(c).as("group " + g).isNotNull();
    }
    assertThat(serverSessions).hasSize(DhGroup.values().length);
  }

  @Test
  void messagesGoBothWaysOnFlows() {
    Session c = connect(null);
    SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
    c.write(f, "hello".getBytes(), true);
    net.pump();
    assertThat(serverReceived).hasSize(1);
    assertThat(new String(serverReceived.get(0))).isEqualTo("hello");
    assertThat(clientReceived).hasSize(1);
    assertThat(new String(clientReceived.get(0))).isEqualTo("hello");
  }

  long serverDatagrams() {
    return net.sent.stream().filter(d -> d.from().equals(SERVER)).count();
  }

  @Test
  void heldAcksRideInTheDeferredAnswerOrGoAtTheDeadline() {
    Session c = connect(null);
    SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
    deferEcho = true;
    long before = serverDatagrams();
    c.write(f, "question".getBytes(), true);
    net.pump();
    assertThat(serverDatagrams()).as("no ack-only datagram while the answer is pending").isEqualTo(before);
    pendingEcho.run();
    net.pump();
    assertThat(clientReceived).hasSize(1);
    assertThat(serverDatagrams()).as("the answer carries the ack: one datagram").isEqualTo(before + 1);
    assertThat(f.bytesInFlight()).isZero();

    // An answer that never comes: the held ack goes at the deadline.
    long mid = serverDatagrams();
    c.write(f, "unanswered".getBytes(), true);
    net.pump();
    assertThat(serverDatagrams()).isEqualTo(mid);
    net.clock.advanceMillis(60);
    server.tick();
    net.pump();
    assertThat(serverDatagrams()).isEqualTo(mid + 1);
    assertThat(f.bytesInFlight()).isZero();
  }

  @Test
  void largeMessagesSurviveLossReorderingAndDuplication() {
    Session c = connect(null);
    net.lossRate = 0.1;
    net.duplicateRate = 0.05;
    net.reorder = true;
    SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
    Random r = new Random(1);
    List<byte[]> sentMsgs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] m = new byte[1 + r.nextInt(20_000)];
      r.nextBytes(m);
      sentMsgs.add(m);
      c.write(f, m, true);
    }
    net.pump();
    net.advance(120_000, 50);
    assertThat(serverReceived).hasSize(sentMsgs.size());
    for (int i = 0; i < sentMsgs.size(); i++) {
      assertThat(serverReceived.get(i)).isEqualTo(sentMsgs.get(i));
    }
    assertThat(clientReceived).hasSize(sentMsgs.size());
    assertThat(c.isOpen()).isTrue();
  }

  @Test
  void packetsWithoutTimestampsAreUnderstood() {
    EndpointConfig cfg = new EndpointConfig();
    cfg.omitUnchangedTimestamp = true;
    InetSocketAddress other = new InetSocketAddress("10.0.0.3", 50000);
    client = net.endpoint(other, clientDrops, null, null, cfg, 0);
    Session c = connect(null);
    SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
    for (int i = 0; i < 20; i++) {
      c.write(f, new byte[3000], true);
    }
    net.pump();
    // The clock did not move: after the first, the client's packets carry no timestamp.
    assertThat(serverSessions.get(0).packetsWithoutTimestamp()).isGreaterThan(5);
    assertThat(serverReceived).hasSize(20);
    assertThat(serverDrops.total()).isZero();
  }

  @Test
  void refusedFlowGetsAnExceptionReport() {
    Session c = connect(null);
    long[] rejected = {-1};
    c.setHandler(new ClientHandler() {
      @Override
      public void onFlowRejected(Session session, long flowId, long code) {
        rejected[0] = flowId;
      }
    });
    SendFlow f = c.openFlow(new byte[] {'X', 'Y'}, -1);
    c.write(f, new byte[] {1, 2, 3}, true);
    net.pump();
    assertThat(rejected[0]).isEqualTo(f.flowId());
    assertThat(serverReceived).isEmpty();
  }

  @Test
  void closeFromClientIsAcknowledgedAndEndsBothSides() {
    Session c = connect(null);
    c.close("bye");
    net.pump();
    assertThat(serverClosed).containsExactly("closed by peer");
    assertThat(serverSessions.get(0).isOpen()).isFalse();
    assertThat(client.sessionCount()).isZero();
    // The server keeps the closed session briefly to answer a repeated close request.
    Session c2 = connect(null);
    net.filter = d -> !d.from().equals(SERVER); // the server's close ack gets lost
    c2.close("bye again");
    net.pump();
    assertThat(serverClosed).hasSize(2);
    assertThat(client.sessionCount()).isEqualTo(1); // still waiting for the ack
    net.filter = d -> true;
    net.advance(1_500, 500); // the client repeats its close request, the closed session acks it
    assertThat(client.sessionCount()).isZero();
    // Then the server forgets it.
    net.advance(12_000, 500);
    assertThat(server.sessionCount()).isZero();
  }

  @Test
  void shutdownSendsCloseRequests() {
    Session c = connect(null);
    server.close();
    net.pump();
    assertThat(serverClosed).containsExactly("server shutdown");
    assertThat(clientClosed).containsExactly("closed by peer");
    assertThat(c.isOpen()).isFalse();
  }

  @Test
  void silentClientIsProbedThenTimedOut() {
    connect(null);
    net.filter = d -> !d.from().equals(CLIENT); // the client goes silent
    net.advance(200_000, 500);
    assertThat(serverClosed).containsExactly("idle timeout");
  }

  @Test
  void idleButAliveClientKeepsItsSession() {
    Session c = connect(null);
    c.setKeepalivePeriodMillis(15_000);
    net.advance(300_000, 500);
    assertThat(serverClosed).isEmpty();
    assertThat(c.isOpen()).isTrue();
  }

  @Test
  void quietSessionReleasesItsCiphersAndRebuildsThem() {
    Session c = connect(null);
    Session s = serverSessions.get(0);
    SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
    c.write(f, "one".getBytes(), true);
    net.pump();
    assertThat(s.decryptCipher().holdsCiphers()).isTrue();
    net.advance(12_000, 1_000);
    assertThat(s.decryptCipher().holdsCiphers()).isFalse();
    assertThat(s.encryptCipher().holdsCiphers()).isFalse();
    c.write(f, "two".getBytes(), true);
    net.pump();
    assertThat(serverReceived).hasSize(2);
    assertThat(clientReceived).hasSize(2);
  }

  @Test
  void addressChangeIsVerifiedBeforeTheSessionMoves() {
    Session c = connect(null);
    Session s = serverSessions.get(0);
    InetSocketAddress rebound = new InetSocketAddress("10.0.0.2", 50001);
    net.rewriteSource.put(CLIENT, rebound);
    net.alias(rebound, CLIENT);
    // Packets from the new address reach the server, but its answers to that address do not.
    net.filter = d -> !d.to().equals(rebound);
    SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
    c.write(f, "moved".getBytes(), true);
    net.pump();
    assertThat(serverReceived).hasSize(1);
    assertThat(s.address()).isEqualTo(CLIENT);
    // Once the new address answers the mobility ping, the session moves.
    net.filter = d -> true;
    net.advance(3_000, 100);
    c.write(f, "again".getBytes(), true);
    net.pump();
    assertThat(s.address()).isEqualTo(rebound);
  }

  @Test
  void aReplayedPacketFromManySourcesTriggersOneMobilityCheckASecond() {
    Session c = connect(null);
    SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
    c.write(f, "x".getBytes(), true);
    net.pump();
    MemoryNetwork.Datagram captured = net.sent.stream().filter(d -> d.from().equals(CLIENT)).reduce((a, b) -> b).get();
    int before = net.sent.size();
    List<InetSocketAddress> spoofed = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      InetSocketAddress a = new InetSocketAddress("10.66.0." + (i + 1), 1000 + i);
      spoofed.add(a);
      byte[] b = captured.bytes().clone();
      server.receive(b, 0, b.length, a);
    }
    server.flush();
    long pings = net.sent.subList(before, net.sent.size()).stream().filter(d -> spoofed.contains(d.to())).count();
    assertThat(pings).isEqualTo(1);
    assertThat(serverSessions.get(0).address()).isEqualTo(CLIENT);
  }

  @Test
  void redirectIsFollowedByTheInitiator() {
    InetSocketAddress other = new InetSocketAddress("10.0.0.9", 1935);
    List<Session> otherSessions = new ArrayList<>();
    net.endpoint(other, new DropCounters(), IDENTITY, new ResponderPolicy() {
      @Override
      public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
        return HelloDecision.ACCEPT;
      }

      @Override
      public SessionHandler onSessionOpened(Session session) {
        otherSessions.add(session);
        return new EchoHandler();
      }
    }, new EndpointConfig(), 1);
    decision = HelloDecision.redirect(List.of(new PeerAddress(other, PeerAddress.ORIGIN_OBSERVED)));
    Session c = connect(null);
    assertThat(c).isNotNull();
    assertThat(c.address()).isEqualTo(other);
    assertThat(serverSessions).isEmpty();
    assertThat(otherSessions).hasSize(1);
  }

  @Test
  void garbageIsCountedAndCreatesNoState() {
    Random r = new Random(3);
    for (int i = 0; i < 5_000; i++) {
      byte[] b = new byte[r.nextInt(3) == 0 ? r.nextInt(40) : 4 + 16 * (1 + r.nextInt(60))];
      r.nextBytes(b);
      if (i % 2 == 0 && b.length >= 12) {
        // session id 0 after unscrambling: goes to the handshake path
        int w1 = ((b[4] & 0xFF) << 24) | ((b[5] & 0xFF) << 16) | ((b[6] & 0xFF) << 8) | (b[7] & 0xFF);
        int w2 = ((b[8] & 0xFF) << 24) | ((b[9] & 0xFF) << 16) | ((b[10] & 0xFF) << 8) | (b[11] & 0xFF);
        int ssid = w1 ^ w2;
        b[0] = (byte) (ssid >>> 24);
        b[1] = (byte) (ssid >>> 16);
        b[2] = (byte) (ssid >>> 8);
        b[3] = (byte) ssid;
      }
      server.receive(b, 0, b.length, new InetSocketAddress("10.9.9.9", 1000 + i));
    }
    assertThat(server.sessionCount()).isZero();
    assertThat(server.handshakesInFlight()).isZero();
    assertThat(serverDrops.total()).isEqualTo(5_000);
    assertThat(serverDrops.count(DropCause.BAD_CHECKSUM)).isPositive();
    assertThat(serverDrops.count(DropCause.UNKNOWN_SESSION)).isPositive();
  }

  @Test
  void replayedIIKeyingFromAnotherAddressIsRefused() {
    connect(null);
    MemoryNetwork.Datagram iikeying = null;
    for (MemoryNetwork.Datagram d : net.sent) {
      if (d.from().equals(CLIENT) && d.bytes().length > 200) {
        iikeying = d;
        break;
      }
    }
    assertThat(iikeying).isNotNull();
    byte[] copy = iikeying.bytes().clone();
    server.receive(copy, 0, copy.length, new InetSocketAddress("10.6.6.6", 4444));
    assertThat(serverDrops.count(DropCause.BAD_COOKIE)).isEqualTo(1);
    // Same address, same content: a retransmission, answered with the same RIKeying, no new session.
    copy = iikeying.bytes().clone();
    server.receive(copy, 0, copy.length, CLIENT);
    assertThat(server.sessionCount()).isEqualTo(1);
  }
}
