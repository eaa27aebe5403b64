package io.altocumulus.tests.bench;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.p2p.Introducer;
import io.altocumulus.edge.p2p.PeerIndex;
import io.altocumulus.edge.p2p.TagAttempts;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.HelloResponder;
import io.altocumulus.rtmfp.handshake.PeerIdentity;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.handshake.ServerKeys;
import io.altocumulus.rtmfp.session.EndpointConfig;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.session.PacketSink;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.altocumulus.rtmfp.time.FakeClock;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A server endpoint whose peer-id IHellos go to the edge's {@link Introducer}, and peer client
 * endpoints, all in memory on one thread with a FakeClock (after the core's MemoryNetwork): the
 * core path of a P2P introduction without sockets. Sessions are registered and given setPeerInfo
 * addresses by hand, as the edge's NetConnection hook does.
 */
public final class P2pNet {
  public static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 1935);
  static final ServerIdentity IDENTITY = ServerIdentity.generate(new SecureRandom());

  public record Datagram(byte[] bytes, InetSocketAddress from, InetSocketAddress to) {}

  public final FakeClock clock = new FakeClock();
  public final DropCounters drops = new DropCounters();
  final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  final ArrayDeque<Datagram> inFlight = new ArrayDeque<>();
  final Map<InetSocketAddress, RtmfpEndpoint> endpoints = new HashMap<>();
  public final List<Datagram> sent = new ArrayList<>();
  public boolean recordSent = true;
  public Predicate<Datagram> filter = d -> true;
  public final RtmfpEndpoint server;
  public final Introducer introducer;
  final Map<Session, PeerIndex.LocalPeer> peers = new HashMap<>();
  /** Where the server's datagrams go; replace to measure without the network. */
  public PacketSink serverOut;

  /** The server's applications (node hooks such as onRendezVousUnknown). */
  public final Applications applications = new Applications(Path.of("www"));
  /** Rewrites the source address of an endpoint's datagrams (a NAT rebinding). */
  public final Map<InetSocketAddress, InetSocketAddress> rewriteSource = new HashMap<>();

  public P2pNet() {
    this(null);
  }

  /** With {@code directory}, the introducer registers introducible peers there (as an edge does). */
  public P2pNet(io.altocumulus.rendezvous.PeerDirectory directory) {
    introducer = new Introducer(new PeerIndex(), new TagAttempts(65_536, 120_000_000_000L),
        applications, directory, "bench", clock::nanoTime);
    ResponderPolicy policy = new ResponderPolicy() {
      @Override
      public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
        return HelloDecision.ACCEPT;
      }

      @Override
      public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from, HelloResponder r) {
        return epd.kind() == EndpointDiscriminator.Kind.PEER_ID ? introducer.onPeerHello(epd, tag, from, r)
            : HelloDecision.ACCEPT;
      }

      @Override
      public SessionHandler onSessionOpened(Session session) {
        PeerIndex.LocalPeer p = introducer.opened(session);
        peers.put(session, p);
        return new Quiet() {
          @Override
          public void onClosed(Session s, String reason) {
            introducer.closed(p); // as the edge's NetConnection does
          }
        };
      }
    };
    serverOut = sink(SERVER);
    server = new RtmfpEndpoint(new EndpointConfig(), clock, (b, o, l, to) -> serverOut.send(b, o, l, to),
        tasks::add, tasks::add, drops, 1, 4, IDENTITY, new ServerKeys(), policy);
    endpoints.put(SERVER, server);
  }

  private PacketSink sink(InetSocketAddress from) {
    return (buf, off, len, to) -> {
      Datagram d = new Datagram(Arrays.copyOfRange(buf, off, off + len), rewriteSource.getOrDefault(from, from), to);
      if (recordSent) {
        sent.add(d);
      }
      inFlight.add(d);
    };
  }

  /** A client endpoint at {@code address} that is a full peer. */
  public RtmfpEndpoint peer(InetSocketAddress address, PeerIdentity id) {
    RtmfpEndpoint ep = new RtmfpEndpoint(new EndpointConfig(), clock, sink(address), tasks::add, tasks::add,
        new DropCounters(), 0, 1, null, null, null);
    ep.enablePeerRole(id, new ResponderPolicy() {
      @Override
      public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
        return epd.kind() == EndpointDiscriminator.Kind.PEER_ID && Arrays.equals(epd.peerId(), id.peerId())
            ? HelloDecision.ACCEPT : HelloDecision.IGNORE;
      }

      @Override
      public SessionHandler onSessionOpened(Session session) {
        return new Quiet();
      }
    });
    endpoints.put(address, ep);
    return ep;
  }

  /** Datagrams sent to {@code alias} reach the endpoint at {@code address} (a NAT's new mapping). */
  public void alias(InetSocketAddress alias, InetSocketAddress address) {
    endpoints.put(alias, endpoints.get(address));
  }

  /** Connects {@code ep} to the server (URL discriminator) and returns the server's session for it. */
  public Session connect(RtmfpEndpoint ep) {
    Session[] out = new Session[1];
    ep.connect(SERVER, EndpointDiscriminator.forUrl("rtmfp://10.0.0.1/app"), null, listener(out));
    pump();
    if (out[0] == null) {
      throw new IllegalStateException("handshake failed");
    }
    for (Session s : peers.keySet()) {
      if (Arrays.equals(s.peerId(), ep.peerIdentity().peerId()) && s.isOpen()) {
        return s;
      }
    }
    throw new IllegalStateException("server has no session for the peer");
  }

  /** Starts a P2P connection; the returned array gets the session when it opens. */
  public Session[] connectToPeer(RtmfpEndpoint ep, byte[] peerId) {
    Session[] out = new Session[1];
    ep.connect(SERVER, EndpointDiscriminator.forPeerId(peerId), null, listener(out));
    return out;
  }

  private static RtmfpEndpoint.ConnectListener listener(Session[] out) {
    return new RtmfpEndpoint.ConnectListener() {
      @Override
      public void onConnected(Session session) {
        session.setHandler(new Quiet());
        out[0] = session;
      }

      @Override
      public void onFailed(String reason) {}
    };
  }

  /** setPeerInfo of the peer whose server session is {@code serverSession}. */
  public void peerInfo(Session serverSession, String... addresses) {
    introducer.peerInfo(peers.get(serverSession), List.of(addresses));
  }

  /** Runs queued tasks (the loop and the crypto pool) and flushes every endpoint. */
  public void runTasks() {
    while (!tasks.isEmpty()) {
      tasks.poll().run();
    }
    for (RtmfpEndpoint ep : endpoints.values()) {
      ep.flush();
    }
  }

  /** Delivers datagrams and runs tasks until nothing is left. */
  public void pump() {
    for (int rounds = 0; rounds < 10_000; rounds++) {
      runTasks();
      if (inFlight.isEmpty() && tasks.isEmpty()) {
        return;
      }
      while (!inFlight.isEmpty()) {
        Datagram d = inFlight.poll();
        RtmfpEndpoint target = endpoints.get(d.to());
        if (target != null && filter.test(d)) {
          byte[] b = d.bytes().clone();
          target.receive(b, 0, b.length, d.from());
        }
      }
    }
    throw new IllegalStateException("network did not settle");
  }

  /** Advances time in steps, ticking every endpoint and pumping. */
  public void advance(long millis, long stepMillis) {
    for (long t = 0; t < millis; t += stepMillis) {
      clock.advanceMillis(stepMillis);
      for (RtmfpEndpoint ep : new java.util.LinkedHashSet<>(endpoints.values())) {
        ep.tick();
      }
      pump();
    }
  }

  /** Forgets queued datagrams (the bench delivers its own). */
  public void discardInFlight() {
    inFlight.clear();
  }

  static class Quiet implements SessionHandler {
    @Override
    public FlowHandler onFlowOpened(Session session, RecvFlow flow) {
      return (f, buf, off, len) -> {};
    }

    @Override
    public void onClosed(Session session, String reason) {}
  }
}
