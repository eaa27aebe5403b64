package io.altocumulus.edge.app;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.amf.AmfArray;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.amf.AmfObject;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcMessage;
import io.altocumulus.rtmfp.tc.TcMetadata;
import io.altocumulus.rtmfp.wire.WireException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import io.altocumulus.edge.stream.NetStreamHandler;
import io.altocumulus.edge.stream.StreamRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of a client's NetConnection (RFC 7425 §5, RTMFP-WIRE §8.5): the session
 * handler, and the handler of the control flow (TC metadata, stream 0). Answers on a return flow
 * with the same metadata, associated with the control flow (RTMFP-WIRE §7.3).
 */
public final class NetConnection implements SessionHandler, FlowHandler {
  private static final Logger LOG = LoggerFactory.getLogger(NetConnection.class);

  /** Answers handed to {@link #later} and not yet sent (loop-confined). */
  private int answersPending;

  /** How long acks wait for an answer that comes from the app's executor (Session.holdAcks). */
  static final long ACK_HOLD_NANOS = 50_000_000L;

  /** NetStreams one client may hold at once. */
  static final int MAX_STREAMS = 64;

  /** Cumulus's wording for a missing app folder, without its typo (CUMULUS-FEATURES §3). */
  static final String INVALID_APP = "Application %s doesn't exist";

  private final Session session;
  private final Applications applications;
  private final DropCounters drops;
  private final int keepAliveServerMs;
  private final int keepAlivePeerMs;
  private final Client client;
  private final StreamRegistry streams;
  private final HashMap<Integer, NetStreamHandler> netStreams = new HashMap<>(2);
  private int nextStreamId = 1;
  private ServerApplication app;
  private RecvFlow controlFlow;
  private SendFlow responseFlow;
  private io.altocumulus.edge.group.NetGroups netGroups;
  private io.altocumulus.edge.group.SessionGroups groups;

  public NetConnection(Session session, Applications applications, StreamRegistry streams, DropCounters drops,
      int keepAliveServerMs, int keepAlivePeerMs) {
    this.session = session;
    this.applications = applications;
    this.streams = streams;
    this.drops = drops;
    this.keepAliveServerMs = keepAliveServerMs;
    this.keepAlivePeerMs = keepAlivePeerMs;
    this.client = new Client(session, this);
    session.attach(client);
  }

  public Client client() {
    return client;
  }

  /** The node's NetGroups (RTMFP-WIRE §8.9); without them GC flows are refused. */
  public NetConnection netGroups(io.altocumulus.edge.group.NetGroups g) {
    this.netGroups = g;
    return this;
  }

  /** What the P2P layer ({@code io.altocumulus.edge.p2p}) hears of a client: setPeerInfo and its end. */
  public interface PeerEvents {
    void onPeerInfo(Client client, List<String> addresses);

    void onClosed(Client client);
  }

  private PeerEvents peerEvents;

  /** Set once, on the session's loop, right after construction. */
  public void peerEvents(PeerEvents events) {
    this.peerEvents = events;
  }

  // ---- SessionHandler ----

  @Override
  public FlowHandler onFlowOpened(Session s, RecvFlow flow) {
    TcMetadata md;
    try {
      md = TcMetadata.parse(flow.metadata());
    } catch (WireException e) {
      drops.drop(e.dropCause(), System.nanoTime(), e.getMessage());
      return null;
    }
    if (md.isNetConnection()) {
      if (controlFlow != null && !controlFlow.finished()) {
        LOG.debug("second NetConnection flow {} refused", flow.flowId());
        return null;
      }
      controlFlow = flow;
      return this;
    }
    if (md.kind() == TcMetadata.Kind.GROUP && netGroups != null) {
      if (groups == null) {
        groups = netGroups.forSession(client);
      }
      return groups.onFlowOpened(flow);
    }
    if (md.kind() == TcMetadata.Kind.TC && client.connected && controlFlow != null) {
      // A NetStream flow for a stream id we gave out with createStream (RTMFP-WIRE §8.6).
      NetStreamHandler ns = netStreams.get((int) Math.min(md.streamId(), Integer.MAX_VALUE));
      if (ns != null) {
        return ns;
      }
    }
    // Unknown stream ids are refused with a flow exception report.
    LOG.debug("flow {} of kind {} stream {} refused", flow.flowId(), md.kind(), md.streamId());
    return null;
  }

