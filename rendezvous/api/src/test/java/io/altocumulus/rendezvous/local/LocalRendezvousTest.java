package io.altocumulus.rendezvous.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rendezvous.EdgeCallbacks;
import io.altocumulus.rendezvous.Introduction;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.LimitExceededException;
import io.altocumulus.rendezvous.PeerRecord;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LocalRendezvousTest {
  static Key key(int n) {
    byte[] b = new byte[32];
    b[0] = (byte) (n >> 24);
    b[1] = (byte) (n >> 16);
    b[2] = (byte) (n >> 8);
    b[3] = (byte) n;
    b[31] = 1;
    return Key.of(b);
  }

  static final Key G = key(999_999);

  static PeerRecord record(int n, String edge) {
    return new PeerRecord(key(n), edge, List.of(new InetSocketAddress("192.0.2.1", 1000 + n)));
  }

  /** Records what an edge is asked to do. */
  static final class Recorder implements EdgeCallbacks {
    final List<Introduction> introductions = new ArrayList<>();
    final List<Key[]> neighbours = new ArrayList<>();

    @Override
    public synchronized void onIntroduction(Introduction introduction) {
      introductions.add(introduction);
    }

    @Override
    public synchronized void onGroupNeighbour(Key group, Key member, Key neighbour) {
      neighbours.add(new Key[] {group, member, neighbour});
    }
  }

  static <T> T get(java.util.concurrent.CompletionStage<T> s) {
    return s.toCompletableFuture().join();
  }

  @Test
  void bootstrapListsTheFiveNewestOthersNewestFirstThenOneOlder() {
    LocalRendezvous r = new LocalRendezvous();
    assertThat(get(r.join(G, key(0), "e", false))).isEmpty();
    for (int n = 1; n <= 5; n++) {
      List<Key> b = get(r.join(G, key(n), "e", false));
      List<Key> expected = new ArrayList<>();
      for (int m = n - 1; m >= 0; m--) {
        expected.add(key(m));
      }
      assertThat(b).as("joiner %d", n).containsExactlyElementsOf(expected);
    }
    // 6th joiner: 5 newest (5..1) then the only older one, 0
    assertThat(get(r.join(G, key(6), "e", false))).containsExactly(key(5), key(4), key(3), key(2), key(1), key(0));
    // many joiners: the 6th entry is always one of the older members, and it varies
    Set<Key> randoms = new HashSet<>();
    for (int n = 7; n < 40; n++) {
      List<Key> b = get(r.join(G, key(n), "e", false));
      assertThat(b).hasSize(6);
      assertThat(b.subList(0, 5)).containsExactly(key(n - 1), key(n - 2), key(n - 3), key(n - 4), key(n - 5));
      int older = (int) (b.get(5).prefix() >>> 32);
      assertThat(older).isBetween(0, n - 6);
      randoms.add(b.get(5));
    }
    assertThat(randoms.size()).isGreaterThan(1);
    assertThat(get(r.size(G))).isEqualTo(40);
    assertThat(r.groupCount()).isEqualTo(1);
  }

  @Test
  void reJoinKeepsThePlaceAndExcludesSelf() {
    LocalRendezvous r = new LocalRendezvous();
    for (int n = 0; n < 8; n++) {
      get(r.join(G, key(n), "e", false));
    }
    List<Key> b = get(r.join(G, key(5), "e", false));
    assertThat(b.subList(0, 5)).containsExactly(key(7), key(6), key(4), key(3), key(2));
    assertThat(b.get(5)).isIn(key(0), key(1));
    assertThat(get(r.size(G))).isEqualTo(8);
  }

  @Test
  void leavingRepairsTheRingForTheNextMember() {
    LocalRendezvous r = new LocalRendezvous();
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    r.attach("a", a);
    r.attach("b", b);
    for (int n = 0; n < 10; n++) {
      get(r.join(G, key(n), n % 2 == 0 ? "a" : "b", false));
    }
    get(r.leave(G, key(6), "a")); // next is 7 (edge b), 5 before 6 is 1
    assertThat(b.neighbours).hasSize(1);
    assertThat(b.neighbours.get(0)).containsExactly(G, key(7), key(1));
    assertThat(a.neighbours).isEmpty();
    // leaver with fewer than 5 before it: nobody to give
    get(r.leave(G, key(3), "b"));
    assertThat(a.neighbours).isEmpty();
    assertThat(b.neighbours).hasSize(1);
    // the last member leaving: no next
    get(r.leave(G, key(9), "b"));
    assertThat(a.neighbours).isEmpty();
    assertThat(b.neighbours).hasSize(1);
    assertThat(get(r.size(G))).isEqualTo(7);
    // list now 0 1 2 4 5 7 8; 7 (index 5) leaves: next 8 (edge a) gets index 0, key 0
    get(r.leave(G, key(7), "b"));
    assertThat(a.neighbours).hasSize(1);
    assertThat(a.neighbours.get(0)).containsExactly(G, key(8), key(0));
    assertThat(r.neighbourNotices()).isEqualTo(2);
  }

  @Test
  void virtualMembersAreListedButNeverNotified() {
    LocalRendezvous r = new LocalRendezvous();
    Recorder a = new Recorder();
    r.attach("a", a);
    for (int n = 0; n < 6; n++) {
      get(r.join(G, key(n), "a", false));
    }
    get(r.join(G, key(100), "lua", true));
    assertThat(get(r.join(G, key(7), "a", false)).get(0)).isEqualTo(key(100));
    get(r.leave(G, key(60), "a")); // not a member: nothing happens
    get(r.leave(G, key(5), "a")); // next is the virtual member 100: not notified
    assertThat(a.neighbours).isEmpty();
    get(r.leave(G, key(100), "lua")); // next is 7 (real): told about the member 5 before 100
    assertThat(a.neighbours).hasSize(1);
    assertThat(a.neighbours.get(0)).containsExactly(G, key(7), key(0));
  }

  @Test
  void emptyGroupsDisappear() {
    LocalRendezvous r = new LocalRendezvous();
    get(r.join(G, key(1), "a", false));
    get(r.join(G, key(2), "a", false));
    get(r.leave(G, key(1), "a"));
    assertThat(r.groupCount()).isEqualTo(1);
    get(r.leave(G, key(2), "b")); // not the owning edge
    assertThat(get(r.size(G))).isEqualTo(1);
    get(r.leave(G, key(2), "a"));
    assertThat(get(r.size(G))).isZero();
    assertThat(r.groupCount()).isZero();
    assertThat(get(r.join(G, key(3), "a", false))).isEmpty();
    assertThat(r.groupCount()).isEqualTo(1);
  }

  @Test
  void limitsRefuseAndCount() {
    LocalRendezvous r = new LocalRendezvous(new LocalRendezvous.Limits(2, 1, 3));
    get(r.peers().register(record(1, "a")));
    get(r.peers().register(record(2, "a")));
    get(r.peers().register(record(2, "b"))); // a replacement is not a new peer
    assertThatThrownBy(() -> get(r.peers().register(record(3, "a")))).hasCauseInstanceOf(LimitExceededException.class);
    assertThat(r.refusedPeers()).isEqualTo(1);
    assertThat(r.peerCount()).isEqualTo(2);
    get(r.peers().unregister(key(1), "a"));
    get(r.peers().register(record(3, "a")));
    assertThat(r.peerCount()).isEqualTo(2);

    for (int n = 0; n < 3; n++) {
      get(r.join(G, key(n), "a", false));
    }
    get(r.join(G, key(0), "a", false)); // a re-join is not a new member
    assertThatThrownBy(() -> get(r.join(G, key(3), "a", false))).hasCauseInstanceOf(LimitExceededException.class);
    assertThat(r.refusedMembers()).isEqualTo(1);
    assertThatThrownBy(() -> get(r.join(key(5000), key(3), "a", false))).hasCauseInstanceOf(LimitExceededException.class);
    assertThat(r.refusedGroups()).isEqualTo(1);
    assertThat(r.groupCount()).isEqualTo(1);
  }

  @Test
  void unregisterOnlyByTheOwningEdge() {
    LocalRendezvous r = new LocalRendezvous();
    get(r.peers().register(record(1, "a")));
    get(r.peers().register(record(1, "b"))); // the peer moved to edge b
    get(r.peers().unregister(key(1), "a")); // a's late unregister must not remove b's record
    assertThat(get(r.peers().lookup(key(1)))).get().extracting(PeerRecord::edgeId).isEqualTo("b");
    get(r.peers().unregister(key(1), "b"));
    assertThat(get(r.peers().lookup(key(1)))).isEmpty();
    assertThat(r.peerCount()).isZero();
  }

  @Test
  void introductionsGoToTheEdgeOwningTheTarget() {
    LocalRendezvous r = new LocalRendezvous();
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    r.attach("a", a);
    r.attach("b", b);
    get(r.peers().register(record(1, "a")));
    get(r.peers().register(record(2, "b")));
    Introduction i = new Introduction(key(2), new InetSocketAddress("198.51.100.7", 5000), 2, new byte[] {1, 2, 3});
    get(r.peers().introduce(i));
    assertThat(b.introductions).containsExactly(i);
    assertThat(a.introductions).isEmpty();
    get(r.peers().introduce(new Introduction(key(3), i.initiatorAddress(), 2, i.tag())));
    assertThat(r.unroutedIntroductions()).isEqualTo(1);
    assertThat(r.introductions()).isEqualTo(1);
  }

  @Test
  void droppingAnEdgeForgetsItsPeersAndMemberships() {
    LocalRendezvous r = new LocalRendezvous();
    Recorder b = new Recorder();
    r.attach("b", b);
    for (int n = 0; n < 8; n++) {
      get(r.join(G, key(n), n == 5 ? "a" : "b", false));
    }
    get(r.peers().register(record(5, "a")));
    get(r.peers().register(record(6, "b")));
    r.dropEdge("a");
    assertThat(get(r.peers().lookup(key(5)))).isEmpty();
    assertThat(get(r.peers().lookup(key(6)))).isPresent();
    assertThat(get(r.size(G))).isEqualTo(7);
    assertThat(b.neighbours).hasSize(1);
    assertThat(b.neighbours.get(0)).containsExactly(G, key(6), key(0));
  }

  @Test
  void concurrentJoinsAndLeavesKeepCountsExact() throws Exception {
    LocalRendezvous r = new LocalRendezvous();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch done = new CountDownLatch(4);
    for (int t = 0; t < 4; t++) {
      int base = t * 10_000;
      pool.execute(() -> {
        for (int n = 0; n < 2000; n++) {
          Key g = key(900_000 + (n % 7));
          get(r.join(g, key(base + n), "e", false));
          if (n % 2 == 0) {
            get(r.leave(g, key(base + n), "e"));
          }
        }
        done.countDown();
      });
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    pool.shutdown();
    int total = 0;
    for (int g = 0; g < 7; g++) {
      total += get(r.size(key(900_000 + g)));
    }
    assertThat(total).isEqualTo(4 * 1000);
    assertThat(r.groupCount()).isEqualTo(7);
  }
}
