package io.altocumulus.edge.group;

import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.NetGroupView;
import io.altocumulus.rendezvous.Key;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A NetGroup as this node knows it (CUMULUS-FEATURES §5.5): its members here, connected ones
 * ({@link GroupMember}) and virtual ones ({@link VirtualMember}), in join order. Cluster-wide
 * membership (bootstrap lists, ring repair) is the {@code GroupRegistry}'s; this view serves the
 * applications and the node's limits. Thread-safe: members are guarded by this object's monitor.
 */
public final class NetGroup implements NetGroupView {
  private final Key key;
  private final String hex;
  /** peer → GroupMember or VirtualMember; guarded by {@code this}. */
  private final LinkedHashMap<Key, Object> members = new LinkedHashMap<>();

  NetGroup(Key key) {
    this.key = key;
    this.hex = key.hex();
  }

  public Key key() {
    return key;
  }

  @Override
  public byte[] rawId() {
    return key.bytes();
  }

  @Override
  public String id() {
    return hex;
  }

  /** Members known here, virtual ones included. */
  @Override
  public synchronized int size() {
    return members.size();
  }

  /** Connected members of this node, in join order (Lua {@code group:ipairs()}). */
  @Override
  public synchronized List<Client> members() {
    List<Client> out = new ArrayList<>(members.size());
    for (Object m : members.values()) {
      if (m instanceof GroupMember gm) {
        out.add(gm.client());
      }
    }
    return out;
  }

  /** Peer ids of every member known here (virtual ones included), in join order. */
  public synchronized List<Key> peers() {
    return new ArrayList<>(members.keySet());
  }

  public synchronized boolean contains(Key peer) {
    return members.containsKey(peer);
  }

  synchronized Object member(Key peer) {
    return members.get(peer);
  }

  /** Called with the groups map's bin locked (NetGroups.add): 0 added, 1 duplicate, 2 full. */
  synchronized int add(Key peer, Object member, int max) {
    if (members.containsKey(peer)) {
      return 1;
    }
    if (members.size() >= max) {
      return 2;
    }
    members.put(peer, member);
    return 0;
  }

  /** Removes {@code member} if it is still the one held for {@code peer}; true if now empty. */
  synchronized boolean remove(Key peer, Object member) {
    if (members.get(peer) == member) {
      members.remove(peer);
    }
    return members.isEmpty();
  }

  /** Snapshot of the members, for resync. */
  synchronized List<Object> snapshot() {
    return new ArrayList<>(members.values());
  }

  @Override
  public String toString() {
    return "NetGroup " + key;
  }
}