  @Override
  public void onClosed(Session s, String reason) {
    if (peerEvents != null) {
      peerEvents.onClosed(client);
    }
    for (NetStreamHandler ns : netStreams.values()) {
      ns.close();
    }
    netStreams.clear();
    if (groups != null) {
      groups.onSessionClosed(); // onUnjoinGroup before onDisconnection (CUMULUS-FEATURES §4)
    }
    if (client.connected) {
      client.connected = false;
      if (failed(reason)) {
        try {
          app.onFailed(client, reason);
        } catch (RuntimeException e) {
          LOG.warn("application {} failed in onFailed", client.path, e);
        }
      }
      try {
        app.onDisconnection(client);
      } catch (RuntimeException e) {
        LOG.warn("application {} failed in onDisconnection", client.path, e);
      }
    }
  }

  /** onFailed comes before onDisconnection unless we closed the session (CUMULUS-FEATURES §4). */
  static boolean failed(String reason) {
    return reason == null || !(reason.equals("server shutdown") || reason.equals(Client.CLOSED_BY_APP));
  }

  // ---- control flow ----

  @Override
  public void onMessage(RecvFlow flow, byte[] buf, int off, int len) {
    if (len < 1) {
      return;
    }
    int type = buf[off] & 0xFF;
    try {
      switch (type) {
        case TcMessage.AMF0_COMMAND, TcMessage.AMF3_COMMAND -> onCommand(buf, off, len);
        case TcMessage.USER_CONTROL -> onUserControl(buf, off, len);
        default -> LOG.debug("NetConnection message type 0x{} ignored", Integer.toHexString(type));
      }
    } catch (WireException e) {
      drops.drop(e.dropCause(), System.nanoTime(), e.getMessage());
    }
  }

  @Override
  public void onFinished(RecvFlow flow) {
    // The client ended its NetConnection flow: nothing more can be said on it.
    if (responseFlow != null) {
      session.closeFlow(responseFlow);
    }
  }

