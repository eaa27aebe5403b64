package io.altocumulus.rendezvous.local;

import io.altocumulus.rendezvous.EdgeCallbacks;
import io.altocumulus.rendezvous.GroupRegistry;
import io.altocumulus.rendezvous.Introduction;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.LimitExceededException;
import io.altocumulus.rendezvous.PeerDirectory;
import io.altocumulus.rendezvous.PeerRecord;
import io.altocumulus.rendezvous.Rendezvous;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The in-process peer directory and NetGroup registry: the embedded default of a lone node, and
 * the state behind each gRPC shard. Every stage it returns is already complete (no network hop).
 * Thread-safe: the directory is a concurrent map; each group is guarded by its own monitor, held
 * only for a few array operations, and edge callbacks run after it is released.
 */
public final class LocalRendezvous implements Rendezvous, PeerDirectory, GroupRegistry {
  /** RTMFP-WIRE §8.9: a joiner gets the 5 newest other members, then one random older one. */
  static final int NEWEST = 5;

  /**
   * Memory bounds; a refused registration or join completes with {@link LimitExceededException}.
   *
   * @param maxPeers registered peers in the directory
   * @param maxGroups groups with at least one member
   * @param maxMembersPerGroup members of one group (virtual ones included)
   */
  public record Limits(int maxPeers, int maxGroups, int maxMembersPerGroup) {
    public static final Limits DEFAULT = new Limits(1_000_000, 100_000, 10_000);

    public Limits {
      if (maxPeers < 1 || maxGroups < 1 || maxMembersPerGroup < 1) {
        throw new IllegalArgumentException("limits must be positive: " + maxPeers + "/" + maxGroups + "/" + maxMembersPerGroup);
      }
    }
  }

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final Limits limits;
  private final ConcurrentHashMap<Key, PeerRecord> peers = new ConcurrentHashMap<>();
  private final AtomicInteger peerCount = new AtomicInteger();
  private final ConcurrentHashMap<Key, Group> groups = new ConcurrentHashMap<>();
  private final AtomicInteger groupCount = new AtomicInteger();
  private final ConcurrentHashMap<String, EdgeCallbacks> edges = new ConcurrentHashMap<>();

  private final LongAdder refusedPeers = new LongAdder();
  private final LongAdder refusedGroups = new LongAdder();
  private final LongAdder refusedMembers = new LongAdder();
  private final LongAdder unroutedIntroductions = new LongAdder();
  private final LongAdder introductions = new LongAdder();
  private final LongAdder neighbourNotices = new LongAdder();

  public LocalRendezvous() {
    this(Limits.DEFAULT);
  }

  public LocalRendezvous(Limits limits) {
    this.limits = limits;
  }

  public Limits limits() {
    return limits;
  }

  // ---- Rendezvous

  @Override
  public PeerDirectory peers() {
    return this;
  }

  @Override
  public GroupRegistry groups() {
    return this;
  }

  /** Several edges may attach (a shard serves many); attaching again replaces the callbacks. */
  @Override
  public void attach(String edgeId, EdgeCallbacks callbacks) {
    edges.put(edgeId, callbacks);
  }

  /** Stops routing to {@code edgeId} if {@code callbacks} are still the attached ones. */
  public boolean detach(String edgeId, EdgeCallbacks callbacks) {
    return edges.remove(edgeId, callbacks);
  }

  /**
   * Forgets everything {@code edgeId} registered: its peers and group memberships (ring repair
   * runs for the latter). A shard calls this when the edge's subscription ends: soft state, the
   * edge registers again when it comes back.
   */
  public void dropEdge(String edgeId) {
    for (PeerRecord r : peers.values()) {
      if (r.edgeId().equals(edgeId)) {
        unregister(r.peerId(), edgeId);
      }
    }
    for (Map.Entry<Key, Group> e : groups.entrySet()) {
      for (Key member : e.getValue().membersOf(edgeId)) {
        leave(e.getKey(), member, edgeId);
      }
    }
  }

