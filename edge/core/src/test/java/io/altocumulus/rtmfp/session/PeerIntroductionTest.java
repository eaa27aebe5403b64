package io.altocumulus.rtmfp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.HelloResponder;
import io.altocumulus.rtmfp.handshake.PeerIdentity;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.PeerAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * P2P introduction through a server endpoint (RTMFP-WIRE §6.3, RFC 7016 §3.5.1.1.2) and deferred
 * IHello answers, over {@link MemoryNetwork} with a fake clock.
 */
class PeerIntroductionTest {
  static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 1935);
  static final InetSocketAddress A = new InetSocketAddress("10.0.0.2", 50000);
  static final InetSocketAddress B = new InetSocketAddress("10.0.0.3", 50001);
  static final ServerIdentity SERVER_ID = ServerIdentity.generate(new SecureRandom());
  static final PeerIdentity A_ID = PeerIdentity.generate(new SecureRandom());
  static final PeerIdentity B_ID = PeerIdentity.generate(new SecureRandom());

  MemoryNetwork net;
  DropCounters serverDrops = new DropCounters();
  DropCounters aDrops = new DropCounters();
  DropCounters bDrops = new DropCounters();
  RtmfpEndpoint server;
  RtmfpEndpoint a;
  RtmfpEndpoint b;
  final Map<ByteBuffer, Session> serverSessions = new HashMap<>();
  final List<Session> bPeerSessions = new ArrayList<>();
  final List<byte[]> bReceived = new ArrayList<>();
  final List<byte[]> aReceived = new ArrayList<>();
  /** Deferred URL IHellos the test answers by hand. */
  final List<Object[]> deferred = new ArrayList<>();
  boolean deferUrls;
  int introductions;

  final class ServerPolicy implements ResponderPolicy {
    @Override
    public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
      throw new AssertionError("the core calls the 4-argument form");
    }

    @Override
    public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from, HelloResponder r) {
      if (epd.kind() == EndpointDiscriminator.Kind.URL) {
        if (!deferUrls) {
          return HelloDecision.ACCEPT;
        }
        if (!r.defer()) {
          return HelloDecision.IGNORE;
        }
        deferred.add(new Object[] {r, tag, from});
        return HelloDecision.PENDING;
      }
      Session target = serverSessions.get(ByteBuffer.wrap(epd.peerId()));
      if (target == null) {
        return HelloDecision.IGNORE;
      }
      introductions++;
      target.forwardIHello(epd.encoded(), PeerAddress.observed(from), tag);
      return HelloDecision.redirect(List.of(PeerAddress.observed(target.address())));
    }

    @Override
    public SessionHandler onSessionOpened(Session session) {
      serverSessions.put(ByteBuffer.wrap(session.peerId()), session);
      return new Sink(new ArrayList<>());
    }
  }

  /** A peer's responder side: answers only IHellos naming its own id. */
  final class PeerPolicy implements ResponderPolicy {
    final PeerIdentity id;
    final List<Session> opened;
    final List<byte[]> received;

    PeerPolicy(PeerIdentity id, List<Session> opened, List<byte[]> received) {
      this.id = id;
      this.opened = opened;
      this.received = received;
    }

    @Override
    public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
      return epd.kind() == EndpointDiscriminator.Kind.PEER_ID && Arrays.equals(epd.peerId(), id.peerId())
          ? HelloDecision.ACCEPT : HelloDecision.IGNORE;
    }

    @Override
    public SessionHandler onSessionOpened(Session session) {
      opened.add(session);
      return new Sink(received);
    }
  }

  /** Keeps what arrives, echoes it once on a return flow. */
  static final class Sink implements SessionHandler {
    final List<byte[]> received;
    final boolean echo;

    Sink(List<byte[]> received) {
      this(received, true);
    }

    Sink(List<byte[]> received, boolean echo) {
      this.received = received;
      this.echo = echo;
    }

    @Override
    public FlowHandler onFlowOpened(Session session, RecvFlow flow) {
      SendFlow[] reply = new SendFlow[1];
      return (f, buf, off, len) -> {
        byte[] m = Arrays.copyOfRange(buf, off, off + len);
        received.add(m);
        if (!echo) {
          return;
        }
        if (reply[0] == null) {
          reply[0] = session.openFlow(f.metadata(), f.flowId());
        }
        session.write(reply[0], ("echo " + new String(m)).getBytes(), true);
      };
    }

    @Override
    public void onClosed(Session session, String reason) {}
  }

  @BeforeEach
  void setUp() {
    net = new MemoryNetwork();
    server = net.endpoint(SERVER, serverDrops, SERVER_ID, new ServerPolicy(), new EndpointConfig(), 1);
    a = net.endpoint(A, aDrops, null, null, new EndpointConfig(), 0);
    b = net.endpoint(B, bDrops, null, null, new EndpointConfig(), 0);
    a.enablePeerRole(A_ID, new PeerPolicy(A_ID, new ArrayList<>(), aReceived));
    b.enablePeerRole(B_ID, new PeerPolicy(B_ID, bPeerSessions, bReceived));
  }

  Session connect(RtmfpEndpoint ep, InetSocketAddress to, EndpointDiscriminator epd, List<byte[]> received) {
    Session[] out = new Session[1];
    String[] failure = new String[1];
    ep.connect(to, epd, null, new RtmfpEndpoint.ConnectListener() {
      @Override
      public void onConnected(Session session) {
        session.setHandler(new Sink(received, false));
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
  void serverKnowsClientsByTheirPeerIdentity() {
    Session sa = connect(a, SERVER, EndpointDiscriminator.forUrl("rtmfp://s/app"), new ArrayList<>());
    assertThat(sa).isNotNull();
    assertThat(serverSessions).containsKey(ByteBuffer.wrap(A_ID.peerId()));
    // The client checked it reached the server it meant (no peer id asked): any certificate.
    assertThat(sa.peerId()).isEqualTo(SERVER_ID.peerId());
  }

  @Test
  void twoPeersMeetThroughTheServerAndTalkDirectly() {
    connect(a, SERVER, EndpointDiscriminator.forUrl("rtmfp://s/app"), new ArrayList<>());
    connect(b, SERVER, EndpointDiscriminator.forUrl("rtmfp://s/app"), new ArrayList<>());
    long bPacketsBefore = b.packetsOut();

    Session direct = connect(a, SERVER, EndpointDiscriminator.forPeerId(B_ID.peerId()), aReceived);

    assertThat(introductions).isGreaterThanOrEqualTo(1);
    assertThat(direct).isNotNull();
    assertThat(direct.address()).isEqualTo(B);
    assertThat(direct.peerId()).isEqualTo(B_ID.peerId());
    assertThat(bPeerSessions).hasSize(1);
    assertThat(bPeerSessions.get(0).peerId()).isEqualTo(A_ID.peerId());
    assertThat(b.packetsOut()).isGreaterThan(bPacketsBefore);
    // The forwarded IHello reached B inside its server session, and B answered A directly.
    assertThat(net.sent).anyMatch(d -> d.from().equals(B) && d.to().equals(A));

    SendFlow f = direct.openFlow(new byte[] {'T', 'C'}, -1);
    direct.write(f, "hello peer".getBytes(), true);
    net.pump();
    assertThat(bReceived).extracting(String::new).containsExactly("hello peer");
    assertThat(aReceived).extracting(String::new).containsExactly("echo hello peer");
  }

  @Test
  void forwardedHelloAloneOpensTheSessionWhenTheDirectHelloIsLost() {
    connect(a, SERVER, EndpointDiscriminator.forUrl("rtmfp://s/app"), new ArrayList<>());
    connect(b, SERVER, EndpointDiscriminator.forUrl("rtmfp://s/app"), new ArrayList<>());
    // B's NAT drops A's unsolicited IHello until B has sent to A (hole punching).
    boolean[] bSentToA = new boolean[1];
    net.filter = d -> {
      if (d.from().equals(B) && d.to().equals(A)) {
        bSentToA[0] = true;
      }
      return !(d.from().equals(A) && d.to().equals(B)) || bSentToA[0];
    };
    Session direct = connect(a, SERVER, EndpointDiscriminator.forPeerId(B_ID.peerId()), aReceived);
    assertThat(direct).isNotNull();
    assertThat(bSentToA[0]).isTrue();
  }

  @Test
  void anRHelloFromTheWrongPeerIsRefused() {
    // A responder that answers any IHello with its own (server) certificate: not B.
    InetSocketAddress rogueAddress = new InetSocketAddress("10.0.0.7", 1935);
    net.endpoint(rogueAddress, new DropCounters(), SERVER_ID, new ResponderPolicy() {
      @Override
      public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
        return HelloDecision.ACCEPT;
      }

      @Override
      public SessionHandler onSessionOpened(Session session) {
        return new Sink(new ArrayList<>());
      }
    }, new EndpointConfig(), 2);
    Session[] out = new Session[1];
    a.connect(rogueAddress, EndpointDiscriminator.forPeerId(B_ID.peerId()), null, new RtmfpEndpoint.ConnectListener() {
      @Override
      public void onConnected(Session session) {
        out[0] = session;
      }

      @Override
      public void onFailed(String reason) {}
    });
    net.pump();
    assertThat(out[0]).isNull();
    assertThat(aDrops.count(DropCause.BAD_KEYING)).isEqualTo(1);
  }

  @Test
  void deferredAnswersAreSentLaterAndBounded() {
    deferUrls = true;
    EndpointConfig cfg = new EndpointConfig();
    cfg.maxPendingHellos = 2;
    RtmfpEndpoint small = net.endpoint(new InetSocketAddress("10.0.0.9", 1935), serverDrops, SERVER_ID,
        new ServerPolicy(), cfg, 2);
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      a.connect(new InetSocketAddress("10.0.0.9", 1935), EndpointDiscriminator.forUrl("rtmfp://s/app"), null,
          new RtmfpEndpoint.ConnectListener() {
            @Override
            public void onConnected(Session session) {
              sessions.add(session);
            }

            @Override
            public void onFailed(String reason) {}
          });
    }
    net.pump();
    assertThat(deferred).hasSize(2);
    assertThat(small.pendingHellos()).isEqualTo(2);
    assertThat(serverDrops.count(DropCause.HANDSHAKE_OVERLOAD)).isEqualTo(1);
    assertThat(sessions).isEmpty();
    for (Object[] d : deferred) {
      ((HelloResponder) d[0]).answer((byte[]) d[1], (InetSocketAddress) d[2], HelloDecision.ACCEPT);
    }
    deferred.clear();
    net.pump();
    assertThat(small.pendingHellos()).isZero();
    assertThat(sessions).hasSize(2);
  }

  @Test
  void aDeferredRedirectIsFollowed() {
    deferUrls = true;
    RtmfpEndpoint front = net.endpoint(new InetSocketAddress("10.0.0.8", 1935), serverDrops, SERVER_ID,
        new ServerPolicy(), new EndpointConfig(), 2);
    List<Session> sessions = new ArrayList<>();
    a.connect(new InetSocketAddress("10.0.0.8", 1935), EndpointDiscriminator.forUrl("rtmfp://s/app"), null,
        new RtmfpEndpoint.ConnectListener() {
          @Override
          public void onConnected(Session session) {
            sessions.add(session);
          }

          @Override
          public void onFailed(String reason) {}
        });
    net.pump();
    assertThat(deferred).hasSize(1);
    Object[] d = deferred.remove(0);
    deferUrls = false;
    front.answerHello((byte[]) d[1], (InetSocketAddress) d[2], HelloDecision.redirect(List.of(PeerAddress.observed(SERVER))));
    net.pump();
    assertThat(front.pendingHellos()).isZero();
    assertThat(sessions).hasSize(1);
    assertThat(sessions.get(0).address()).isEqualTo(SERVER);
  }
}
