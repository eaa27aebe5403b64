package io.altocumulus.rtmfp.client;

import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.PeerIdentity;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.session.SessionHandler;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import io.altocumulus.rtmfp.session.EndpointConfig;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The project's RTMFP client: the initiator role of the same core the server runs, over one UDP
 * socket. One client holds any number of NetConnections (sessions), which is what the tests and
 * the load tool need.
 */
public final class RtmfpClient implements AutoCloseable {
  /** How a connection introduces itself. */
  public static final class ConnectOptions {
    int objectEncoding = 3;
    List<Object> connectArgs = new ArrayList<>();
    DhGroup group;
    String flashVer = "WIN 32,0,0,465";
    InetSocketAddress server;
    boolean asPeer;

    /** 3 (AMF3, Flash's default) or 0 (AMF0-only clients, REAL-CLIENTS.md §5). */
    public ConnectOptions objectEncoding(int enc) {
      if (enc != 0 && enc != 3) {
        throw new IllegalArgumentException("objectEncoding is 0 or 3");
      }
      this.objectEncoding = enc;
      return this;
    }

    /** Extra arguments of NetConnection.connect after the URL. */
    public ConnectOptions args(Object... args) {
      this.connectArgs = List.of(args);
      return this;
    }

    /**
     * Present this client's peer identity ({@link RtmfpClient#peerId()}) on this connection, so
     * other peers can reach it through the server (RTMFP-WIRE §6.3). Without it the connection
     * gets a fresh peer id, as every Flash NetConnection has its own.
     */
    public ConnectOptions asPeer() {
      this.asPeer = true;
      return this;
    }

    /** DH group to ask for if the server offers it (default: group 2, as Flash). */
    public ConnectOptions group(DhGroup g) {
      this.group = g;
      return this;
    }

    public ConnectOptions flashVer(String v) {
      this.flashVer = v;
      return this;
    }

    /** Send the IHello here instead of to the URL's host:port (the URL still names the app). */
    public ConnectOptions server(InetSocketAddress s) {
      this.server = s;
      return this;
    }
  }

  private final ClientTransport transport;
  private final DropCounters drops = new DropCounters();

  private final PeerIdentity identity = PeerIdentity.generate(new SecureRandom());
  private final List<Consumer<PeerConnection>> peerListeners = new CopyOnWriteArrayList<>();
  /** Streams published to direct connections, by name (on the loop). */
  private final java.util.HashMap<String, DirectNetStream> publications = new java.util.HashMap<>();

  private RtmfpClient(InetSocketAddress bind, EndpointConfig config) throws InterruptedException {
    this.transport = new ClientTransport(bind, config, drops, identity, PeerPolicy::new);
  }

  /**
   * The client's answers as a peer (RTMFP-WIRE §6.3): an IHello or forwarded IHello naming its
   * own peer id gets an RHello (with its certificate, to the initiator's address: the hole punch);
   * anything else gets nothing.
   */
  private final class PeerPolicy implements ResponderPolicy {
    private final ClientTransport transport;

    PeerPolicy(ClientTransport transport) {
      this.transport = transport;
    }

    @Override
    public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
      return epd.kind() == EndpointDiscriminator.Kind.PEER_ID && Arrays.equals(epd.peerId(), identity.peerId())
          ? HelloDecision.ACCEPT : HelloDecision.IGNORE;
    }

    @Override
    public SessionHandler onSessionOpened(Session session) {
      PeerConnection pc = new PeerConnection(transport, session, false, publications);
      peerListeners.forEach(l -> l.accept(pc));
      return pc;
    }
  }

  /** This client's peer id (lower-case hex is Lua's {@code client.id} on the server) on the sessions opened {@link ConnectOptions#asPeer() as a peer}. */
  public byte[] peerId() {
    return identity.peerId();
  }

  /**
   * A stream for direct connections, as Flash's {@code new NetStream(nc, NetStream.DIRECT_CONNECTIONS)}:
   * {@link DirectNetStream#publish(String)} it, and peers that reach this client through a server
   * ({@link #connectToPeer}) can play it over their direct session. Nothing of it goes to a server.
   */
  public DirectNetStream createDirectStream() {
    return new DirectNetStream(transport, publications);
  }

  /** Direct sessions other peers open to this client (after the server introduced them). */
  public void onPeerConnection(Consumer<PeerConnection> listener) {
    peerListeners.add(listener);
  }

  /**
   * Opens a direct session to the peer {@code peerId} through {@code server} (RTMFP-WIRE §6.3):
   * IHello with the peer id to the server, which forwards it to the peer and redirects us to the
   * peer's addresses; the handshake then runs with the peer itself. The target must be connected
   * to the server and have sent setPeerInfo.
   */
  public CompletableFuture<PeerConnection> connectToPeer(InetSocketAddress server, byte[] peerId) {
    CompletableFuture<PeerConnection> out = new CompletableFuture<>();
    transport.execute(() -> transport.endpoint().connect(server, EndpointDiscriminator.forPeerId(peerId), null,
        new RtmfpEndpoint.ConnectListener() {
          @Override
          public void onConnected(Session session) {
            out.complete(new PeerConnection(transport, session, true, publications));
          }

          @Override
          public void onFailed(String reason) {
            out.completeExceptionally(new IllegalStateException("P2P handshake failed: " + reason));
          }
        }));
    return out;
  }

  public static RtmfpClient open() throws InterruptedException {
    return new RtmfpClient(new InetSocketAddress(0), new EndpointConfig());
  }

  public static RtmfpClient open(InetSocketAddress bind, EndpointConfig config) throws InterruptedException {
    return new RtmfpClient(bind, config);
  }

  public CompletableFuture<ClientNetConnection> connect(String url) {
    return connect(url, new ConnectOptions());
  }

  /**
   * Opens a session to the URL's host (default port 1935), following Redirects, then sends
   * NetConnection connect. Completes when the server answers {@code _result}; fails on
   * {@code _error} (with its info object) or when the handshake fails.
   */
  public CompletableFuture<ClientNetConnection> connect(String url, ConnectOptions options) {
    URI u = URI.create(url);
    InetSocketAddress server = options.server != null ? options.server
        : new InetSocketAddress(u.getHost(), u.getPort() > 0 ? u.getPort() : 1935);
    ClientNetConnection nc = new ClientNetConnection(transport, url, options);
    transport.execute(() -> transport.endpoint().connect(server, EndpointDiscriminator.forUrl(url), options.group,
        options.asPeer, new RtmfpEndpoint.ConnectListener() {
          @Override
          public void onConnected(Session session) {
            nc.onSession(session);
          }

          @Override
          public void onFailed(String reason) {
            nc.onConnectFailed(reason);
          }
        }));
    return nc.connectedFuture();
  }

  static String pathOf(String url) {
    String p = URI.create(url).getPath();
    if (p == null) {
      return "";
    }
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    return p;
  }

  public DropCounters drops() {
    return drops;
  }

  public InetSocketAddress localAddress() {
    return transport.localAddress();
  }

  /** Closes every session cleanly, then the socket. */
  @Override
  public void close() {
    transport.close();
  }

  /**
   * Goes away as a crashed or unplugged client does: the socket closes first, so no session
   * sends its close; servers and peers must time the sessions out (load tool, fault tests).
   * Releases everything {@link #close} does; closing afterwards does nothing.
   */
  public void abandon() {
    transport.abandon();
  }
}
