package io.altocumulus.tests.bench;

import io.altocumulus.rendezvous.EdgeCallbacks;
import io.altocumulus.rendezvous.Introduction;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.PeerRecord;
import io.altocumulus.rendezvous.grpc.RendezvousShardServer;
import io.altocumulus.rendezvous.grpc.ShardedRendezvous;
import io.altocumulus.rendezvous.local.LocalRendezvous;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rendezvous costs (issue 5 "Must measure"). {@code localJoinLeave}: one NetGroup join (with its
 * bootstrap list) plus the leave that keeps the group at {@code members}, in-process, one thread:
 * the server CPU per join (target ≤ 50 µs). {@code remote*}: the same calls through a gRPC shard
 * on loopback (client and shard in this JVM), i.e. the latency a remote shard adds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RendezvousBench {
  private static final EdgeCallbacks NO_EDGE = new EdgeCallbacks() {
    @Override
    public void onIntroduction(Introduction introduction) {}

    @Override
    public void onGroupNeighbour(Key group, Key member, Key neighbour) {}
  };

  @Param({"20", "1000"})
  int members;

  private LocalRendezvous local;
  private Key group;
  private Key[] joiners;
  private int next;

  private RendezvousShardServer shard;
  private ShardedRendezvous remote;
  private Key knownPeer;

  static Key key(Random r) {
    byte[] b = new byte[32];
    r.nextBytes(b);
    return Key.of(b);
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Random r = new Random(42);
    group = key(r);
    joiners = new Key[4096];
    for (int i = 0; i < joiners.length; i++) {
      joiners[i] = key(r);
    }
    local = new LocalRendezvous();
    local.attach("edge", NO_EDGE);
    shard = RendezvousShardServer.start(new InetSocketAddress("127.0.0.1", 0), LocalRendezvous.Limits.DEFAULT);
    remote = new ShardedRendezvous(List.of(shard.target()));
    remote.attach("edge", NO_EDGE);
    for (int i = 0; i < members - 1; i++) {
      Key m = key(r);
      local.join(group, m, "edge", false);
      remote.groups().join(group, m, "edge", false).toCompletableFuture().get();
    }
    knownPeer = key(r);
    remote.peers().register(new PeerRecord(knownPeer, "edge", List.of(new InetSocketAddress("203.0.113.1", 1935)))).toCompletableFuture().get();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    remote.close();
    shard.stop();
  }

  private Key nextJoiner() {
    return joiners[next++ & (joiners.length - 1)];
  }

  @Benchmark
  public List<Key> localJoinLeave() {
    Key k = nextJoiner();
    List<Key> bootstrap = local.join(group, k, "edge", false).toCompletableFuture().join();
    local.leave(group, k, "edge");
    return bootstrap;
  }

  @Benchmark
  public Optional<PeerRecord> localLookup() {
    return local.lookup(knownPeer).toCompletableFuture().join();
  }

  @Benchmark
  public Optional<PeerRecord> remoteLookup() throws Exception {
    return remote.peers().lookup(knownPeer).toCompletableFuture().get();
  }

  @Benchmark
  public List<Key> remoteJoinLeave() throws Exception {
    Key k = nextJoiner();
    List<Key> bootstrap = remote.groups().join(group, k, "edge", false).toCompletableFuture().get();
    remote.groups().leave(group, k, "edge").toCompletableFuture().get();
    return bootstrap;
  }
}
