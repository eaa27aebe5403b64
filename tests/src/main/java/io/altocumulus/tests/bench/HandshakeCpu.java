package io.altocumulus.tests.bench;

import io.altocumulus.rtmfp.crypto.DhGroup;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Server CPU per completed handshake + NetConnection connect (target: at most 0.25 ms). Drives the
 * same in-memory pair as {@link HandshakeBench}; every call into the server endpoint (receive,
 * flush, its crypto and loop tasks) is timed on the thread CPU clock, the client's work is not.
 *
 * <pre>java -cp benchmarks.jar io.altocumulus.tests.bench.HandshakeCpu [warmup] [measured]</pre>
 */
public final class HandshakeCpu {
  private HandshakeCpu() {}

  public static void main(String[] args) {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 3_000;
    int measured = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    System.out.printf("# %d warm-up + %d measured handshakes per group, one thread, %s%n", warmup, measured,
        Runtime.version());
    for (DhGroup g : new DhGroup[] {DhGroup.MODP_1024, DhGroup.MODP_2048}) {
      run(g, warmup, false, threads);
      run(g, measured, true, threads);
    }
  }

  private static void run(DhGroup group, int count, boolean report, ThreadMXBean threads) {
    BenchNet net = new BenchNet(null);
    long serverCpu = 0;
    long serverWall = 0;
    long cpu0 = threads.getCurrentThreadCpuTime();
    long wall0 = System.nanoTime();
    for (int i = 1; i <= count; i++) {
      if (i % HandshakeBench.BATCH == 0) {
        serverCpu += net.serverCpuNanos;
        serverWall += net.serverWallNanos;
        net = new BenchNet(null);
      }
      net.timeServer = true;
      net.clientAddress = HandshakeBench.address(i);
      net.connect(group);
    }
    serverCpu += net.serverCpuNanos;
    serverWall += net.serverWallNanos;
    long totalCpu = threads.getCurrentThreadCpuTime() - cpu0;
    long totalWall = System.nanoTime() - wall0;
    if (report) {
      System.out.printf("group %-9s server CPU %.4f ms/handshake+connect (wall %.4f ms); "
              + "server+client+harness CPU %.4f ms, wall %.4f ms; drops server=%d%n",
          group + "(" + group.id() + ")", serverCpu / 1e6 / count, serverWall / 1e6 / count,
          totalCpu / 1e6 / count, totalWall / 1e6 / count, net.serverDrops.total());
    }
  }
}
