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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A direct session with another peer (RTMFP-WIRE §6.3 step 3), either end: the one that asked
 * the server for the peer id (initiator) or the one that was introduced (responder). What it
 * carries: AMF commands on a NetConnection-like flow (TC metadata, stream 0, RFC 7425 §5.1.1) in
 * both directions, each side opening its own sending flow; and NetStreams: this side plays what the
 * far peer publishes to direct connections ({@link #createStream()}), and the far peer plays this
 * client's {@link DirectNetStream}s. Methods may be called from any thread.
 */
public final class PeerConnection implements SessionHandler, FlowHandler {
  /**
   * Flash numbers the NetStreams of a direct session from 2,000,001 (stream 1 of a peer: metadata
   * {@code TC 04 FA 89 01}, Stream Begin for the same id), as librtmfp shows.
   */
  public static final long FIRST_PEER_STREAM_ID = 2_000_001L;
  /** NetStream flows a far peer may hold open toward our publications on one session. */
  static final int MAX_SUBSCRIBER_FLOWS = 64;

  private final ClientTransport transport;
  private final Session session;
  private final boolean initiator;
  private final Map<String, DirectNetStream> publications;
  /** Our players, by the id of their own flow, which the publisher's flows name (on the loop). */
  private final HashMap<Long, ClientNetStream> streams = new HashMap<>();
  /** The far peer's players of our publications (on the loop). */
  private final List<DirectSubscriber> subscribers = new ArrayList<>();
  private long nextStreamId = FIRST_PEER_STREAM_ID;
  private final StreamOwner streamOwner = new StreamOwner() {
    @Override
    public void execute(Runnable r) {
      transport.execute(r);
    }

    @Override
    public Session session() {
      return session;
    }

    @Override
    public SendFlow openStreamFlow(long streamId) {
      // Not associated: a direct session has no NetConnection flow to hang it on (librtmfp, Flash).
      return session.openFlow(TcMetadata.encode(streamId), -1);
    }

    @Override
    public void writeOnNetConnection(byte[] message) {
      transport.execute(() -> {
        if (session.isOpen()) {
          session.write(controlFlow(), message, true);
        }
      });
    }

    @Override
    public void deleteStream(ClientNetStream ns) {
      transport.execute(() -> {
        long id = ns.flowId();
        if (streams.get(id) == ns) {
          streams.remove(id);
          ns.onDeleted();
        }
      });
    }
  };
  private final List<Consumer<TcCommand>> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private SendFlow flow;

  PeerConnection(ClientTransport transport, Session session, boolean initiator,
      Map<String, DirectNetStream> publications) {
    this.transport = transport;
    this.session = session;
    this.initiator = initiator;
    this.publications = publications;
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
      session.write(controlFlow(), m, true);
    });
  }

  /**
   * A NetStream over this direct session, as Flash's {@code new NetStream(nc, farID)}: call
   * {@link ClientNetStream#play(String)} to play what the far peer publishes to direct connections.
   * Its commands are AMF0 (Flash and librtmfp send play to a peer as a 0x14 command).
   */
  public ClientNetStream createStream() {
    ClientNetStream ns;
    synchronized (this) {
      ns = new ClientNetStream(streamOwner, nextStreamId++, 0);
    }
    transport.execute(() -> {
      if (session.isOpen()) {
        ns.open();
        streams.put(ns.flowId(), ns);
      }
    });
    return ns;
  }

  private SendFlow controlFlow() {
    if (flow == null) {
      flow = session.openFlow(TcMetadata.encode(0), -1);
    }
    return flow;
  }

  /** On the loop: this client's publication of that name, or null. */
  DirectNetStream publication(String name) {
    return publications.get(name);
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
      TcMetadata md = TcMetadata.parse(f.metadata());
      if (md.kind() != TcMetadata.Kind.TC) {
        return null;
      }
      if (md.isNetConnection()) {
        return this;
      }
      // The publisher's flows for one of our players name that player's flow (RTMFP-WIRE §8.8).
      ClientNetStream ns = streams.get(f.associatedFlowId());
      if (ns != null) {
        ns.onServerFlow(f);
        return ns.handler();
      }
      // Else a player's NetStream flow: it will ask for one of our direct publications. Whatever
      // it is associated with (librtmfp: nothing) is not checked; a stray flow for one of our
      // deleted streams just never sends play.
      if (subscribers.size() >= MAX_SUBSCRIBER_FLOWS) {
        return null;
      }
      DirectSubscriber sub = new DirectSubscriber(this, f, md.streamId());
      subscribers.add(sub);
      return sub;
    } catch (WireException e) {
      return null;
    }
  }

  /** On the loop: the far peer's player flow ended. */
  void subscriberGone(DirectSubscriber sub) {
    subscribers.remove(sub);
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
    for (DirectSubscriber sub : subscribers) {
      sub.sessionClosed();
    }
    subscribers.clear();
    closed.complete(reason);
  }
}
