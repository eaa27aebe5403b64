package io.altocumulus.rendezvous.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.rendezvous.EdgeCallbacks;
import io.altocumulus.rendezvous.Introduction;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.PeerRecord;
import io.altocumulus.rendezvous.local.LocalRendezvous;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two rendezvous shards on loopback sockets, two edges using them through ShardedRendezvous. */
@Timeout(20)
class TwoShardsTest {
  static final Duration RECOVERY_BOUND = Duration.ofSeconds(3);

  static final class Recorder implements EdgeCallbacks {
    final List<Introduction> introductions = new CopyOnWriteArrayList<>();
    final List<Key[]> neighbours = new CopyOnWriteArrayList<>();
    final AtomicInteger resyncs = new AtomicInteger();

    @Override
    public void onIntroduction(Introduction introduction) {
      introductions.add(introduction);
    }

    @Override
    public void onGroupNeighbour(Key group, Key member, Key neighbour) {
      neighbours.add(new Key[] {group, member, neighbour});
    }

    @Override
    public void onResyncNeeded() {
      resyncs.incrementAndGet();
    }
  }

  RendezvousShardServer s1;
  RendezvousShardServer s2;
  ShardedRendezvous a;
  ShardedRendezvous b;
  final Recorder ra = new Recorder();
  final Recorder rb = new Recorder();
  int counter;

  @BeforeEach
  void start() throws Exception {
    s1 = RendezvousShardServer.start(new InetSocketAddress("127.0.0.1", 0), LocalRendezvous.Limits.DEFAULT);
    s2 = RendezvousShardServer.start(new InetSocketAddress("127.0.0.1", 0), LocalRendezvous.Limits.DEFAULT);
    a = new ShardedRendezvous(List.of(s1.target(), s2.target()));
    b = new ShardedRendezvous(List.of(s2.target(), s1.target())); // order must not matter
    a.attach("edge-a", ra);
    b.attach("edge-b", rb);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    s1.stop();
    s2.stop();
  }

