package io.altocumulus.edge.group;

import io.altocumulus.edge.app.Client;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.session.FlowHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * The NetGroup ({@code GC}) flows of one session (RTMFP-WIRE §8.9). Lives on the session's loop:
 * NetConnection hands it every GC flow, and tells it when the session dies, before
 * onDisconnection (CUMULUS-FEATURES §4: onUnjoinGroup comes first).
 */
public final class SessionGroups {
  private final NetGroups groups;
  private final Client client;
  /** Every GC flow of the session that has not ended, joined or not. */
  private final List<GroupMember> flows = new ArrayList<>(1);
  private int active;

  SessionGroups(NetGroups groups, Client client) {
    this.groups = groups;
    this.client = client;
  }

  /** A GC flow opened: its handler, or null to refuse it (client not connected). */
  public FlowHandler onFlowOpened(RecvFlow flow) {
    if (!client.isConnected() || client.application() == null || client.session().peerId() == null) {
      return null;
    }
    GroupMember m = new GroupMember(groups, this, client, flow);
    flows.add(m);
    return m;
  }

  /** The session died: every member leaves its group (onUnjoinGroup for each). */
  public void onSessionClosed() {
    List<GroupMember> all = new ArrayList<>(flows);
    flows.clear();
    for (GroupMember m : all) {
      m.leave(true);
    }
  }

  /** Groups this session is in or joining. */
  public int size() {
    return active;
  }

  /** The groups this session is in (joined, answered by the registry). */
  public List<NetGroup> joined() {
    List<NetGroup> out = new ArrayList<>(flows.size());
    for (GroupMember m : flows) {
      if (m.joined()) {
        out.add(m.group());
      }
    }
    return out;
  }

  /** The member's join message named {@code group}: limits, then the local view, then the registry. */
  NetGroup admit(GroupMember m, Key group, Key peer) {
    if (active >= groups.limits().perSession()) {
      groups.refusedPerSession.increment();
      groups.drops().drop(DropCause.LIMIT_EXCEEDED, System.nanoTime(),
          "session in too many groups (groups.perSession=" + groups.limits().perSession() + ")");
      return null;
    }
    NetGroup g = groups.add(group, peer, m);
    if (g != null) {
      active++;
    }
    return g;
  }

  void left(GroupMember m, boolean wasActive) {
    flows.remove(m);
    if (wasActive) {
      active--;
    }
  }
}
