package io.altocumulus.rtmfp.client;

import io.altocumulus.rtmfp.amf.Amf0Writer;
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
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The client side of a NetConnection over an RTMFP session (RFC 7425 §5): the connect command,
 * calls with their {@code _result} / {@code _error}, setPeerInfo, close. Its methods may be called
 * from any thread; the work runs on the transport's loop.
 */
public final class ClientNetConnection implements SessionHandler, FlowHandler {
  /** A {@code _error} answer (or a refused connect), with its info object. */
  public static final class CallFailedException extends RuntimeException {
    private final Object info;

    CallFailedException(Object info) {
      super(describe(info), null, false, false);
      this.info = info;
    }

    public Object info() {
      return info;
    }

    public String code() {
      return String.valueOf(member(info, "code"));
    }

    static String describe(Object info) {
      return member(info, "code") + ": " + member(info, "description");
    }
  }

  private final java.util.concurrent.Executor loop;
  private final String url;
  private final RtmfpClient.ConnectOptions options;
  private final CompletableFuture<ClientNetConnection> connected = new CompletableFuture<>();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final HashMap<Double, CompletableFuture<Object>> pending = new HashMap<>();
  private final CompletableFuture<int[]> keepalive = new CompletableFuture<>();
  private final List<Consumer<byte[]>> messageListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<TcCommand>> commandListeners = new CopyOnWriteArrayList<>();
  private final List<java.util.function.BiConsumer<Long, byte[]>> flowMessageListeners = new CopyOnWriteArrayList<>();
  private final List<java.util.function.LongConsumer> flowFinishedListeners = new CopyOnWriteArrayList<>();
  private Session session;
  private SendFlow flow;
  private final HashMap<Long, ClientNetStream> streams = new HashMap<>();
  /** NetGroups by the id of our GC flow, which the server's response flow names (RTMFP-WIRE §7.3). */
  private final HashMap<Long, ClientNetGroup> groups = new HashMap<>();
  private double nextTxid = 2;
  private volatile Object connectInfo;
  /** How this connection's NetStreams reach their session (package-private methods, not the public API). */
  private final StreamOwner streamOwner = new StreamOwner() {
    @Override
    public void execute(Runnable r) {
      ClientNetConnection.this.execute(r);
    }

    @Override
    public Session session() {
      return session;
    }

    @Override
    public SendFlow openStreamFlow(long streamId) {
      return ClientNetConnection.this.openStreamFlow(streamId);
    }

    @Override
    public void writeOnNetConnection(byte[] message) {
      ClientNetConnection.this.writeOnNetConnection(message);
    }

    @Override
    public void deleteStream(ClientNetStream ns) {
      ClientNetConnection.this.deleteStream(ns);
    }
  };

  ClientNetConnection(ClientTransport transport, String url, RtmfpClient.ConnectOptions options) {
    this(transport::execute, url, options);
  }

  /** {@code loop} runs a task on the session's loop and flushes what it queued (tests pass their own). */
  ClientNetConnection(java.util.concurrent.Executor loop, String url, RtmfpClient.ConnectOptions options) {
    this.loop = loop;
    this.url = url;
    this.options = options;
  }

  void execute(Runnable r) {
    loop.execute(r);
  }

  CompletableFuture<ClientNetConnection> connectedFuture() {
    return connected;
  }

  /** On the loop: the session is up; open the NetConnection flow and send connect. */
  void onSession(Session s) {
    this.session = s;
    s.setHandler(this);
    flow = s.openFlow(TcMetadata.encode(0), -1);
    Map<String, Object> co = connectCommandObject(url, options.flashVer, options.objectEncoding);
    Object[] args = new Object[1 + options.connectArgs.size()];
    args[0] = co;
    for (int i = 0; i < options.connectArgs.size(); i++) {
      args[i + 1] = options.connectArgs.get(i);
    }
    // Flash sends connect as an AMF3-extended command when it speaks AMF3 (RFC 7425 §5.3.3).
    int type = options.objectEncoding == 3 ? TcMessage.AMF3_COMMAND : TcMessage.AMF0_COMMAND;
    s.write(flow, connectCommand(type, args), true);
  }

