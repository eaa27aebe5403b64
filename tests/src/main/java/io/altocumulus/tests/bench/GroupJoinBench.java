package io.altocumulus.tests.bench;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.NetConnection;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.group.GroupLimits;
import io.altocumulus.edge.group.NetGroups;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.local.LocalRendezvous;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.tc.NetGroupMessage;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A NetGroup join on the edge path (RTMFP-WIRE §8.9), in memory on one thread: the client opens a
 * GC flow with the join message; the server's session decrypts it, NetConnection hands the flow to
 * the group layer, LocalRendezvous answers the bootstrap (6 members when the group already has
 * {@code members} virtual ones), onJoinGroup runs, the 0B messages are written, sealed and sent;
 * then the client ends the flow (FIN) and the member leaves. The JMH score is client + server for
 * join + leave; the server's CPU for the join alone (thread CPU clock, the packet that carries the
 * join and the flush of the answer) is printed at the end of each iteration as
 * "server CPU per join".
 *
 * <p>{@code java -Djmh.ignoreLock=true -jar tests/target/benchmarks.jar GroupJoinBench -f 1 -wi 1 -w 2s -i 3 -r 2s}
 * on the shared 2-core build machine (other builds running): server CPU per join 13.5–13.8 µs in a
 * group of 0 others, 23.7–28.3 µs with 1000 virtual members (6 answers); target ≤ 50 µs. The JMH
 * score itself (281 / 439 µs/op, error larger than the score) is dominated by the periodic clock
 * advance that expires finished flows, and by the client side.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GroupJoinBench {
  static final int SESSIONS = 100;
  /** Joins per session before the fake clock moves on, so finished flows are forgotten. */
  static final int PER_SESSION = 40;
  static final byte[] JOIN = NetGroupMessage.joinWithSpecifier("G:bench".getBytes());

  /** Virtual members already in the group. */
  @Param({"0", "1000"})
  public int members;

  BenchNet net;
  NetGroups groups;
  LocalRendezvous rendezvous;
  Session[] sessions;
  long[] ncFlow;
  int n;
  long joinCpu;
  long joinCount;

  @Setup
  public void setUp() {
    rendezvous = new LocalRendezvous();
    groups = new NetGroups(rendezvous.groups(), "edge-bench", GroupLimits.DEFAULT, new io.altocumulus.rtmfp.DropCounters());
    rendezvous.attach("edge-bench", new io.altocumulus.rendezvous.EdgeCallbacks() {
      @Override
      public void onIntroduction(io.altocumulus.rendezvous.Introduction i) {}

      @Override
      public void onGroupNeighbour(Key g, Key m, Key nb) {
        groups.onGroupNeighbour(g, m, nb);
      }
    });
    Applications apps = new Applications(Path.of("www")).register("app", new ServerApplication() {});
    BenchNet[] self = new BenchNet[1];
    net = new BenchNet(s -> new NetConnection(s, apps, self[0].streams, self[0].serverDrops, 15_000, 10_000).netGroups(groups));
    self[0] = net;
    sessions = new Session[SESSIONS];
    ncFlow = new long[SESSIONS];
    for (int i = 0; i < SESSIONS; i++) {
      net.clientAddress = new InetSocketAddress("10.2.0." + (i + 1), 20_000);
      BenchNet.MiniNetConnection nc = net.connect(DhGroup.MODP_1024);
      sessions[i] = nc.session;
      ncFlow[i] = nc.flow.flowId();
    }
    byte[] gid = NetGroupMessage.groupIdOfSpecifier("G:bench".getBytes());
    for (int i = 0; i < members; i++) {
      byte[] p = new byte[32];
      Arrays.fill(p, (byte) 7);
      p[0] = (byte) i;
      p[1] = (byte) (i >> 8);
      groups.join(Key.of(p), Key.of(gid));
    }
  }

  @Benchmark
  public long joinAndLeave() {
    if (++n % (SESSIONS * PER_SESSION) == 0) {
      net.advance(31_000, 1_000); // finished flows linger 30 s (EndpointConfig.finishedFlowLingerNanos)
    }
    Session s = sessions[n % SESSIONS];
    // A GC flow associated with the NetConnection flow (RTMFP-WIRE §8.9).
    SendFlow f = s.openFlow(new byte[] {'G', 'C'}, ncFlow[n % SESSIONS]);
    s.write(f, JOIN, true);
    net.serverCpuNanos = 0;
    net.timeServer = true;
    net.pump();
    net.timeServer = false;
    joinCpu += net.serverCpuNanos;
    joinCount++;
    s.closeFlow(f);
    net.pump();
    return groups.joins();
  }

  @TearDown(Level.Iteration)
  public void report() {
    if (joinCount > 0) {
      System.out.printf("%n  server CPU per join: %.2f us (%d joins, %d virtual members in the group)%n",
          joinCpu / 1000.0 / joinCount, joinCount, members);
    }
    joinCpu = 0;
    joinCount = 0;
  }
}