  private void onUserControl(byte[] buf, int off, int len) {
    if (len < TcMessage.HEADER + 2) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "user control message too short");
    }
    int event = TcMessage.getShort(buf, off + TcMessage.HEADER);
    if (event == TcMessage.UC_SET_BUFFER_LENGTH && len >= TcMessage.HEADER + 2 + 8) {
      // RTMFP-WIRE §8.3: Set Buffer Length for a stream is answered with Stream Begin.
      int streamId = TcMessage.getInt(buf, off + TcMessage.HEADER + 2);
      if (streamId != 0) {
        send(TcMessage.streamBegin(streamId));
      }
    }
  }

  /**
   * Commands are decoded here, except calls holding an externalizable class only the app can
   * read (Lua {@code __readExternal}): those go to the app undecoded (ServerApplication#onRawCall).
   */
  private void onCommand(byte[] buf, int off, int len) {
    ServerApplication a = app;
    if (a == null || !client.connected || !a.readsExternalizables()) {
      onCommand(TcCommand.parse(buf, off, len, AmfContext.DEFAULT));
      return;
    }
    TcCommand cmd;
    try {
      cmd = TcCommand.parse(buf, off, len, DEFER_EXTERNALIZABLES);
    } catch (WireException e) {
      if (e != DEFERRED) {
        throw e;
      }
      TcCommand head = head(buf, off, len);
      if (BUILT_IN.contains(head.name())) {
        throw new WireException(DropCause.MALFORMED_AMF, "externalizable object in " + head.name());
      }
      onRawCall(head.name(), head.transactionId(), java.util.Arrays.copyOfRange(buf, off, off + len));
      return;
    }
    onCommand(cmd);
  }

  private static final java.util.Set<String> BUILT_IN = java.util.Set.of("connect", "setPeerInfo", "createStream",
      "deleteStream", "close");
  /** Thrown (one instance, no stack) by the marker externalizer: "an app-defined class, decode later". */
  private static final WireException DEFERRED = new WireException(DropCause.MALFORMED_AMF, "externalizable class for the app");
  private static final AmfContext DEFER_EXTERNALIZABLES = new AmfContext().fallback(new io.altocumulus.rtmfp.amf.AmfExternalizer() {
    @Override
    public Object readExternal(String className, io.altocumulus.rtmfp.amf.Amf3Reader in) {
      throw DEFERRED;
    }

    @Override
    public void writeExternal(Object value, io.altocumulus.rtmfp.amf.Amf3Writer out) {
      throw new UnsupportedOperationException();
    }
  }).freeze();

  /** Name and transaction id of a command whose header parsed (RFC 7425 §5.3.1). */
  private static TcCommand head(byte[] buf, int off, int len) {
    int start = off + TcMessage.HEADER + ((buf[off] & 0xFF) == TcMessage.AMF3_COMMAND ? 1 : 0);
    io.altocumulus.rtmfp.amf.Amf0Reader in = new io.altocumulus.rtmfp.amf.Amf0Reader(
        java.nio.ByteBuffer.wrap(buf, start, off + len - start), AmfContext.DEFAULT);
    return new TcCommand(in.readString(), in.readNumber(), null, List.of());
  }

  private void onRawCall(String method, double txid, byte[] message) {
    client.transactionId = txid;
    CompletableFuture<ServerApplication.CallResult> answer;
    try {
      answer = app.onRawCall(client, method, txid, message).toCompletableFuture();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<ServerApplication.CallResult> a = answer;
    if (a.isDone() && answersPending == 0) {
      callAnswered(txid, method, a);
    } else {
      later(a, () -> callAnswered(txid, method, a));
    }
  }

  private void onCommand(TcCommand cmd) {
    switch (cmd.name()) {
      case "connect" -> onConnect(cmd);
      case "setPeerInfo" -> onSetPeerInfo(cmd);
      case "createStream" -> onCreateStream(cmd);
      case "deleteStream" -> onDeleteStream(cmd);
      case "close" -> session.close("NetConnection closed by the client");
      default -> onCall(cmd);
    }
  }

  private void onConnect(TcCommand cmd) {
    if (client.connected) {
      sendError(cmd.transactionId(), "NetConnection.Connect.Rejected", "Already connected");
      return;
    }
    Object co = cmd.commandObject();
    Object enc = member(co, "objectEncoding");
    client.objectEncoding = enc instanceof Number n && n.intValue() == 3 ? 3 : 0;
    client.tcUrl = asString(member(co, "tcUrl"));
    client.flashVer = asString(member(co, "flashVer"));
    client.swfUrl = asString(member(co, "swfUrl"));
    client.pageUrl = asString(member(co, "pageUrl"));
    String rawPath = pathOf(client.tcUrl, asString(member(co, "app")));
    client.properties = queryOf(client.tcUrl);
    String path = Applications.normalize(rawPath);
    ServerApplication found = path == null ? null : applications.find(path);
    if (found == null) {
      refuse(cmd.transactionId(), "NetConnection.Connect.InvalidApp", String.format(INVALID_APP, rawPath));
      return;
    }
    client.path = path;
    app = found;
    client.app = found;
    CompletableFuture<Map<String, Object>> answer;
    try {
      answer = app.onConnection(client, cmd.args()).toCompletableFuture();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    double txid = cmd.transactionId();
    if (answer.isDone()) {
      connectAnswered(txid, answer);
    } else {
      // The app runs elsewhere (CUMULUS-FEATURES §3 "confined to one executor"): continue on our loop.
      CompletableFuture<Map<String, Object>> a = answer;
      later(a, () -> connectAnswered(txid, a));
    }
  }

  private void connectAnswered(double txid, CompletableFuture<Map<String, Object>> answer) {
    if (!session.isOpen()) {
      return;
    }
    Map<String, Object> extra;
    try {
      extra = answer.join();
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof ServerApplication.ConnectionRejected r) {
        refuse(txid, "NetConnection.Connect.Rejected",
            r.getMessage() == null || r.getMessage().isEmpty() ? "client rejected" : r.getMessage());
      } else {
        LOG.warn("application {} failed in onConnection", client.path, cause);
        refuse(txid, "NetConnection.Connect.Rejected", String.valueOf(cause.getMessage()));
      }
      return;
    }
    client.connected = true;
    LinkedHashMap<String, Object> more = new LinkedHashMap<>();
    // Answer in the client's own encoding (REAL-CLIENTS.md §5).
    more.put("objectEncoding", (double) client.objectEncoding);
    if (extra != null) {
      more.putAll(extra);
    }
    sendCommand("_result", txid,
        TcCommand.info("status", "NetConnection.Connect.Success", "Connection succeeded", more));
  }

  /** Rejects a connect: _error, then the close command, then our flow's FIN (RTMFP-WIRE §8.5). */
  private void refuse(double txid, String code, String description) {
    sendError(txid, code, description);
    sendCommand("close", 0);
    session.closeFlow(responseFlow);
  }

  private void onSetPeerInfo(TcCommand cmd) {
    List<String> addresses = new ArrayList<>();
    for (Object a : cmd.args()) {
      if (a instanceof String s && !s.isEmpty() && addresses.size() < 16) {
        addresses.add(s);
      }
    }
    client.peerAddresses = List.copyOf(addresses);
    if (peerEvents != null) {
      peerEvents.onPeerInfo(client, client.peerAddresses);
    }
    // RTMFP-WIRE §8.3: Set Keepalive, from keepAliveServer / keepAlivePeer.
    send(TcMessage.setKeepalive(keepAliveServerMs, keepAlivePeerMs));
  }

  /** createStream: a new stream id, answered as the client's encoding wants (RTMFP-WIRE §8.5). */
  private void onCreateStream(TcCommand cmd) {
    if (!client.connected) {
      sendError(cmd.transactionId(), "NetConnection.Call.Failed", "Client must be connected before creating streams");
      return;
    }
    if (netStreams.size() >= MAX_STREAMS) {
      sendError(cmd.transactionId(), "NetConnection.Call.Failed", "Too many streams");
      return;
    }
    int id = nextStreamId++;
    netStreams.put(id, new NetStreamHandler(client, id, controlFlow.flowId(), streams, drops));
    // An integer: AMF3 behind the switch for AMF3 clients (V8), an AMF0 number for AMF0 clients.
    sendCommand("_result", cmd.transactionId(), id);
  }

  private void onDeleteStream(TcCommand cmd) {
    Object id = cmd.args().isEmpty() ? null : cmd.args().get(0);
    if (id instanceof Number n) {
      NetStreamHandler ns = netStreams.remove(n.intValue());
      if (ns != null) {
        ns.close();
      }
    }
  }

  private void onCall(TcCommand cmd) {
    double txid = cmd.transactionId();
    client.transactionId = txid;
    if (!client.connected) {
      sendError(txid, "NetConnection.Call.Failed", "Client must be connected before remote procedure calling");
      return;
    }
    CompletableFuture<ServerApplication.CallResult> answer;
    try {
      answer = app.onCall(client, cmd.name(), cmd.args()).toCompletableFuture();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    String method = cmd.name();
    if (answer.isDone() && answersPending == 0) {
      callAnswered(txid, method, answer);
    } else {
      CompletableFuture<ServerApplication.CallResult> a = answer;
      later(a, () -> callAnswered(txid, method, a));
    }
  }

  /**
   * Continues on our loop once the app answers from its own executor (CUMULUS-FEATURES §3). Acks
   * wait meanwhile, so that the answer carries them: one datagram instead of two.
   */
  private void later(CompletableFuture<?> answer, Runnable then) {
    // Answers leave in call order: the app answers in order (one executor) and each completion
    // queues its task on our loop in that order; an answer ready early waits behind them.
    answersPending++;
    session.holdAcks(ACK_HOLD_NANOS);
    answer.whenComplete((r, e) -> session.loop().execute(() -> {
      answersPending--;
      session.releaseAcks();
      then.run();
    }));
  }

  private void callAnswered(double txid, String method, CompletableFuture<ServerApplication.CallResult> answer) {
    if (!session.isOpen()) {
      return;
    }
    ServerApplication.CallResult r;
    try {
      r = answer.join();
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LOG.warn("application {} failed in method {}", client.path, method, cause);
      r = ServerApplication.CallResult.error(String.valueOf(cause.getMessage()));
    }
    switch (r.kind()) {
      case RESULT -> {
        if (txid != 0) {
          sendCommand("_result", txid, r.value());
        }
      }
      case NO_RESULT -> {
        // Cumulus quirk kept on purpose (CUMULUS-FEATURES §8.1): nothing returned, nothing sent.
      }
      case ERROR -> sendError(txid, "NetConnection.Call.Failed", r.error());
      case NOT_FOUND -> sendError(txid, "NetConnection.Call.Failed", "Method '" + method + "' not found");
    }
  }

  // ---- sending ----

  private void sendError(double txid, String code, String description) {
    sendCommand("_error", txid, TcCommand.info("error", code, description, null));
  }

  void sendCommand(String name, double txid, Object... args) {
    send(TcCommand.encode(name, txid, client.amfMode(), args));
  }

  /** Writes a message on the NetConnection's return flow (loop only; Lua writers post here). */
  public void write(byte[] message, boolean reliable) {
    if (responseFlow == null) {
      if (controlFlow == null) {
        return;
      }
      responseFlow = session.openFlow(controlFlow.metadata(), controlFlow.flowId());
    }
    session.write(responseFlow, message, reliable);
  }

  /** A new flow with the NetConnection's metadata, associated with its flow (newFlowWriter); loop only. */
  public SendFlow openFlow() {
    if (controlFlow == null || !session.isOpen()) {
      return null;
    }
    return session.openFlow(controlFlow.metadata(), controlFlow.flowId());
  }

  /** Ends the NetConnection's return flow (Lua writer:close on client.writer); loop only. */
  public void closeResponseFlow() {
    if (responseFlow != null) {
      session.closeFlow(responseFlow);
    }
  }

  private void send(byte[] message) {
    if (responseFlow == null) {
      if (controlFlow == null) {
        return;
      }
      responseFlow = session.openFlow(controlFlow.metadata(), controlFlow.flowId());
    }
    session.write(responseFlow, message, true);
  }

  // ---- helpers ----

  private static Object member(Object commandObject, String name) {
    if (commandObject instanceof AmfObject o) {
      return o.get(name);
    }
    if (commandObject instanceof AmfArray a) {
      return a.associative().get(name);
    }
    if (commandObject instanceof Map<?, ?> m) {
      return m.get(name);
    }
    return null;
  }

  private static String asString(Object o) {
    return o instanceof String s ? s : null;
  }

  /** The app path: from tcUrl (rtmfp://host:port/path?query), else the "app" member. */
  static String pathOf(String tcUrl, String app) {
    if (tcUrl != null) {
      try {
        URI u = new URI(tcUrl);
        if (u.getRawPath() != null) {
          return u.getPath();
        }
      } catch (Exception e) {
        // fall back to "app"
      }
    }
    return app == null ? "" : app;
  }

  static Map<String, String> queryOf(String tcUrl) {
    if (tcUrl == null) {
      return Map.of();
    }
    int q = tcUrl.indexOf('?');
    if (q < 0) {
      return Map.of();
    }
    LinkedHashMap<String, String> m = new LinkedHashMap<>();
    for (String kv : tcUrl.substring(q + 1).split("&")) {
      if (kv.isEmpty()) {
        continue;
      }
      int eq = kv.indexOf('=');
      String k = eq < 0 ? kv : kv.substring(0, eq);
      String v = eq < 0 ? "" : kv.substring(eq + 1);
      try {
        m.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        m.put(k, v); // malformed %-escape: keep the raw text
      }
    }
    return Map.copyOf(m);
  }
}