  /** connect carries its command object where other commands carry null. */
  private byte[] connectCommand(int type, Object[] args) {
    io.altocumulus.rtmfp.amf.AmfOutput out = new io.altocumulus.rtmfp.amf.AmfOutput(256);
    out.writeU8(type).writeI32(0);
    if (type == TcMessage.AMF3_COMMAND) {
      out.writeU8(0);
    }
    Amf0Writer w = new Amf0Writer(out, mode());
    w.writeString("connect");
    w.writeNumber(1);
    @SuppressWarnings("unchecked")
    Map<String, ?> co = (Map<String, ?>) args[0];
    w.writeObject(co);
    for (int i = 1; i < args.length; i++) {
      w.writeValue(args[i]);
    }
    return out.toByteArray();
  }

  /** The command object of connect, as Flash fills it (RTMFP-WIRE §8.5). */
  public static Map<String, Object> connectCommandObject(String url, String flashVer, int objectEncoding) {
    LinkedHashMap<String, Object> co = new LinkedHashMap<>();
    co.put("app", RtmfpClient.pathOf(url));
    co.put("flashVer", flashVer);
    co.put("swfUrl", "");
    co.put("tcUrl", url);
    co.put("fpad", Boolean.FALSE);
    co.put("capabilities", 235.0);
    co.put("audioCodecs", 3575.0);
    co.put("videoCodecs", 252.0);
    co.put("videoFunction", 1.0);
    co.put("pageUrl", "");
    co.put("objectEncoding", (double) objectEncoding);
    return co;
  }

  void onConnectFailed(String reason) {
    connected.completeExceptionally(new IllegalStateException("RTMFP handshake failed: " + reason));
    closed.complete(reason);
  }

  private Amf0Writer.Mode mode() {
    return options.objectEncoding == 0 ? Amf0Writer.Mode.PURE : Amf0Writer.Mode.AMF3_SWITCH;
  }

  // ---- public API ----

  /** Calls a server method; completes with the {@code _result} value, or fails with {@link CallFailedException}. */
  public CompletableFuture<Object> call(String method, Object... args) {
    CompletableFuture<Object> f = new CompletableFuture<>();
    loop.execute(() -> {
      if (session == null || !session.isOpen()) {
        f.completeExceptionally(new IllegalStateException("not connected"));
        return;
      }
      double txid = nextTxid++;
      pending.put(txid, f);
      session.write(flow, TcCommand.encode(method, txid, mode(), args), true);
    });
    return f;
  }

  /**
   * NetConnection.createStream (RTMFP-WIRE §8.5): the {@code _result} value, an AMF0 number or an
   * AMF3 integer, is the stream id. The stream's flow is opened, flows the server opens for that id
   * are routed to it.
   */
  public CompletableFuture<ClientNetStream> createStream() {
    CompletableFuture<ClientNetStream> out = new CompletableFuture<>();
    loop.execute(() -> {
      if (session == null || !session.isOpen()) {
        out.completeExceptionally(new IllegalStateException("not connected"));
        return;
      }
      double txid = nextTxid++;
      CompletableFuture<Object> answer = new CompletableFuture<>();
      // Registered on the loop before the command leaves, so this runs on the loop at the answer.
      answer.whenComplete((v, err) -> {
        if (err != null) {
          out.completeExceptionally(err);
        } else if (!(v instanceof Number n) || n.doubleValue() <= 0 || n.doubleValue() != Math.rint(n.doubleValue())) {
          out.completeExceptionally(new IllegalStateException("createStream answered " + v));
        } else {
          ClientNetStream ns = new ClientNetStream(streamOwner, n.longValue(), options.objectEncoding);
          streams.put(ns.streamId(), ns);
          ns.open();
          out.complete(ns);
        }
      });
      pending.put(txid, answer);
      session.write(flow, StreamMessages.command(options.objectEncoding, "createStream", txid), true);
    });
    return out;
  }

