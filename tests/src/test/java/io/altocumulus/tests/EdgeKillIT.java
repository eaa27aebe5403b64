package io.altocumulus.tests;

import static io.altocumulus.tests.ClusterNodes.ms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.PeerRecord;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.ClientNetStream;
import io.altocumulus.rtmfp.client.PeerConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.session.EndpointConfig;
import io.altocumulus.rtmfp.tc.TcCommand;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 item 4: an edge killed with {@code kill -9} under load. The victim is a separate JVM
 * (the CLI, as deployed) holding 40 callers (each registered in the rendezvous directory with
 * setPeerInfo, calling {@code echo} every 200 ms), a publisher and three players; the rendezvous
 * shard (r1) and the surviving edge (e1) run in the test JVM. After SIGKILL every client notices
 * by its own timers, reconnects through the next address of its list (the dead one first, which
 * fails) and is served by e1; the victim leaves the cluster view within the ZooKeeper session
 * timeout + 1 s; its directory records are gone; moved peers meet P2P and the stream plays again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EdgeKillIT {
  static final int CALLERS = 40;
  static final int PLAYERS = 3;
  static final RtmfpClient.ConnectOptions PEER = new RtmfpClient.ConnectOptions().asPeer();
  /** The clients' Set Keepalive base: their idle timeout is 6 x this (EndpointConfig.idleTimeoutNanos). */
  static final int CLIENT_KEEPALIVE_S = 1;
  static final long HANDSHAKE_TIMEOUT_MS = 3_000;
  /**
   * A client notices a silent server at its idle timeout (6 s), checked by the session's
   * housekeeping once a second (RtmfpEndpoint.MANAGE_INTERVAL_NANOS), + 1 s of scheduling slack.
   * Clients with a call in flight may notice earlier (retransmission timeouts).
   */
  static final long DETECT_BOUND_MS = 6L * CLIENT_KEEPALIVE_S * 1_000 + 1_000 + 1_000;
  /** Noticed, one failed handshake with the dead address, then connected and answered by e1 (5 s on a loaded box). */
  static final long SERVED_BOUND_MS = DETECT_BOUND_MS + HANDSHAKE_TIMEOUT_MS + 5_000;

  /**
   * The cluster node's gRPC server pings a silent connection after 5 s and drops it when no ack
   * came 5 s later (ClusterNode). Measured ~15 s from SIGSTOP to the records gone, i.e. about one
   * keepalive period more than ping + timeout (not explained): bound 2 x 5 s + 5 s + 5 s of slack
   * for a loaded machine. Without the pings the records stayed (no bound at all).
   */
  static final long FROZEN_BOUND_MS = 2 * 5_000 + 5_000 + 5_000;

  static final String APP_LUA = """
      function onConnection(client)
        function client:echo(x) return x end
      end
      """;

  @TempDir
  Path dir;
  TestingServer zk;
  EdgeNode r1;
  EdgeNode e1;
  EdgeProcess victim;
  final List<AutoCloseable> toClose = new ArrayList<>();
  final ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2);
  final ExecutorService moves = Executors.newCachedThreadPool();
  volatile long killedAt;

  @BeforeEach
  void cluster() throws Exception {
    Files.createDirectories(dir.resolve("www/app"));
    Files.writeString(dir.resolve("www/app/main.lua"), APP_LUA);
    Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    // one server, tickTime 200 ms so that 3 s sessions are allowed
    zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 200, -1), true);
    String c = zk.getConnectString();
    r1 = ClusterNodes.start(dir.resolve("www"), ClusterNodes.ini(c, "kill", "r1", "rendezvous"));
    toClose.add(r1);
    e1 = ClusterNodes.start(dir.resolve("www"), ClusterNodes.ini(c, "kill", "e1", "edge"));
    toClose.add(0, e1);
    Map<String, String> ini = ClusterNodes.ini(c, "kill", "e2", "edge");
    victim = EdgeProcess.start(dir.resolve("e2"), dir.resolve("www"), ini);
  }

  @AfterEach
  void stop() throws Exception {
    ticks.shutdownNow();
    moves.shutdownNow();
    if (victim != null) {
      victim.close();
    }
    for (AutoCloseable c : toClose) {
      c.close();
    }
    zk.close();
  }

  static String url(String address) {
    return "rtmfp://" + address + "/app";
  }

  RtmfpClient client() throws Exception {
    EndpointConfig c = new EndpointConfig();
    c.keepAliveServerSeconds = CLIENT_KEEPALIVE_S;
    c.handshakeTimeoutNanos = HANDSHAKE_TIMEOUT_MS * 1_000_000;
    RtmfpClient r = RtmfpClient.open(new InetSocketAddress("127.0.0.1", 0), c);
    synchronized (toClose) {
      toClose.add(0, r);
    }
    return r;
  }

  /**
   * A Flash app's connection logic: connect to the first address of its list; when the connection
   * closes, try each address of the list in turn (the dead one first) and redo what it did after
   * connecting ({@code onConnect}).
   */
  final class Mover {
    final String name;
    final RtmfpClient client;
    final List<String> addresses;
    final Function<ClientNetConnection, CompletableFuture<?>> onConnect;
    volatile ClientNetConnection nc;
    volatile long closedAt;
    volatile long servedAt;
    volatile String servedBy;
    final List<String> failed = new CopyOnWriteArrayList<>();

    Mover(String name, RtmfpClient client, List<String> addresses,
        Function<ClientNetConnection, CompletableFuture<?>> onConnect) {
      this.name = name;
      this.client = client;
      this.addresses = addresses;
      this.onConnect = onConnect;
    }

    /** The first connection, to the first address (retried: the child JVM may still be warming up). */
    void connectFirst() throws Exception {
      Exception last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        try {
          ClientNetConnection c = client.connect(url(addresses.get(0)), PEER).get(10, TimeUnit.SECONDS);
          nc = c;
          onConnect.apply(c).get(10, TimeUnit.SECONDS);
          servedBy = addresses.get(0);
          c.closed().thenRun(this::lost);
          return;
        } catch (Exception e) {
          last = e;
        }
      }
      throw new AssertionError(name + " cannot connect to " + addresses.get(0), last);
    }

    private void lost() {
      closedAt = System.nanoTime();
      moves.execute(this::reconnect);
    }

    private void reconnect() {
      for (String a : addresses) {
        try {
          ClientNetConnection c = client.connect(url(a), PEER).get(HANDSHAKE_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
          nc = c;
          onConnect.apply(c).get(10, TimeUnit.SECONDS);
          servedAt = System.nanoTime();
          servedBy = a;
          return;
        } catch (Exception e) {
          failed.add(a);
        }
      }
    }
  }

  /** Polls {@code cond} every 20 ms for up to {@code maxMs}; returns the ms since the kill when it held. */
  long sinceKill(String what, long maxMs, BooleanSupplier cond) {
    await(what).atMost(Duration.ofMillis(maxMs)).pollInterval(Duration.ofMillis(20)).until(cond::getAsBoolean);
    return ms(System.nanoTime() - killedAt);
  }

  Optional<PeerRecord> shardRecord(byte[] peerId) {
    try {
      return r1.cluster().shard().local().peers().lookup(Key.of(peerId)).toCompletableFuture().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] frame(int seq) {
    int kind = seq % 10 == 0 ? 0x1701 : 0x2701;  // keyframe every 10th, else inter frame
    return new byte[] {(byte) (kind >> 8), (byte) kind, (byte) seq, (byte) (seq >> 8), 0x55};
  }

  @Test
  void theClientsOfAnEdgeKilledWithSigkillComeBackThroughTheOtherEdge() throws Exception {
    String dead = victim.publicAddress();
    String survivor = ClusterNodes.publicAddress(e1);
    List<String> list = List.of(dead, survivor);
    long t0 = System.nanoTime();
    try {
      await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(50))
          .until(() -> e1.cluster().redirectTargets().contains(dead) && ClusterNodes.view(r1).contains("e2"));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("the edge process did not join; its output:\n" + victim.output(), e);
    }
    System.out.printf("EdgeKillIT: edge process started -> in e1's redirect list: %d ms%n", ms(System.nanoTime() - t0));

    // --- the load on the victim ---
    AtomicInteger echoErrors = new AtomicInteger();
    AtomicLong answered = new AtomicLong();
    List<Mover> callers = new ArrayList<>();
    List<Mover> all = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      RtmfpClient cl = client();
      Mover m = new Mover("caller" + i, cl, list,
          c -> c.setPeerInfo("127.0.0.1:" + cl.localAddress().getPort()).thenCompose(k -> c.call("echo", -1.0)));
      callers.add(m);
    }
    // the publisher and the players: each (re)connection (re)publishes or plays "live"
    AtomicLong frames = new AtomicLong();
    java.util.concurrent.atomic.AtomicReference<ClientNetStream> published = new java.util.concurrent.atomic.AtomicReference<>();
    Mover publisher = new Mover("publisher", client(), list, c -> c.createStream().thenCompose(s -> {
      CompletableFuture<Object> started = new CompletableFuture<>();
      s.onStatus(e -> {
        if (e.code().equals("NetStream.Publish.Start")) {
          started.complete(null);
        }
      });
      s.publish("live");
      return started.thenRun(() -> published.set(s));
    }));
    List<AtomicLong> seenSinceConnect = new ArrayList<>();
    List<Mover> players = new ArrayList<>();
    for (int i = 0; i < PLAYERS; i++) {
      AtomicLong seen = new AtomicLong();
      seenSinceConnect.add(seen);
      players.add(new Mover("player" + i, client(), list, c -> c.createStream().thenCompose(s -> {
        seen.set(0);
        CompletableFuture<Object> playing = new CompletableFuture<>();
        s.onStatus(e -> {
          if (e.code().equals("NetStream.Play.Start")) {
            playing.complete(null);
          }
        });
        s.onVideo((t, buf, off, len) -> seen.incrementAndGet());
        s.play("live");
        return playing;
      })));
    }
    all.addAll(callers);
    all.add(publisher);
    all.addAll(players);
    List<CompletableFuture<Void>> firsts = new ArrayList<>();
    for (Mover m : all) {
      firsts.add(CompletableFuture.runAsync(() -> {
        try {
          m.connectFirst();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, moves));
    }
    CompletableFuture.allOf(firsts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    // calls flowing: each caller echoes a sequence number every 200 ms; media at 20 frames/s
    AtomicInteger seq = new AtomicInteger();
    ticks.scheduleAtFixedRate(() -> {
      for (Mover m : callers) {
        ClientNetConnection c = m.nc;
        if (c != null && !c.closed().isDone()) {
          double n = seq.incrementAndGet();
          c.call("echo", n).whenComplete((v, err) -> {
            if (err == null) {
              answered.incrementAndGet();
              if (!(v instanceof Number x) || x.doubleValue() != n) {
                echoErrors.incrementAndGet();
              }
            }
          });
        }
      }
    }, 0, 200, TimeUnit.MILLISECONDS);
    ticks.scheduleAtFixedRate(() -> {
      ClientNetStream s = published.get();
      if (s != null) {
        int f = (int) frames.incrementAndGet();
        s.sendVideo(f * 50, frame(f));
      }
    }, 0, 50, TimeUnit.MILLISECONDS);
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> answered.get() >= 3L * CALLERS
          && seenSinceConnect.stream().allMatch(s -> s.get() >= 10)
          && callers.stream().allMatch(m -> shardRecord(m.client.peerId()).map(r -> !r.edgeId().equals(e1.edgeId())).orElse(false)));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(String.format("load not established: %d answered, frames sent %d, players saw %s,"
          + " %d of %d callers on the shard; victim output:%n%s", answered.get(), frames.get(), seenSinceConnect,
          callers.stream().filter(m -> shardRecord(m.client.peerId()).isPresent()).count(), CALLERS, victim.output()), e);
    }
    assertThat(all).allSatisfy(m -> assertThat(m.servedBy).isEqualTo(dead));
    // the directory names edges by their rendezvous edge id (EdgeNode.edgeId()), not the node id
    String victimEdgeId = shardRecord(callers.get(0).client.peerId()).orElseThrow().edgeId();
    assertThat(callers).allSatisfy(m -> assertThat(shardRecord(m.client.peerId()).orElseThrow().edgeId()).isEqualTo(victimEdgeId));
    int held = r1.cluster().shard().local().peerCount();
    System.out.printf("EdgeKillIT: load on the victim: %d sessions (%d callers at 5 calls/s, 1 publisher at 20 frames/s,"
        + " %d players), %d peer records on the shard, %d calls answered so far%n",
        all.size(), CALLERS, PLAYERS, held, answered.get());

    // --- kill -9 ---
    killedAt = System.nanoTime();
    int exit = victim.kill9();
    long answeredAtKill = answered.get();
    assertThat(exit).as("SIGKILL: 128 + 9").isEqualTo(137);

    long recordsGone = sinceKill("the dead edge's peer records dropped by the shard", 5_000,
        () -> callers.stream().allMatch(m -> shardRecord(m.client.peerId()).map(r -> !r.edgeId().equals(victimEdgeId)).orElse(true)));
    long viewGone = sinceKill("the dead edge out of every view and redirect list", ClusterNodes.SESSION_MS + 5_000,
        () -> !e1.cluster().redirectTargets().contains(dead) && !ClusterNodes.view(e1).contains("e2")
            && !ClusterNodes.view(r1).contains("e2"));
    sinceKill("every client noticed", DETECT_BOUND_MS + 10_000, () -> all.stream().allMatch(m -> m.closedAt != 0));
    long detectMax = all.stream().mapToLong(m -> ms(m.closedAt - killedAt)).max().orElseThrow();
    long detectMin = all.stream().mapToLong(m -> ms(m.closedAt - killedAt)).min().orElseThrow();
    sinceKill("every client served by the survivor", SERVED_BOUND_MS + 15_000,
        () -> all.stream().allMatch(m -> m.servedAt != 0 || m.failed.size() >= list.size()));
    for (Mover m : all) {
      assertThat(m.servedBy).as(m.name + " after " + m.failed).isEqualTo(survivor);
      assertThat(m.failed).as(m.name + ": the dead address failed first").containsExactly(dead);
    }
    long servedMax = all.stream().mapToLong(m -> ms(m.servedAt - killedAt)).max().orElseThrow();
    System.out.printf("EdgeKillIT: SIGKILL (exit %d) -> peer records dropped by the shard: %d ms; out of every view"
        + " and redirect list: %d ms (bound %d ms)%n", exit, recordsGone, viewGone, ClusterNodes.SESSION_MS + 1_000);
    System.out.printf("EdgeKillIT: %d clients noticed the dead server after %d..%d ms (bound %d ms: idle timeout"
        + " %d s + 1 s housekeeping + 1 s); all served by the survivor (after one failed %d ms handshake with the dead"
        + " address) within %d ms (bound %d ms)%n", all.size(), detectMin, detectMax, DETECT_BOUND_MS,
        6 * CLIENT_KEEPALIVE_S, HANDSHAKE_TIMEOUT_MS, servedMax, SERVED_BOUND_MS);
    assertThat(viewGone).isLessThanOrEqualTo(ClusterNodes.SESSION_MS + 1_000);
    assertThat(detectMax).isLessThanOrEqualTo(DETECT_BOUND_MS);
    assertThat(servedMax).isLessThanOrEqualTo(SERVED_BOUND_MS);

    // --- served by the survivor: calls, directory, P2P, the stream ---
    long answeredAfterMove = answered.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() >= answeredAfterMove + 3L * CALLERS);
    assertThat(echoErrors.get()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> callers.stream()
        .allMatch(m -> shardRecord(m.client.peerId()).map(r -> r.edgeId().equals(e1.edgeId())).orElse(false)));
    assertThat(r1.cluster().shard().local().peerCount()).isEqualTo(CALLERS);

    Mover a = callers.get(0);
    Mover b = callers.get(1);
    List<TcCommand> heardByB = new CopyOnWriteArrayList<>();
    b.client.onPeerConnection(pc -> pc.onCommand(heardByB::add));
    long p2pAt = System.nanoTime();
    PeerConnection direct = a.client.connectToPeer(e1.localAddress(), b.client.peerId()).get(10, TimeUnit.SECONDS);
    direct.send("afterTheMove", 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> heardByB.size() == 1);
    long p2pMs = ms(System.nanoTime() - p2pAt);

    long playAt = System.nanoTime();
    await().atMost(Duration.ofSeconds(10)).until(() -> seenSinceConnect.stream().allMatch(s -> s.get() >= 10));
    assertThat(e1.sessionCount()).isEqualTo(all.size());
    System.out.printf("EdgeKillIT: after the move: %d calls answered on e1 (%d before the kill, 0 wrong), %d peer"
        + " records on the shard all naming e1, P2P introduction between two moved clients %d ms, players got 10"
        + " frames of the republished stream within %d ms of the check, e1 holds %d sessions%n",
        answered.get() - answeredAfterMove, answeredAtKill, r1.cluster().shard().local().peerCount(), p2pMs,
        ms(System.nanoTime() - playAt), e1.sessionCount());
  }

  /**
   * A host that hangs or drops off the network closes no socket: frozen with SIGSTOP the victim
   * leaves the ZooKeeper membership after the session timeout, and the shard must notice the dead
   * Subscribe stream by itself (gRPC keepalive of the cluster node's server, 5 s + 5 s) to drop
   * its peer records; before, they stayed as long as the TCP connection, i.e. for good.
   */
  @Test
  void anEdgeFrozenLikeAHungHostLeavesTheViewAndTheDirectory() throws Exception {
    String dead = victim.publicAddress();
    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(50))
        .until(() -> e1.cluster().redirectTargets().contains(dead) && ClusterNodes.view(r1).contains("e2"));
    List<RtmfpClient> peers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RtmfpClient cl = client();
      ClientNetConnection nc = cl.connect(url(dead), PEER).get(20, TimeUnit.SECONDS);
      nc.setPeerInfo("127.0.0.1:" + cl.localAddress().getPort()).get(5, TimeUnit.SECONDS);
      peers.add(cl);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> peers.stream().allMatch(p -> shardRecord(p.peerId()).isPresent()));

    killedAt = System.nanoTime();
    Process stop = new ProcessBuilder("kill", "-STOP", String.valueOf(victim.process.pid())).inheritIO().start();
    assertThat(stop.waitFor()).isZero();
    long viewGone = sinceKill("the frozen edge out of every view and redirect list", ClusterNodes.SESSION_MS + 5_000,
        () -> !e1.cluster().redirectTargets().contains(dead) && !ClusterNodes.view(e1).contains("e2")
            && !ClusterNodes.view(r1).contains("e2"));
    long recordsGone = sinceKill("the frozen edge's peer records dropped by the shard", FROZEN_BOUND_MS + 10_000,
        () -> peers.stream().allMatch(p -> shardRecord(p.peerId()).isEmpty()));
    System.out.printf("EdgeKillIT: SIGSTOP (a hung host) -> out of every view and redirect list: %d ms (bound %d ms);"
        + " its peer records dropped by the shard: %d ms (bound %d ms: 2 x gRPC keepalive time + timeout + 5 s)%n",
        viewGone, ClusterNodes.SESSION_MS + 1_000, recordsGone, FROZEN_BOUND_MS);
    assertThat(viewGone).isLessThanOrEqualTo(ClusterNodes.SESSION_MS + 1_000);
    assertThat(recordsGone).isLessThanOrEqualTo(FROZEN_BOUND_MS);
    assertThat(victim.kill9()).isEqualTo(137);
  }
}
