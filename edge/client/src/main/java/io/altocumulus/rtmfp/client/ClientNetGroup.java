package io.altocumulus.rtmfp.client;

import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.tc.NetGroupMessage;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The client side of a NetGroup's server part (RTMFP-WIRE §8.9): a flow with {@code GC} metadata,
 * associated with the NetConnection flow, carrying the join message; the server's response flow
 * (associated with ours) brings {@code 0B <peer id>} messages, the bootstrap list and later ring
 * repairs, collected here in arrival order. Methods may be called from any thread.
 */
public final class ClientNetGroup {
  /** GC flow metadata (RTMFP-WIRE §8.1). */
  static final byte[] METADATA = {'G', 'C'};

  private final ClientNetConnection nc;
  private final byte[] groupId;
  private final byte[] join;
  private final List<byte[]> peers = new CopyOnWriteArrayList<>();
  private final List<Consumer<byte[]>> listeners = new CopyOnWriteArrayList<>();
  private final FlowHandler handler = new FlowHandler() {
    @Override
    public void onMessage(RecvFlow f, byte[] buf, int off, int len) {
      onServerMessage(buf, off, len);
    }

    @Override
    public void onFinished(RecvFlow f) {
      serverFinished = true;
    }
  };
  private SendFlow flow;
  private volatile boolean serverFinished;
  private volatile long malformed;

  private ClientNetGroup(ClientNetConnection nc, byte[] groupId, byte[] join) {
    this.nc = nc;
    this.groupId = groupId;
    this.join = join;
  }

  /** A join by groupspec: the server hashes the specifier bytes (marker 0x10). */
  static ClientNetGroup ofSpecifier(ClientNetConnection nc, String groupspec) {
    byte[] spec = groupspec.getBytes(StandardCharsets.UTF_8);
    return new ClientNetGroup(nc, NetGroupMessage.groupIdOfSpecifier(spec), NetGroupMessage.joinWithSpecifier(spec));
  }

  /** A join by the 32-byte group id (marker 0x15, as librtmfp sends it). */
  static ClientNetGroup ofId(ClientNetConnection nc, byte[] groupId) {
    return new ClientNetGroup(nc, groupId.clone(), NetGroupMessage.joinWithId(groupId));
  }

  /** On the loop: opens the GC flow and sends the join. */
  void open(Session s, long netConnectionFlowId) {
    flow = s.openFlow(METADATA, netConnectionFlowId);
    s.write(flow, join, true);
  }

  long flowId() {
    return flow.flowId();
  }

  FlowHandler handler() {
    return handler;
  }

  private void onServerMessage(byte[] buf, int off, int len) {
    try {
      byte[] id = NetGroupMessage.parseMember(buf, off, len);
      peers.add(id);
      listeners.forEach(l -> l.accept(id));
    } catch (WireException e) {
      malformed++;
    }
  }

  /** The group id (SHA-256 of the specifier, or the id given). */
  public byte[] groupId() {
    return groupId.clone();
  }

  /** Every peer id the server announced, in arrival order (bootstrap first, then repairs). */
  public List<byte[]> peers() {
    return new ArrayList<>(peers);
  }

  /** Called on the loop with each announced peer id. */
  public void onPeer(Consumer<byte[]> listener) {
    listeners.add(listener);
  }

  /** True once the server ended its response flow (FIN). */
  public boolean serverFinished() {
    return serverFinished;
  }

  /** Server messages that were not {@code 0B <peer id>}. */
  public long malformed() {
    return malformed;
  }

  /** Leaves the group: ends the GC flow (FIN), as NetGroup.close does. */
  public void close() {
    nc.execute(() -> {
      if (flow != null && nc.session() != null) {
        nc.session().closeFlow(flow);
      }
    });
  }
}