  /**
   * Joins a NetGroup (RTMFP-WIRE §8.9): a GC flow carrying the join, by groupspec (hashed by the
   * server) or by 32-byte group id. The returned group collects the peer ids the server sends.
   */
  public ClientNetGroup joinGroup(String groupspec) {
    return joinGroup(ClientNetGroup.ofSpecifier(this, groupspec));
  }

  public ClientNetGroup joinGroup(byte[] groupId) {
    return joinGroup(ClientNetGroup.ofId(this, groupId));
  }

  private ClientNetGroup joinGroup(ClientNetGroup g) {
    loop.execute(() -> {
      if (session != null && session.isOpen()) {
        g.open(session, flow.flowId());
        groups.put(g.flowId(), g);
      }
    });
    return g;
  }

  /** On the loop: the stream's own flow, associated with the NetConnection flow (RTMFP-WIRE §7.2). */
  SendFlow openStreamFlow(long streamId) {
    return session.openFlow(TcMetadata.encode(streamId), flow.flowId());
  }

  void writeOnNetConnection(byte[] message) {
    loop.execute(() -> {
      if (session != null) {
        session.write(flow, message, true);
      }
    });
  }

  void deleteStream(ClientNetStream ns) {
    loop.execute(() -> {
      if (streams.remove(ns.streamId()) == ns) {
        session.write(flow, StreamMessages.command(options.objectEncoding, "deleteStream", 0, (double) ns.streamId()), true);
        ns.onDeleted();
      }
    });
  }

  /** The objectEncoding this connection announced (0 or 3). */
  public int objectEncoding() {
    return options.objectEncoding;
  }

  /** Sends setPeerInfo; completes with the Set Keepalive periods {server ms, peer ms}. */
  public CompletableFuture<int[]> setPeerInfo(String... addresses) {
    loop.execute(() -> session.write(flow, TcCommand.encode("setPeerInfo", 0, mode(), (Object[]) addresses), true));
    return keepalive;
  }

  /**
   * Sends a raw Flash-profile message on the NetConnection flow, as is (diagnostics and tests of
   * the server's handling of bad input).
   */
  public void sendRaw(byte[] message) {
    loop.execute(() -> session.write(flow, message.clone(), true));
  }

  /** Closes the session (close request, RFC 7016 §3.5.5); completes when it is closed. */
  public CompletableFuture<String> close() {
    loop.execute(() -> {
      if (session != null) {
        session.close("closed by client");
      }
    });
    return closed;
  }

  public CompletableFuture<String> closed() {
    return closed;
  }

  /** The info object of the connect {@code _result}. */
  public Object connectInfo() {
    return connectInfo;
  }

  public InetSocketAddress serverAddress() {
    return session.address();
  }

  public byte[] serverPeerId() {
    return session.peerId();
  }

  public Session session() {
    return session;
  }

  /** Every message the server sends on the NetConnection, raw (for tests of the encoding). */
  public void onMessage(Consumer<byte[]> listener) {
    messageListeners.add(listener);
  }

  /** Every command the server sends that is not an answer to a call (onStatus, close, ...). */
  public void onCommand(Consumer<TcCommand> listener) {
    commandListeners.add(listener);
  }

  /**
   * Every message on a server flow with the NetConnection's signature, with that flow's id: the
   * response flow and flows a server opens beside it (Lua {@code writer:newFlowWriter()}).
   */
  public void onFlowMessage(java.util.function.BiConsumer<Long, byte[]> listener) {
    flowMessageListeners.add(listener);
  }

  /** The server finished (FIN) one of the flows {@link #onFlowMessage} reports; gets its id. */
  public void onFlowFinished(java.util.function.LongConsumer listener) {
    flowFinishedListeners.add(listener);
  }

  // ---- SessionHandler / FlowHandler (on the loop) ----

