package io.altocumulus.edge.group;

import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.tc.NetGroupMessage;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One GC flow of a connected client (RTMFP-WIRE §8.9): waits for the join message, joins the group
 * through the registry, answers the bootstrap list on a response flow associated with the GC flow
 * (RTMFP-WIRE §7.3), passes on ring repairs, and leaves when the flow ends or the session dies.
 * Runs on the session's loop; {@link #neighbour} may be called from any thread.
 */
final class GroupMember implements FlowHandler {
  private static final Logger LOG = LoggerFactory.getLogger(GroupMember.class);

  private enum State { IDLE, PENDING, JOINED, LEFT }

  private final NetGroups groups;
  private final SessionGroups owner;
  private final Client client;
  private final Session session;
  private final RecvFlow flow;
  private Key peer;
  private NetGroup group;
  private SendFlow response;
  private volatile State state = State.IDLE;
  /** The registry's answer to our join: a leave is sent only after it (ordering on remote shards). */
  private CompletableFuture<List<Key>> joinAnswer;

  GroupMember(NetGroups groups, SessionGroups owner, Client client, RecvFlow flow) {
    this.groups = groups;
    this.owner = owner;
    this.client = client;
    this.session = client.session();
    this.flow = flow;
  }

  Client client() {
    return client;
  }

  Key peer() {
    return peer;
  }

  NetGroup group() {
    return group;
  }

  boolean joined() {
    return state == State.JOINED;
  }

  // ---- the GC flow ----

  @Override
  public void onMessage(RecvFlow f, byte[] buf, int off, int len) {
    if (len < 1 || (buf[off] & 0xFF) != NetGroupMessage.JOIN) {
      LOG.debug("GC flow {}: message type {} ignored", f.flowId(), len < 1 ? -1 : buf[off] & 0xFF);
      return;
    }
    if (state != State.IDLE) {
      LOG.debug("GC flow {}: second join ignored", f.flowId());
      return;
    }
    byte[] id;
    try {
      id = NetGroupMessage.parseJoin(buf, off, len);
    } catch (WireException e) {
      groups.drops().drop(e.dropCause(), System.nanoTime(), e.getMessage());
      return;
    }
    join(Key.of(id));
  }

  @Override
  public void onFinished(RecvFlow f) {
    leave(false);
  }

  private void join(Key g) {
    peer = Key.of(session.peerId());
    group = owner.admit(this, g, peer);
    if (group == null) {
      state = State.LEFT; // refused and counted; the flow stays silent
      return;
    }
    state = State.PENDING;
    joinAnswer = NetGroups.stage(groups.registry().join(g, peer, groups.edgeId(), false));
    if (joinAnswer.isDone()) {
      onJoinAnswer();
    } else {
      joinAnswer.whenComplete((l, e) -> session.loop().execute(this::onJoinAnswer));
    }
  }

  private void onJoinAnswer() {
    List<Key> bootstrap;
    try {
      bootstrap = joinAnswer.join();
    } catch (RuntimeException e) {
      if (state == State.PENDING) {
        state = State.LEFT;
        groups.removeMember(group, peer, this);
        owner.left(this, true);
      }
      groups.registryRefused(e, peer + " joining " + group.key());
      return;
    }
    if (state != State.PENDING) {
      groups.registry().leave(group.key(), peer, groups.edgeId()); // left while the join was on its way
      return;
    }
    state = State.JOINED;
    groups.joins.increment();
    ServerApplication app = client.application();
    try {
      app.onJoinGroup(client, group);
    } catch (RuntimeException e) {
      LOG.warn("application {} failed in onJoinGroup", client.path(), e);
    }
    // RTMFP-WIRE §8.9: up to 5 newest members newest first, then 1 random older one.
    for (Key k : bootstrap) {
      if (!k.equals(peer)) {
        send(NetGroupMessage.member(k.bytes()));
      }
    }
  }

  /** Ring repair from the registry (any thread). */
  void neighbour(Key neighbour) {
    session.loop().execute(() -> {
      if (state == State.JOINED || state == State.PENDING) {
        groups.neighbourNotices.increment();
        send(NetGroupMessage.member(neighbour.bytes()));
      }
    });
  }

  /** The flow ended ({@code sessionDead} false) or the session died: leave, onUnjoinGroup, FIN. */
  void leave(boolean sessionDead) {
    State was = state;
    state = State.LEFT;
    switch (was) {
      case IDLE -> owner.left(this, false);
      case LEFT -> owner.left(this, false);
      case PENDING -> {
        // The registry is told when its answer comes (onJoinAnswer).
        groups.removeMember(group, peer, this);
        owner.left(this, true);
      }
      case JOINED -> {
        groups.removeMember(group, peer, this);
        owner.left(this, true);
        groups.registry().leave(group.key(), peer, groups.edgeId());
        groups.leaves.increment();
        try {
          client.application().onUnjoinGroup(client, group);
        } catch (RuntimeException e) {
          LOG.warn("application {} failed in onUnjoinGroup", client.path(), e);
        }
      }
    }
    if (!sessionDead && response != null && session.isOpen()) {
      session.closeFlow(response);
    }
  }

  private void send(byte[] message) {
    if (!session.isOpen()) {
      return;
    }
    if (response == null) {
      // RTMFP-WIRE §7.3: a NetGroup response flow is associated with its own group flow.
      response = session.openFlow(flow.metadata(), flow.flowId());
    }
    session.write(response, message, true);
  }
}