  @Override
  public void close() {
    edges.clear();
    peers.clear();
    peerCount.set(0);
    groups.clear();
    groupCount.set(0);
  }

  // ---- PeerDirectory

  @Override
  public CompletionStage<Void> register(PeerRecord record) {
    boolean[] refused = {false};
    peers.compute(record.peerId(), (k, old) -> {
      if (old == null) {
        if (peerCount.incrementAndGet() > limits.maxPeers()) {
          peerCount.decrementAndGet();
          refused[0] = true;
          return null;
        }
      }
      return record;
    });
    if (refused[0]) {
      refusedPeers.increment();
      return CompletableFuture.failedFuture(new LimitExceededException("peer directory full (" + limits.maxPeers() + ")"));
    }
    return DONE;
  }

  @Override
  public CompletionStage<Void> unregister(Key peerId, String edgeId) {
    peers.computeIfPresent(peerId, (k, old) -> {
      if (old.edgeId().equals(edgeId)) {
        peerCount.decrementAndGet();
        return null;
      }
      return old; // a newer edge owns the peer now
    });
    return DONE;
  }

  @Override
  public CompletionStage<Optional<PeerRecord>> lookup(Key peerId) {
    return CompletableFuture.completedFuture(Optional.ofNullable(peers.get(peerId)));
  }

  /** Routes to the edge owning the target; an unknown target or detached edge is counted, not an error. */
  @Override
  public CompletionStage<Void> introduce(Introduction introduction) {
    PeerRecord target = peers.get(introduction.target());
    EdgeCallbacks edge = target == null ? null : edges.get(target.edgeId());
    if (edge == null) {
      unroutedIntroductions.increment();
    } else {
      introductions.increment();
      edge.onIntroduction(introduction);
    }
    return DONE;
  }

  // ---- GroupRegistry

  @Override
  public CompletionStage<List<Key>> join(Key group, Key peer, String edgeId, boolean virtual) {
    while (true) {
      boolean[] refused = {false};
      Group g = groups.computeIfAbsent(group, k -> {
        if (groupCount.incrementAndGet() > limits.maxGroups()) {
          groupCount.decrementAndGet();
          refused[0] = true;
          return null;
        }
        return new Group();
      });
      if (g == null) {
        refusedGroups.increment();
        return CompletableFuture.failedFuture(new LimitExceededException("group registry full (" + limits.maxGroups() + ")"));
      }
      List<Key> bootstrap;
      synchronized (g) {
        if (g.dead) {
          continue; // emptied and removed meanwhile: make a new one
        }
        bootstrap = g.join(peer, edgeId, virtual, limits.maxMembersPerGroup());
      }
      if (bootstrap == null) {
        refusedMembers.increment();
        return CompletableFuture.failedFuture(new LimitExceededException("group full (" + limits.maxMembersPerGroup() + ")"));
      }
      return CompletableFuture.completedFuture(bootstrap);
    }
  }

  @Override
  public CompletionStage<Void> leave(Key group, Key peer, String edgeId) {
    Group g = groups.get(group);
    if (g == null) {
      return DONE;
    }
    Member next;
    Key neighbour;
    synchronized (g) {
      int i = g.indexOf(peer);
      if (i < 0 || !g.members[i].edgeId.equals(edgeId)) {
        return DONE; // not a member, or re-joined through another edge since
      }
      // RTMFP-WIRE §8.9: the member after the leaver lost one of its 5 predecessors; its new
      // 5th is the member 5 positions before the leaver.
      next = i + 1 < g.size ? g.members[i + 1] : null;
      neighbour = i >= NEWEST ? g.members[i - NEWEST].peer : null;
      g.removeAt(i);
      if (g.size == 0) {
        g.dead = true;
        groups.remove(group, g);
        groupCount.decrementAndGet();
      }
    }
    if (next != null && neighbour != null && !next.virtual) {
      EdgeCallbacks edge = edges.get(next.edgeId);
      if (edge != null) {
        neighbourNotices.increment();
        edge.onGroupNeighbour(group, next.peer, neighbour);
      }
    }
    return DONE;
  }