  static <T> T get(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** A fresh key that the ring places on {@code shard}. */
  Key keyOn(RendezvousShardServer shard) {
    while (true) {
      byte[] raw = new byte[32];
      new java.util.Random(++counter * 7919L).nextBytes(raw);
      Key k = Key.of(raw);
      if (a.ownerOf(k).orElseThrow().equals(shard.target())) {
        assertThat(b.ownerOf(k)).contains(shard.target());
        return k;
      }
    }
  }

  static PeerRecord record(Key k, String edge, int port) {
    return new PeerRecord(k, edge, List.of(new InetSocketAddress("203.0.113.9", port), new InetSocketAddress("10.0.0.9", port)));
  }

  @Test
  void lookupsIntroductionsGroupsAndAShardRestart() throws Exception {
    Key a1 = keyOn(s1);
    Key a2 = keyOn(s2);
    Key b1 = keyOn(s1);
    Key b2 = keyOn(s2);
    get(a.peers().register(record(a1, "edge-a", 1001)));
    get(a.peers().register(record(a2, "edge-a", 1002)));
    get(b.peers().register(record(b1, "edge-b", 2001)));
    get(b.peers().register(record(b2, "edge-b", 2002)));
    assertThat(s1.local().peerCount()).isEqualTo(2);
    assertThat(s2.local().peerCount()).isEqualTo(2);

    // lookups for keys on either shard, from either edge
    assertThat(get(a.peers().lookup(b1))).contains(record(b1, "edge-b", 2001));
    assertThat(get(a.peers().lookup(b2))).contains(record(b2, "edge-b", 2002));
    assertThat(get(b.peers().lookup(a1))).contains(record(a1, "edge-a", 1001));
    assertThat(get(b.peers().lookup(a2))).get().extracting(PeerRecord::edgeId).isEqualTo("edge-a");
    assertThat(get(a.peers().lookup(keyOn(s2)))).isEmpty();

    // introductions reach the callbacks of the edge owning the target
    Introduction toB2 = new Introduction(b2, new InetSocketAddress("198.51.100.1", 3000), 2, new byte[] {9, 8, 7});
    Introduction toA1 = new Introduction(a1, new InetSocketAddress("10.1.1.1", 3001), 1, new byte[] {1});
    get(a.peers().introduce(toB2));
    get(b.peers().introduce(toA1));
    await().atMost(Duration.ofSeconds(2)).until(() -> rb.introductions.size() == 1 && ra.introductions.size() == 1);
    Introduction got = rb.introductions.get(0);
    assertThat(got.target()).isEqualTo(b2);
    assertThat(got.initiatorAddress()).isEqualTo(toB2.initiatorAddress());
    assertThat(got.origin()).isEqualTo(2);
    assertThat(got.tag()).containsExactly(9, 8, 7);
    assertThat(ra.introductions.get(0).target()).isEqualTo(a1);

    // groups on either shard: bootstrap lists, and ring repair delivered to the right edge
    for (RendezvousShardServer shard : List.of(s1, s2)) {
      Key g = keyOn(shard);
      List<Key> members = new ArrayList<>();
      for (int n = 0; n < 8; n++) {
        Key m = keyOn(n % 2 == 0 ? s1 : s2);
        ShardedRendezvous edge = n % 2 == 0 ? a : b;
        List<Key> boot = get(edge.groups().join(g, m, edge == a ? "edge-a" : "edge-b", false));
        List<Key> newest = new ArrayList<>();
        for (int i = members.size() - 1; i >= 0 && newest.size() < 5; i--) {
          newest.add(members.get(i));
        }
        assertThat(boot.subList(0, newest.size())).containsExactlyElementsOf(newest);
        assertThat(boot).hasSize(Math.min(members.size(), 6));
        members.add(m);
      }
      assertThat(get(a.groups().size(g))).isEqualTo(8);
      assertThat(shard.local().groupCount()).isEqualTo(1);
      // member 6 (edge a) leaves: member 7 (edge b) is told about member 1
      int before = rb.neighbours.size();
      get(a.groups().leave(g, members.get(6), "edge-a"));
      await().atMost(Duration.ofSeconds(2)).until(() -> rb.neighbours.size() == before + 1);
      assertThat(rb.neighbours.get(before)).containsExactly(g, members.get(7), members.get(1));
    }
    Key g1 = keyOn(s1);
    get(a.groups().join(g1, a1, "edge-a", false));
    get(b.groups().join(g1, b1, "edge-b", false));

    // restart shard 1 on the same port: it comes back empty, edges replay, lookups succeed again
    int port = s1.port();
    String target = s1.target();
    long epoch = s1.epoch();
    long t0 = System.nanoTime();
    s1.stop();
    s1 = RendezvousShardServer.start(new InetSocketAddress("127.0.0.1", port), LocalRendezvous.Limits.DEFAULT);
    assertThat(s1.target()).isEqualTo(target);
    assertThat(s1.epoch()).isNotEqualTo(epoch);
    Optional<PeerRecord> found = Optional.empty();
    while (found.isEmpty() && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10)) {
      try {
        found = get(a.peers().lookup(b1));
      } catch (Exception e) {
        // shard still unreachable from this channel
      }
      if (found.isEmpty()) {
        Thread.sleep(10);
      }
    }
    long recoveryMillis = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("rendezvous shard restart: lookup answered again after " + recoveryMillis + " ms");
    assertThat(found).contains(record(b1, "edge-b", 2001));
    assertThat(Duration.ofMillis(recoveryMillis)).isLessThan(RECOVERY_BOUND);
    await().atMost(RECOVERY_BOUND).until(() -> get(b.peers().lookup(a1)).isPresent() && get(a.groups().size(g1)) == 2);
    assertThat(get(a.peers().lookup(b2))).isPresent(); // shard 2 untouched
    assertThat(ra.resyncs.get()).isGreaterThanOrEqualTo(1);
    assertThat(rb.resyncs.get()).isGreaterThanOrEqualTo(1);
    assertThat(a.resubscriptions()).isGreaterThanOrEqualTo(1);
    // introductions flow over the new subscription
    get(a.peers().introduce(new Introduction(b1, toB2.initiatorAddress(), 2, new byte[] {5})));
    await().atMost(Duration.ofSeconds(2)).until(() -> rb.introductions.size() == 2);
  }

  @Test
  void aNewShardTakesOverItsKeys() throws Exception {
    List<Key> mine = new ArrayList<>();
    for (int n = 0; n < 40; n++) {
      Key k = keyOn(n % 2 == 0 ? s1 : s2);
      mine.add(k);
      get(a.peers().register(record(k, "edge-a", 4000 + n)));
    }
    try (RendezvousShardServer s3 = RendezvousShardServer.start(new InetSocketAddress("127.0.0.1", 0), LocalRendezvous.Limits.DEFAULT)) {
      List<String> three = List.of(s1.target(), s2.target(), s3.target());
      a.setShards(three);
      b.setShards(three);
      long moved = mine.stream().filter(k -> a.ownerOf(k).orElseThrow().equals(s3.target())).count();
      assertThat(moved).isPositive().isLessThan(40);
      await().atMost(RECOVERY_BOUND).until(() -> s3.local().peerCount() == moved);
      for (Key k : mine) {
        assertThat(get(b.peers().lookup(k))).as("lookup %s", k).isPresent();
      }
      await().atMost(RECOVERY_BOUND).until(() -> s1.local().peerCount() + s2.local().peerCount() == 40 - moved);
      assertThat(ra.resyncs.get()).isEqualTo(1);
      // shard 3 leaves again: its keys go back
      a.setShards(List.of(s1.target(), s2.target()));
      b.setShards(List.of(s1.target(), s2.target()));
      // The moves back are sent asynchronously (soft state): lookups recover within the bound.
      await().atMost(RECOVERY_BOUND).until(() -> {
        for (Key k : mine) {
          if (get(b.peers().lookup(k)).isEmpty()) {
            return false;
          }
        }
        return true;
      });
    }
  }
}
