package io.altocumulus.rtmfp.client;

import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.AmfContext;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A direct session with another peer (RTMFP-WIRE §6.3 step 3), either end: the one that asked
 * the server for the peer id (initiator) or the one that was introduced (responder). What it
 * carries: AMF commands on a NetConnection-like flow (TC metadata, stream 0, RFC 7425 §5.1.1) in
 * both directions, each side opening its own sending flow. Methods may be called from any thread.
 */
public final class PeerConnection implements SessionHandler, FlowHandler {
  private final ClientTransport transport;
  private final Session session;
  private final boolean initiator;
  private final List<Consumer<TcCommand>> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private SendFlow flow;

  PeerConnection(ClientTransport transport, Session session, boolean initiator) {
    this.transport = transport;
    this.session = session;
    this.initiator = initiator;
    session.setHandler(this);
  }

  /** The far peer's id: SHA-256 of its certificate (RTMFP-WIRE §6.1). */
  public byte[] peerId() {
    return session.peerId().clone();
  }

  public InetSocketAddress address() {
    return session.address();
  }

  /** True on the side that initiated (asked the server for the peer). */
  public boolean isInitiator() {
    return initiator;
  }

  public Session session() {
    return session;
  }

  /** Sends a command {@code name(args...)} (AMF0, transaction 0) to the peer. */
  public void send(String name, Object... args) {
    byte[] m = TcCommand.encode(name, 0, Amf0Writer.Mode.PURE, args);
    transport.execute(() -> {
      if (!session.isOpen()) {
        return;
      }
      if (flow == null) {
        flow = session.openFlow(TcMetadata.encode(0), -1);
      }
      session.write(flow, m, true);
    });
  }

  /** Every command the peer sends. */
  public void onCommand(Consumer<TcCommand> listener) {
    listeners.add(listener);
  }

  public CompletableFuture<String> close() {
    transport.execute(() -> session.close("closed by peer application"));
    return closed;
  }

  public CompletableFuture<String> closed() {
    return closed;
  }

  // ---- on the loop ----

  @Override
  public FlowHandler onFlowOpened(Session s, RecvFlow f) {
    try {
      return TcMetadata.parse(f.metadata()).isNetConnection() ? this : null;
    } catch (WireException e) {
      return null;
    }
  }

  @Override
  public void onMessage(RecvFlow f, byte[] buf, int off, int len) {
    int type = buf[off] & 0xFF;
    if (type != TcMessage.AMF0_COMMAND && type != TcMessage.AMF3_COMMAND) {
      return;
    }
    TcCommand cmd = TcCommand.parse(buf, off, len, AmfContext.DEFAULT);
    listeners.forEach(l -> l.accept(cmd));
  }

  @Override
  public void onClosed(Session s, String reason) {
    closed.complete(reason);
  }
}
