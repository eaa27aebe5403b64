package io.altocumulus.edge.group;

import io.altocumulus.edge.app.Client;
import io.altocumulus.rendezvous.GroupRegistry;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.LimitExceededException;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.DropCounters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NetGroups of one edge node (RTMFP-WIRE §8.9, CUMULUS-FEATURES §5.5–5.7): the groups with a
 * member here (Lua {@code cumulus.groups}), virtual members, limits, and the way ring repairs from
 * the {@link GroupRegistry} reach a member's session. Membership itself (join order, bootstrap
 * lists, ring repair) is the registry's, which may live on remote shards.
 *
 * <p>Thread-safe: sessions on every event loop and the Lua executors call in. A group is created
 * and removed inside the groups map's {@code compute}, so an empty group never lingers and a join
 * never lands in a removed one.
 */
public final class NetGroups {
  private static final Logger LOG = LoggerFactory.getLogger(NetGroups.class);

  private final GroupRegistry registry;
  private final String edgeId;
  private final GroupLimits limits;
  private final DropCounters drops;
  private final ConcurrentHashMap<Key, NetGroup> groups = new ConcurrentHashMap<>();
  private final AtomicInteger groupCount = new AtomicInteger();
  private final ConcurrentHashMap<Key, VirtualMember> virtuals = new ConcurrentHashMap<>();

  final LongAdder joins = new LongAdder();
  final LongAdder leaves = new LongAdder();
  private final LongAdder refusedGroups = new LongAdder();
  private final LongAdder refusedMembers = new LongAdder();
  final LongAdder refusedPerSession = new LongAdder();
  private final LongAdder duplicateJoins = new LongAdder();
  final LongAdder registryRefusals = new LongAdder();
  final LongAdder neighbourNotices = new LongAdder();
  private final LongAdder unroutedNeighbours = new LongAdder();

  public NetGroups(GroupRegistry registry, String edgeId, GroupLimits limits, DropCounters drops) {
    this.registry = registry;
    this.edgeId = edgeId;
    this.limits = limits;
    this.drops = drops;
  }

  public String edgeId() {
    return edgeId;
  }

  public GroupLimits limits() {
    return limits;
  }

  GroupRegistry registry() {
    return registry;
  }

  DropCounters drops() {
    return drops;
  }

  /** The per-session state of a connected client; NetConnection makes it at the first GC flow. */
  public SessionGroups forSession(Client client) {
    return new SessionGroups(this, client);
  }

  // ---- the groups collection (Lua cumulus.groups, CUMULUS-FEATURES §5.7) ----

  /** Groups with at least one member here (Lua {@code cumulus.groups.count}). */
  public int count() {
    return groupCount.get();
  }

  /** Every group (Lua {@code pairs(cumulus.groups)}, keyed by {@link NetGroup#id()}). */
  public List<NetGroup> all() {
    return new ArrayList<>(groups.values());
  }

  public NetGroup find(Key id) {
    return id == null ? null : groups.get(id);
  }

  /** Lua {@code cumulus.groups(id)}: {@code id} is 32 raw bytes or 64 hex characters; null if none. */
  public NetGroup find(byte[] rawOrHex) {
    return find(keyOf(rawOrHex));
  }

  public NetGroup find(String hex) {
    return find(keyOf(hex));
  }

  /** A key from 32 raw bytes or 64 hex characters (either case); null when it is neither. */
  public static Key keyOf(byte[] rawOrHex) {
    if (rawOrHex == null) {
      return null;
    }
    if (rawOrHex.length == Key.LENGTH) {
      return Key.of(rawOrHex);
    }
    if (rawOrHex.length == Key.LENGTH * 2) {
      return keyOf(new String(rawOrHex, StandardCharsets.ISO_8859_1));
    }
    return null;
  }