  @Override
  public CompletionStage<Integer> size(Key group) {
    Group g = groups.get(group);
    int n;
    if (g == null) {
      n = 0;
    } else {
      synchronized (g) {
        n = g.size;
      }
    }
    return CompletableFuture.completedFuture(n);
  }

  // ---- counters

  public int peerCount() {
    return peerCount.get();
  }

  public int groupCount() {
    return groupCount.get();
  }

  public long refusedPeers() {
    return refusedPeers.sum();
  }

  public long refusedGroups() {
    return refusedGroups.sum();
  }

  public long refusedMembers() {
    return refusedMembers.sum();
  }

  /** Introductions handed to an edge. */
  public long introductions() {
    return introductions.sum();
  }

  /** Introductions dropped: unknown target, or its edge is not attached. */
  public long unroutedIntroductions() {
    return unroutedIntroductions.sum();
  }

  /** Ring-repair notices handed to edges. */
  public long neighbourNotices() {
    return neighbourNotices.sum();
  }

  // ---- groups

  private static final class Member {
    final Key peer;
    final String edgeId;
    final boolean virtual;
    final long seq;

    Member(Key peer, String edgeId, boolean virtual, long seq) {
      this.peer = peer;
      this.edgeId = edgeId;
      this.virtual = virtual;
      this.seq = seq;
    }
  }

  /**
   * Members in join order in an array (positional access for the bootstrap and ring repair);
   * a peer → member map finds the member, its join sequence finds its index by binary search.
   */
  private static final class Group {
    Member[] members = new Member[8];
    int size;
    long nextSeq;
    boolean dead;
    final java.util.HashMap<Key, Member> byPeer = new java.util.HashMap<>();

    /** Appends (or keeps the place of a re-joining peer) and answers the bootstrap; null if full. */
    List<Key> join(Key peer, String edgeId, boolean virtual, int max) {
      Member existing = byPeer.get(peer);
      int self;
      if (existing != null) {
        self = indexOf(existing);
        if (!existing.edgeId.equals(edgeId) || existing.virtual != virtual) {
          Member m = new Member(peer, edgeId, virtual, existing.seq);
          members[self] = m;
          byPeer.put(peer, m);
        }
      } else {
        if (size >= max) {
          return null;
        }
        if (size == members.length) {
          members = Arrays.copyOf(members, size * 2);
        }
        Member m = new Member(peer, edgeId, virtual, nextSeq++);
        members[size] = m;
        self = size++;
        byPeer.put(peer, m);
      }
      return bootstrap(self);
    }

    /** The 5 newest members other than {@code self}, newest first, then one random older one. */
    private List<Key> bootstrap(int self) {
      int others = size - 1;
      if (others <= 0) {
        return List.of();
      }
      List<Key> out = new ArrayList<>(Math.min(others, NEWEST + 1));
      int i = size - 1;
      while (i >= 0 && out.size() < NEWEST) {
        if (i != self) {
          out.add(members[i].peer);
        }
        i--;
      }
      // members[0..i] are the older ones (self excluded)
      int older = (self <= i) ? i : i + 1;
      if (older > 0) {
        int r = ThreadLocalRandom.current().nextInt(older);
        if (self <= i && r >= self) {
          r++;
        }
        out.add(members[r].peer);
      }
      return out;
    }

    int indexOf(Key peer) {
      Member m = byPeer.get(peer);
      return m == null ? -1 : indexOf(m);
    }

    private int indexOf(Member m) {
      int lo = 0;
      int hi = size - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        long s = members[mid].seq;
        if (s < m.seq) {
          lo = mid + 1;
        } else if (s > m.seq) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
      return -1;
    }

    void removeAt(int i) {
      byPeer.remove(members[i].peer);
      System.arraycopy(members, i + 1, members, i, size - i - 1);
      members[--size] = null;
    }

    synchronized List<Key> membersOf(String edgeId) {
      List<Key> out = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        if (members[i].edgeId.equals(edgeId)) {
          out.add(members[i].peer);
        }
      }
      return out;
    }
  }
}
