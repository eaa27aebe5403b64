package io.altocumulus.rtmfp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.tc.TcMetadata;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Session.AddressListener}: told once per verified move (RFC 7016 §3.5.4.2), never for an unverified source. */
class SessionAddressListenerTest {
  static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 1935);
  static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.2", 50000);
  static final InetSocketAddress REBOUND = new InetSocketAddress("10.0.0.2", 50001);

  static final class Quiet implements SessionHandler {
    @Override
    public FlowHandler onFlowOpened(Session session, RecvFlow flow) {
      return (f, buf, off, len) -> {};
    }

    @Override
    public void onClosed(Session session, String reason) {}
  }

  @Test
  void aVerifiedMoveIsReportedWithThePreviousAddress() {
    MemoryNetwork net = new MemoryNetwork();
    List<Session> serverSessions = new ArrayList<>();
    List<String> moves = new ArrayList<>();
    ResponderPolicy policy = new ResponderPolicy() {
      @Override
      public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
        return HelloDecision.ACCEPT;
      }

      @Override
      public SessionHandler onSessionOpened(Session session) {
        serverSessions.add(session);
        session.addAddressListener((s, previous) -> moves.add(previous + " -> " + s.address()));
        return new Quiet();
      }
    };
    net.endpoint(SERVER, new DropCounters(), ServerIdentity.generate(new SecureRandom()), policy,
        new EndpointConfig(), 1);
    RtmfpEndpoint client = net.endpoint(CLIENT, new DropCounters(), null, null, new EndpointConfig(), 0);
    Session[] c = new Session[1];
    client.connect(SERVER, EndpointDiscriminator.forUrl("rtmfp://localhost/app"), null,
        new RtmfpEndpoint.ConnectListener() {
          @Override
          public void onConnected(Session session) {
            session.setHandler(new Quiet());
            c[0] = session;
          }

          @Override
          public void onFailed(String reason) {}
        });
    net.pump();
    SendFlow f = c[0].openFlow(TcMetadata.encode(0), -1);

    // From a new source whose mapping does not answer: checked, not moved, not reported.
    net.rewriteSource.put(CLIENT, REBOUND);
    net.alias(REBOUND, CLIENT);
    net.filter = d -> !d.to().equals(REBOUND);
    c[0].write(f, "a".getBytes(), true);
    net.pump();
    assertThat(moves).isEmpty();

    // Once the new address answers the mobility ping, one move is reported.
    net.filter = d -> true;
    net.advance(3_000, 100);
    c[0].write(f, "b".getBytes(), true);
    net.pump();
    assertThat(serverSessions.get(0).address()).isEqualTo(REBOUND);
    assertThat(moves).containsExactly(CLIENT + " -> " + REBOUND);
  }
}
