package io.altocumulus.rendezvous.grpc;

import io.altocumulus.proto.rendezvous.v1.EdgeEvent;
import io.altocumulus.proto.rendezvous.v1.GroupSizeRequest;
import io.altocumulus.proto.rendezvous.v1.IntroduceRequest;
import io.altocumulus.proto.rendezvous.v1.JoinGroupRequest;
import io.altocumulus.proto.rendezvous.v1.LeaveGroupRequest;
import io.altocumulus.proto.rendezvous.v1.LookupRequest;
import io.altocumulus.proto.rendezvous.v1.RegisterPeerRequest;
import io.altocumulus.proto.rendezvous.v1.RendezvousGrpc;
import io.altocumulus.proto.rendezvous.v1.SubscribeRequest;
import io.altocumulus.proto.rendezvous.v1.UnregisterPeerRequest;
import io.altocumulus.rendezvous.EdgeCallbacks;
import io.altocumulus.rendezvous.GroupRegistry;
import io.altocumulus.rendezvous.Introduction;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.PeerDirectory;
import io.altocumulus.rendezvous.PeerRecord;
import io.altocumulus.rendezvous.Rendezvous;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rendezvous service through gRPC shards, as one edge uses it. Keys (peer ids, group ids) are
 * placed on shards by consistent hashing with virtual nodes over the {@code host:port} targets of
 * {@link #setShards}; each request goes to the owning shard.
 *
 * <p>Soft state. The client keeps what its edge registered (peers, group memberships in join
 * order) and replays it by itself: to a shard each time a subscription to it is established again
 * (the shard restarted, or the stream broke and the shard dropped this edge), and to the new owners
 * of keys that moved when the shard set changes. {@link EdgeCallbacks#onResyncNeeded} is then
 * called for information; an edge that registers again anyway does no harm (registrations are
 * idempotent). After a shard restart on the same address, lookups succeed again once the client
 * has re-subscribed and replayed: within the downtime plus {@link Options#maxResubscribeBackoff}
 * plus one round trip (the test measures this under 3 s on loopback).
 */
public final class ShardedRendezvous implements Rendezvous, PeerDirectory, GroupRegistry {
  private static final Logger log = LoggerFactory.getLogger(ShardedRendezvous.class);

  /**
   * @param rpcDeadline deadline of each unary call
   * @param maxResubscribeBackoff the longest wait between two attempts to re-subscribe to a shard
   * @param virtualNodes points per shard on the hash ring
   */
  public record Options(Duration rpcDeadline, Duration maxResubscribeBackoff, int virtualNodes) {
    public static final Options DEFAULT = new Options(Duration.ofSeconds(2), Duration.ofMillis(500), 160);
  }

  private final Options options;
  private final io.grpc.ChannelCredentials credentials;
  private final ScheduledExecutorService timer;
  private final Map<String, Shard> shards = new HashMap<>(); // guarded by this
  private volatile Ring ring = Ring.EMPTY;
  private volatile String edgeId;
  private volatile EdgeCallbacks callbacks;
  private volatile boolean closed;

  // what this edge registered, for replay
  private final ConcurrentHashMap<Key, PeerRecord> myPeers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Membership, Joined> myGroups = new ConcurrentHashMap<>();
  private final AtomicLong joinSeq = new AtomicLong();

  private final LongAdder resubscriptions = new LongAdder();
  private final LongAdder replayedRegistrations = new LongAdder();

  private record Membership(Key group, Key peer) {}

  private record Joined(boolean virtual, long seq) {}

  public ShardedRendezvous(Options options) {
    this(options, InsecureChannelCredentials.create());
  }

  /**
   * @param credentials of the channels to the shards (the cluster's mutual TLS when shards are
   *     served on the nodes' gRPC servers)
   */
  public ShardedRendezvous(Options options, io.grpc.ChannelCredentials credentials) {
    this.options = options;
    this.credentials = credentials;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rendezvous-resubscribe");
      t.setDaemon(true);
      return t;
    });
  }

  /** Default options, shards set at once. */
  public ShardedRendezvous(List<String> targets) {
    this(Options.DEFAULT);
    setShards(targets);
  }

  // ---- shard set

  /**
   * Replaces the shard set ({@code host:port} targets, duplicates ignored). New shards get a
   * channel and this edge's subscription; removed ones are closed; registrations whose owner
   * changed are sent to the new owner (and withdrawn from the old one when it is still in the set).
   */
  public synchronized void setShards(List<String> targets) {
    if (closed) {
      return;
    }
    Ring before = ring;
    Map<String, Shard> next = new HashMap<>();
    List<Shard> added = new ArrayList<>();
    for (String t : new LinkedHashSet<>(targets)) {
      Shard s = shards.get(t);
      if (s == null) {
        s = new Shard(t);
        added.add(s);
      }
      next.put(t, s);
    }
    List<Shard> removed = new ArrayList<>();
    for (Shard s : shards.values()) {
      if (!next.containsKey(s.target)) {
        removed.add(s);
      }
    }
    shards.clear();
    shards.putAll(next);
    ring = Ring.of(next.values(), options.virtualNodes());
    if (edgeId != null) {
      for (Shard s : added) {
        s.subscribe();
      }
      if (before != Ring.EMPTY && moveRegistrations(before, ring, next) && callbacks != null) {
        callbacks.onResyncNeeded();
      }
    }
    for (Shard s : removed) {
      s.close();
    }
  }

  /** The current shard targets. */
  public synchronized List<String> shards() {
    return List.copyOf(shards.keySet());
  }

  /** The target of the shard that owns {@code key}, or empty if there is no shard. */
  public Optional<String> ownerOf(Key key) {
    Shard s = ring.owner(key);
    return s == null ? Optional.empty() : Optional.of(s.target);
  }

  /** Times a subscription was established again after it had been up. */
  public long resubscriptions() {
    return resubscriptions.sum();
  }

  /** Registrations and joins sent again by replays and moves. */
  public long replayedRegistrations() {
    return replayedRegistrations.sum();
  }

  private boolean moveRegistrations(Ring before, Ring after, Map<String, Shard> live) {
    boolean moved = false;
    for (PeerRecord r : myPeers.values()) {
      Shard was = before.owner(r.peerId());
      Shard now = after.owner(r.peerId());
      if (was != now) {
        moved = true;
        replayPeer(now, r);
        if (was != null && live.containsKey(was.target)) {
          was.stub().unregisterPeer(UnregisterPeerRequest.newBuilder().setPeerId(Protos.key(r.peerId())).setEdgeId(r.edgeId()).build(), new Ignore<>());
        }
      }
    }
    for (Map.Entry<Membership, Joined> e : sortedMemberships()) {
      Membership m = e.getKey();
      Shard was = before.owner(m.group());
      Shard now = after.owner(m.group());
      if (was != now) {
        moved = true;
        replayJoin(now, m, e.getValue());
        if (was != null && live.containsKey(was.target)) {
          was.stub().leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(Protos.key(m.group())).setPeerId(Protos.key(m.peer())).setEdgeId(edgeId).build(), new Ignore<>());
        }
      }
    }
    return moved;
  }

  private List<Map.Entry<Membership, Joined>> sortedMemberships() {
    List<Map.Entry<Membership, Joined>> all = new ArrayList<>(myGroups.entrySet());
    all.sort(Comparator.comparingLong(e -> e.getValue().seq()));
    return all;
  }

  /** Sends {@code shard} everything this edge registered that it owns (after a new subscription). */
  private void replay(Shard shard) {
    Ring r = ring;
    for (PeerRecord p : myPeers.values()) {
      if (r.owner(p.peerId()) == shard) {
        replayPeer(shard, p);
      }
    }
    for (Map.Entry<Membership, Joined> e : sortedMemberships()) {
      if (r.owner(e.getKey().group()) == shard) {
        replayJoin(shard, e.getKey(), e.getValue());
      }
    }
  }

  private void replayPeer(Shard shard, PeerRecord p) {
    replayedRegistrations.increment();
    shard.stub().registerPeer(RegisterPeerRequest.newBuilder().setRecord(Protos.record(p)).build(), new Ignore<>() {
      @Override
      public void onCompleted() {
        if (myPeers.get(p.peerId()) != p) { // unregistered (or replaced) while the replay was in flight
          shard.stub().unregisterPeer(UnregisterPeerRequest.newBuilder().setPeerId(Protos.key(p.peerId())).setEdgeId(p.edgeId()).build(), new Ignore<>());
        }
      }
    });
  }

  private void replayJoin(Shard shard, Membership m, Joined j) {
    replayedRegistrations.increment();
    shard.stub().joinGroup(JoinGroupRequest.newBuilder().setGroupId(Protos.key(m.group())).setPeerId(Protos.key(m.peer())).setEdgeId(edgeId).setVirtualMember(j.virtual()).build(), new Ignore<>() {
      @Override
      public void onCompleted() {
        if (!myGroups.containsKey(m)) {
          shard.stub().leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(Protos.key(m.group())).setPeerId(Protos.key(m.peer())).setEdgeId(edgeId).build(), new Ignore<>());
        }
      }
    });
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

  @Override
  public synchronized void attach(String edgeId, EdgeCallbacks callbacks) {
    if (this.edgeId != null && !this.edgeId.equals(edgeId)) {
      throw new IllegalStateException("already attached as " + this.edgeId);
    }
    this.callbacks = callbacks;
    if (this.edgeId == null) {
      this.edgeId = edgeId;
      for (Shard s : shards.values()) {
        s.subscribe();
      }
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      for (Shard s : shards.values()) {
        s.close();
      }
      shards.clear();
      ring = Ring.EMPTY;
    }
    timer.shutdownNow();
  }

  // ---- PeerDirectory

  @Override
  public CompletionStage<Void> register(PeerRecord record) {
    myPeers.put(record.peerId(), record); // kept even if this call fails: the replay will carry it
    return this.<io.altocumulus.proto.rendezvous.v1.RegisterPeerResponse>call(record.peerId(), (stub, out) -> stub.registerPeer(RegisterPeerRequest.newBuilder().setRecord(Protos.record(record)).build(), out))
        .whenComplete((v, e) -> {
          if (e != null && unwrap(e) instanceof io.altocumulus.rendezvous.LimitExceededException) {
            myPeers.remove(record.peerId(), record);
          } else if (e == null && !myPeers.containsKey(record.peerId())) {
            // Unregistered while this call was in flight. Two unary calls are not ordered: the
            // unregister may have reached the shard first, leaving this record there for good.
            unregister(record.peerId(), record.edgeId());
          }
        })
        .thenApply(v -> null);
  }

  @Override
  public CompletionStage<Void> unregister(Key peerId, String edgeId) {
    myPeers.computeIfPresent(peerId, (k, r) -> r.edgeId().equals(edgeId) ? null : r);
    return this.<io.altocumulus.proto.rendezvous.v1.UnregisterPeerResponse>call(peerId, (stub, out) -> stub.unregisterPeer(UnregisterPeerRequest.newBuilder().setPeerId(Protos.key(peerId)).setEdgeId(edgeId).build(), out))
        .whenComplete((v, e) -> {
          PeerRecord again = myPeers.get(peerId);
          if (e == null && again != null && again.edgeId().equals(edgeId)) {
            // Registered again while this call was in flight: it may have overtaken that register.
            register(again);
          }
        })
        .thenApply(v -> null);
  }

  @Override
  public CompletionStage<Optional<PeerRecord>> lookup(Key peerId) {
    return this.<io.altocumulus.proto.rendezvous.v1.LookupResponse>call(peerId, (stub, out) -> stub.lookup(LookupRequest.newBuilder().setPeerId(Protos.key(peerId)).build(), out))
        .thenApply(r -> r.hasRecord() ? Optional.of(Protos.record(r.getRecord())) : Optional.empty());
  }

  @Override
  public CompletionStage<Void> introduce(Introduction introduction) {
    return this.<io.altocumulus.proto.rendezvous.v1.IntroduceResponse>call(introduction.target(), (stub, out) -> stub.introduce(IntroduceRequest.newBuilder().setIntroduction(Protos.introduction(introduction)).build(), out))
        .thenApply(v -> null);
  }

  // ---- GroupRegistry

  @Override
  public CompletionStage<List<Key>> join(Key group, Key peer, String edgeId, boolean virtual) {
    Membership m = new Membership(group, peer);
    myGroups.compute(m, (k, old) -> old == null ? new Joined(virtual, joinSeq.incrementAndGet()) : new Joined(virtual, old.seq()));
    return this.<io.altocumulus.proto.rendezvous.v1.JoinGroupResponse>call(group, (stub, out) -> stub.joinGroup(JoinGroupRequest.newBuilder().setGroupId(Protos.key(group)).setPeerId(Protos.key(peer)).setEdgeId(edgeId).setVirtualMember(virtual).build(), out))
        .whenComplete((v, e) -> {
          if (e != null && unwrap(e) instanceof io.altocumulus.rendezvous.LimitExceededException) {
            myGroups.remove(m);
          } else if (e == null && !myGroups.containsKey(m)) {
            leave(group, peer, edgeId); // left while the join was in flight: as in register
          }
        })
        .thenApply(r -> {
          List<Key> out = new ArrayList<>(r.getBootstrapCount());
          for (var b : r.getBootstrapList()) {
            out.add(Protos.key(b));
          }
          return out;
        });
  }

  @Override
  public CompletionStage<Void> leave(Key group, Key peer, String edgeId) {
    Membership m = new Membership(group, peer);
    myGroups.remove(m);
    return this.<io.altocumulus.proto.rendezvous.v1.LeaveGroupResponse>call(group, (stub, out) -> stub.leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(Protos.key(group)).setPeerId(Protos.key(peer)).setEdgeId(edgeId).build(), out))
        .whenComplete((v, e) -> {
          Joined again = myGroups.get(m);
          if (e == null && again != null) {
            join(group, peer, edgeId, again.virtual()); // joined again meanwhile: as in unregister
          }
        })
        .thenApply(v -> null);
  }

  @Override
  public CompletionStage<Integer> size(Key group) {
    return this.<io.altocumulus.proto.rendezvous.v1.GroupSizeResponse>call(group, (stub, out) -> stub.groupSize(GroupSizeRequest.newBuilder().setGroupId(Protos.key(group)).build(), out))
        .thenApply(r -> r.getSize());
  }

  // ---- calls

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private <R> CompletableFuture<R> call(Key key, BiConsumer<RendezvousGrpc.RendezvousStub, StreamObserver<R>> send) {
    Shard shard = ring.owner(key);
    Unary<R> out = new Unary<>();
    if (shard == null) {
      out.completeExceptionally(Status.UNAVAILABLE.withDescription("no rendezvous shard").asRuntimeException());
      return out;
    }
    try {
      send.accept(shard.stub().withDeadlineAfter(options.rpcDeadline().toNanos(), TimeUnit.NANOSECONDS), out);
    } catch (RuntimeException e) {
      out.completeExceptionally(e);
    }
    return out;
  }

  /** A unary answer as a future. */
  private static final class Unary<R> extends CompletableFuture<R> implements StreamObserver<R> {
    private R value;

    @Override
    public void onNext(R v) {
      value = v;
    }

    @Override
    public void onError(Throwable t) {
      completeExceptionally(Protos.fromStatus(t));
    }

    @Override
    public void onCompleted() {
      complete(value);
    }
  }

  /** Fire-and-forget answers (replays, withdrawals): failures are left to the next replay. */
  private static class Ignore<R> implements StreamObserver<R> {
    @Override
    public void onNext(R v) {}

    @Override
    public void onError(Throwable t) {
      log.debug("rendezvous replay call failed: {}", t.toString());
    }

    @Override
    public void onCompleted() {}
  }

  // ---- shards

  /** One rendezvous node: its channel and this edge's subscription stream to it. */
  private final class Shard {
    final String target;
    final ManagedChannel channel;
    final RendezvousGrpc.RendezvousStub stub;
    private volatile boolean shardClosed;
    private volatile ClientCallStreamObserver<SubscribeRequest> current;
    private boolean everUp; // touched only by the stream's callbacks, one at a time
    private long backoffMillis = 50;

    Shard(String target) {
      this.target = target;
      this.channel = Grpc.newChannelBuilder(target, credentials).build();
      this.stub = RendezvousGrpc.newStub(channel);
    }

    RendezvousGrpc.RendezvousStub stub() {
      return stub;
    }

    void subscribe() {
      if (shardClosed || closed) {
        return;
      }
      stub.subscribe(SubscribeRequest.newBuilder().setEdgeId(edgeId).build(), new ClientResponseObserver<SubscribeRequest, EdgeEvent>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<SubscribeRequest> request) {
          current = request;
        }

        @Override
        public void onNext(EdgeEvent event) {
          EdgeCallbacks cb = callbacks;
          switch (event.getEventCase()) {
            case SUBSCRIBED -> established(event.getSubscribed().getEpoch());
            case INTRODUCTION -> {
              if (cb != null) {
                cb.onIntroduction(Protos.introduction(event.getIntroduction()));
              }
            }
            case GROUP_NEIGHBOUR -> {
              if (cb != null) {
                var n = event.getGroupNeighbour();
                cb.onGroupNeighbour(Protos.key(n.getGroupId()), Protos.key(n.getMember()), Protos.key(n.getNeighbour()));
              }
            }
            case RESYNC_NEEDED -> {
              replay(Shard.this);
              if (cb != null) {
                cb.onResyncNeeded();
              }
            }
            default -> {}
          }
        }

        @Override
        public void onError(Throwable t) {
          lost(t);
        }

        @Override
        public void onCompleted() {
          lost(null);
        }
      });
    }

    private void established(long epoch) {
      backoffMillis = 50;
      boolean again = everUp;
      everUp = true;
      log.debug("subscribed to rendezvous shard {} (epoch {}, again {})", target, Long.toHexString(epoch), again);
      // the shard forgets an edge whose stream ended; on a first subscription registrations may
      // have raced ahead of it: replay either way, it is idempotent
      replay(this);
      if (again) {
        resubscriptions.increment();
        EdgeCallbacks cb = callbacks;
        if (cb != null) {
          cb.onResyncNeeded();
        }
      }
    }

    private void lost(Throwable t) {
      if (shardClosed || closed) {
        return;
      }
      long wait = backoffMillis;
      backoffMillis = Math.min(backoffMillis * 2, options.maxResubscribeBackoff().toMillis());
      log.debug("subscription to rendezvous shard {} ended ({}); again in {} ms", target, t, wait);
      try {
        timer.schedule(() -> {
          channel.resetConnectBackoff(); // else gRPC waits out its own 1 s+ reconnect backoff
          subscribe();
        }, wait, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }

    void close() {
      shardClosed = true;
      ClientCallStreamObserver<SubscribeRequest> c = current;
      if (c != null) {
        c.cancel("shard removed", null);
      }
      channel.shutdownNow();
    }
  }

  /** The consistent-hash ring: sorted points, each owned by a shard. Immutable. */
  private static final class Ring {
    static final Ring EMPTY = new Ring(new long[0], new Shard[0]);

    final long[] points;
    final Shard[] owners;

    private Ring(long[] points, Shard[] owners) {
      this.points = points;
      this.owners = owners;
    }

    static Ring of(java.util.Collection<Shard> shards, int virtualNodes) {
      if (shards.isEmpty()) {
        return EMPTY;
      }
      int n = shards.size() * virtualNodes;
      long[][] entries = new long[n][];
      Shard[] byIndex = shards.toArray(new Shard[0]);
      int k = 0;
      MessageDigest sha;
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      for (int s = 0; s < byIndex.length; s++) {
        for (int v = 0; v < virtualNodes; v++) {
          byte[] h = sha.digest((byIndex[s].target + "#" + v).getBytes(StandardCharsets.UTF_8));
          long p = 0;
          for (int i = 0; i < 8; i++) {
            p = (p << 8) | (h[i] & 0xFF);
          }
          entries[k++] = new long[] {p, s};
        }
      }
      Arrays.sort(entries, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : byIndex[(int) a[1]].target.compareTo(byIndex[(int) b[1]].target));
      long[] points = new long[n];
      Shard[] owners = new Shard[n];
      for (int i = 0; i < n; i++) {
        points[i] = entries[i][0];
        owners[i] = byIndex[(int) entries[i][1]];
      }
      return new Ring(points, owners);
    }

    /** The first point at or after the key's placement hash (Key.prefix), wrapping around. */
    Shard owner(Key key) {
      if (points.length == 0) {
        return null;
      }
      int i = Arrays.binarySearch(points, key.prefix());
      if (i < 0) {
        i = -i - 1;
      }
      return owners[i == points.length ? 0 : i];
    }
  }
}
