package io.altocumulus.edge.group;

import io.altocumulus.rendezvous.Key;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A member without a session here (Lua {@code cumulus.groups:join(peerId, groupId)},
 * CUMULUS-FEATURES §5.6): typically a client of another server. Newcomers are told about it; it is
 * never told about anyone. One handle per peer id: joining another group with the same peer id
 * gives the same handle, and {@link #release()} leaves every group. Thread-safe.
 */
public final class VirtualMember {
  private final NetGroups owner;
  private final Key peer;
  /** Guarded by {@code this}. */
  private final LinkedHashSet<NetGroup> groups = new LinkedHashSet<>();
  private boolean released;

  VirtualMember(NetGroups owner, Key peer) {
    this.owner = owner;
    this.peer = peer;
  }

  public Key peer() {
    return peer;
  }

  /** Peer id in lower-case hex (Lua {@code member.id}). */
  public String id() {
    return peer.hex();
  }

  /** The raw 32-byte peer id (Lua {@code member.rawId}). */
  public byte[] rawId() {
    return peer.bytes();
  }

  /** The groups it is in. */
  public synchronized List<NetGroup> groups() {
    return new ArrayList<>(groups);
  }

  public synchronized boolean released() {
    return released;
  }

  /** Leaves every group (Lua {@code member:release()}); later calls do nothing. */
  public void release() {
    List<NetGroup> left;
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
      left = new ArrayList<>(groups);
      groups.clear();
    }
    owner.release(this, left);
  }

  /** False once released: the caller must make a new handle. */
  synchronized boolean addGroup(NetGroup g) {
    if (released) {
      return false;
    }
    groups.add(g);
    return true;
  }

  synchronized void removeGroup(NetGroup g) {
    groups.remove(g);
  }

  synchronized boolean isIn(NetGroup g) {
    return groups.contains(g);
  }

  @Override
  public String toString() {
    return "virtual member " + peer;
  }
}
