package io.altocumulus.edge.app;

import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.session.Session;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A client as applications see it (CUMULUS-FEATURES §5.2): its session, the URL it connected
 * to and what it told us. Lives on the session's event loop.
 */
public final class Client {
  static final String CLOSED_BY_APP = "closed by the server application";

  private final Session session;
  private final NetConnection netConnection;
  String path = "";
  String tcUrl;
  String flashVer;
  String swfUrl;
  String pageUrl;
  Map<String, String> properties = Map.of();
  int objectEncoding;
  boolean connected;
  List<String> peerAddresses = List.of();
  ServerApplication app;
  double transactionId;

  Client(Session session, NetConnection netConnection) {
    this.session = session;
    this.netConnection = netConnection;
  }

  /** The client's NetConnection (the writer of Lua's {@code client.writer}). */
  public NetConnection netConnection() {
    return netConnection;
  }

  /** Transaction id of the last command received (Lua writer:writeAMFResult), 0 if none. */
  public double transactionId() {
    return transactionId;
  }

  /** ms since the last packet from this client (Lua {@code client.elapsedFromReception}). */
  public long elapsedFromReceptionMillis() {
    return Math.max(0, (session.now() - session.lastReceivedNanos()) / 1_000_000L);
  }

  public Session session() {
    return session;
  }

  /** Peer id in lower-case hex (Lua {@code client.id}). */
  public String id() {
    byte[] p = session.peerId();
    return p == null ? "" : HexFormat.of().formatHex(p);
  }

  public InetSocketAddress address() {
    return session.address();
  }

  public String path() {
    return path;
  }

  public String tcUrl() {
    return tcUrl;
  }

  public String flashVer() {
    return flashVer;
  }

  public String swfUrl() {
    return swfUrl;
  }

  public String pageUrl() {
    return pageUrl;
  }

  /** Query parameters of the connect URL. */
  public Map<String, String> properties() {
    return properties;
  }

  /** 0 (AMF0) or 3 (AMF3), from the connect command object. */
  public int objectEncoding() {
    return objectEncoding;
  }

  /** The application the client connected to (null before connect). */
  public ServerApplication application() {
    return app;
  }

  public boolean isConnected() {
    return connected;
  }

  /** Addresses from the client's last setPeerInfo, as "ip:port" strings (RTMFP-WIRE §6.2). */
  public List<String> peerAddresses() {
    return peerAddresses;
  }

  /** Smoothed round-trip time in ms (Lua {@code client.ping}). */
  public long ping() {
    return session.rttMillis();
  }

  /** The AMF writing mode this client understands (REAL-CLIENTS.md §5). */
  public Amf0Writer.Mode amfMode() {
    return objectEncoding == 0 ? Amf0Writer.Mode.PURE : Amf0Writer.Mode.AMF3_SWITCH;
  }

  /** Sends a command to the client on its NetConnection (Lua {@code writer:writeAMFMessage}). */
  public void call(String name, Object... args) {
    netConnection.sendCommand(name, 0, args);
  }

  /** Closes the client's session (Lua {@code client:close}). */
  public void close() {
    session.close(CLOSED_BY_APP);
  }
}