  @Override
  public FlowHandler onFlowOpened(Session s, RecvFlow f) {
    try {
      TcMetadata md = TcMetadata.parse(f.metadata());
      if (md.isNetConnection()) {
        return this;
      }
      if (md.kind() == TcMetadata.Kind.GROUP) {
        ClientNetGroup g = groups.get(f.associatedFlowId());
        return g == null ? null : g.handler();
      }
      if (md.kind() != TcMetadata.Kind.TC) {
        return null;
      }
      // REAL-CLIENTS.md §10: a server flow for a stream id we do not know is refused.
      ClientNetStream ns = streams.get(md.streamId());
      if (ns == null) {
        return null;
      }
      ns.onServerFlow(f);
      return ns.handler();
    } catch (WireException e) {
      return null;
    }
  }

  @Override
  public void onClosed(Session s, String reason) {
    IllegalStateException e = new IllegalStateException("session closed: " + reason);
    connected.completeExceptionally(e);
    pending.values().forEach(p -> p.completeExceptionally(e));
    pending.clear();
    closed.complete(reason);
  }

  @Override
  public void onFinished(RecvFlow f) {
    flowFinishedListeners.forEach(l -> l.accept(f.flowId()));
  }

  @Override
  public void onMessage(RecvFlow f, byte[] buf, int off, int len) {
    if (!messageListeners.isEmpty() || !flowMessageListeners.isEmpty()) {
      byte[] copy = java.util.Arrays.copyOfRange(buf, off, off + len);
      messageListeners.forEach(l -> l.accept(copy));
      flowMessageListeners.forEach(l -> l.accept(f.flowId(), copy));
    }
    int type = buf[off] & 0xFF;
    if (type == TcMessage.USER_CONTROL && len >= TcMessage.HEADER + 2 + 8
        && TcMessage.getShort(buf, off + TcMessage.HEADER) == TcMessage.UC_SET_KEEPALIVE) {
      int server = TcMessage.getInt(buf, off + TcMessage.HEADER + 2);
      int peer = TcMessage.getInt(buf, off + TcMessage.HEADER + 6);
      session.setKeepalivePeriodMillis(server);
      keepalive.complete(new int[] {server, peer});
      return;
    }
    if (type == TcMessage.USER_CONTROL && len >= TcMessage.HEADER + 2 + 4
        && TcMessage.getShort(buf, off + TcMessage.HEADER) == TcMessage.UC_STREAM_BEGIN) {
      // The answer to Set Buffer Length (RTMFP-WIRE §8.3): recorded on the stream it names.
      ClientNetStream ns = streams.get(TcMessage.getInt(buf, off + TcMessage.HEADER + 2) & 0xFFFFFFFFL);
      if (ns != null) {
        ns.onStreamBegin();
      }
      return;
    }
    if (type != TcMessage.AMF0_COMMAND && type != TcMessage.AMF3_COMMAND) {
      return;
    }
    TcCommand cmd = TcCommand.parse(buf, off, len, AmfContext.DEFAULT);
    Object value = cmd.args().isEmpty() ? null : cmd.args().get(0);
    switch (cmd.name()) {
      case "_result" -> {
        if (cmd.transactionId() == 1) {
          connectInfo = value;
          connected.complete(this);
        } else {
          CompletableFuture<Object> p = pending.remove(cmd.transactionId());
          if (p != null) {
            p.complete(value);
          }
        }
      }
      case "_error" -> {
        if (cmd.transactionId() == 1) {
          connectInfo = value;
          connected.completeExceptionally(new CallFailedException(value));
        } else {
          CompletableFuture<Object> p = pending.remove(cmd.transactionId());
          if (p != null) {
            p.completeExceptionally(new CallFailedException(value));
          }
        }
      }
      default -> commandListeners.forEach(l -> l.accept(cmd));
    }
  }

  static Object member(Object o, String name) {
    if (o instanceof AmfObject a) {
      return a.get(name);
    }
    if (o instanceof Map<?, ?> m) {
      return m.get(name);
    }
    return null;
  }
}