  public static Key keyOf(String hex) {
    if (hex == null || hex.length() != Key.LENGTH * 2) {
      return null;
    }
    try {
      return Key.ofHex(hex);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ---- virtual members (Lua cumulus.groups:join, CUMULUS-FEATURES §5.6) ----

  /**
   * Adds a virtual member: newcomers to {@code group} are told about {@code peer}. Returns the
   * peer's handle (the same one for every group it joins), or null when a limit refused it, or
   * when the peer is a connected member of that group here.
   */
  public VirtualMember join(Key peer, Key group) {
    while (true) {
      VirtualMember vm = virtuals.computeIfAbsent(peer, k -> new VirtualMember(this, k));
      NetGroup existing = groups.get(group);
      if (existing != null && existing.member(peer) == vm) {
        return vm; // already in
      }
      NetGroup g = add(group, peer, vm);
      if (g == null) {
        if (vm.groups().isEmpty()) {
          virtuals.remove(peer, vm);
        }
        return null;
      }
      if (!vm.addGroup(g)) {
        // released meanwhile by another thread: undo, and make a new handle
        removeMember(g, peer, vm);
        virtuals.remove(peer, vm);
        continue;
      }
      CompletableFuture<List<Key>> answer = stage(registry.join(group, peer, edgeId, true));
      answer.whenComplete((l, e) -> {
        if (e != null) {
          registryRefused(e, "virtual member " + peer + " of " + group);
          vm.removeGroup(g);
          removeMember(g, peer, vm);
        }
      });
      joins.increment();
      return vm;
    }
  }

  /** Lua form: both ids raw (32 bytes) or hex (64 characters); null if an id is neither, or refused. */
  public VirtualMember join(byte[] peerRawOrHex, byte[] groupRawOrHex) {
    Key peer = keyOf(peerRawOrHex);
    Key group = keyOf(groupRawOrHex);
    return peer == null || group == null ? null : join(peer, group);
  }

  /** The virtual member of a peer id, if any. */
  public VirtualMember virtualMember(Key peer) {
    return virtuals.get(peer);
  }

  void release(VirtualMember vm, List<NetGroup> left) {
    virtuals.remove(vm.peer(), vm);
    for (NetGroup g : left) {
      removeMember(g, vm.peer(), vm);
      registry.leave(g.key(), vm.peer(), edgeId);
      leaves.increment();
    }
  }

  // ---- membership of the local view ----

  /** Adds a member to the local view under the limits; the group, or null (counted) if refused. */
  NetGroup add(Key group, Key peer, Object member) {
    int[] outcome = {0};
    NetGroup g = groups.compute(group, (k, old) -> {
      NetGroup n = old;
      if (n == null) {
        if (groupCount.get() >= limits.maxGroups()) {
          outcome[0] = 3;
          return null;
        }
        n = new NetGroup(k);
      }
      outcome[0] = n.add(peer, member, limits.maxMembers());
      if (old == null) {
        if (outcome[0] != 0) {
          return null;
        }
        groupCount.incrementAndGet();
      }
      return n;
    });
    switch (outcome[0]) {
      case 0 -> {
        return g;
      }
      case 1 -> {
        duplicateJoins.increment();
        LOG.debug("{} is already a member of {}", peer, group);
      }
      case 2 -> {
        refusedMembers.increment();
        drops.drop(DropCause.LIMIT_EXCEEDED, System.nanoTime(), "group " + group + " full (groups.maxMembers=" + limits.maxMembers() + ")");
      }
      default -> {
        refusedGroups.increment();
        drops.drop(DropCause.LIMIT_EXCEEDED, System.nanoTime(), "too many groups (groups.max=" + limits.maxGroups() + ")");
      }
    }
    return null;
  }

  /** Removes a member from the local view; the group goes when its last member does. */
  void removeMember(NetGroup g, Key peer, Object member) {
    groups.computeIfPresent(g.key(), (k, cur) -> {
      if (cur != g || !g.remove(peer, member)) {
        return cur;
      }
      groupCount.decrementAndGet();
      return null;
    });
  }

  void registryRefused(Throwable e, String what) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    registryRefusals.increment();
    if (cause instanceof LimitExceededException) {
      drops.drop(DropCause.LIMIT_EXCEEDED, System.nanoTime(), what + ": " + cause.getMessage());
    } else {
      LOG.warn("group registry failed for {}", what, cause);
    }
  }

  static <T> CompletableFuture<T> stage(CompletionStage<T> s) {
    try {
      return s.toCompletableFuture();
    } catch (UnsupportedOperationException e) {
      CompletableFuture<T> f = new CompletableFuture<>();
      s.whenComplete((v, err) -> {
        if (err != null) {
          f.completeExceptionally(err);
        } else {
          f.complete(v);
        }
      });
      return f;
    }
  }

  // ---- from the registry (EdgeCallbacks) ----

  /**
   * Ring repair (RTMFP-WIRE §8.9): tell the local {@code member} of {@code group} about
   * {@code neighbour}. Any thread; the message is written on the member's session loop.
   */
  public void onGroupNeighbour(Key group, Key member, Key neighbour) {
    NetGroup g = groups.get(group);
    Object m = g == null ? null : g.member(member);
    if (m instanceof GroupMember gm) {
      gm.neighbour(neighbour);
    } else {
      unroutedNeighbours.increment();
      LOG.debug("ring repair for {} in {}: no such member here", member, group);
    }
  }

  /** The registry lost this edge's memberships: join every local member again (soft state). */
  public void resync() {
    for (NetGroup g : groups.values()) {
      for (Object m : g.snapshot()) {
        if (m instanceof VirtualMember vm) {
          registry.join(g.key(), vm.peer(), edgeId, true);
        } else if (m instanceof GroupMember gm && gm.joined()) {
          registry.join(g.key(), gm.peer(), edgeId, false);
        }
      }
    }
  }

  // ---- counters ----

  /** Joins accepted (connected and virtual members). */
  public long joins() {
    return joins.sum();
  }

  public long leaves() {
    return leaves.sum();
  }

  /** Joins refused because this node holds {@code groups.max} groups. */
  public long refusedGroups() {
    return refusedGroups.sum();
  }

  /** Joins refused because the group holds {@code groups.maxMembers} members here. */
  public long refusedMembers() {
    return refusedMembers.sum();
  }

  /** Joins refused because the session is in {@code groups.perSession} groups. */
  public long refusedPerSession() {
    return refusedPerSession.sum();
  }

  /** Joins of a peer already in the group here (ignored). */
  public long duplicateJoins() {
    return duplicateJoins.sum();
  }

  /** Joins the registry refused (its own limits) or failed. */
  public long registryRefusals() {
    return registryRefusals.sum();
  }

  /** Ring repairs delivered to a member here. */
  public long neighbourNotices() {
    return neighbourNotices.sum();
  }

  /** Ring repairs for a member no longer here. */
  public long unroutedNeighbours() {
    return unroutedNeighbours.sum();
  }
}
