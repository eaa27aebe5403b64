package io.altocumulus.tests.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Server heap per idle connected session (target: at most 3 KB). N sessions are connected in
 * memory (handshake + NetConnection connect with the edge's real NetConnection, group 2), then the
 * client endpoint is dropped so that only the server's objects stay reachable; the used heap after
 * full GCs, minus the same measure before, over N. Two states:
 * <ul>
 *   <li>{@code just-connected}: right after {@code _result} (handshake records still held);
 *   <li>{@code idle}: after 125 s of fake time with client keepalives (cookies expired, flows
 *       settled), the client dropped only then.
 * </ul>
 * A class histogram ({@code jcmd <pid> GC.class_histogram}, which runs a full GC) is taken before
 * and after; the per-class difference over N is printed, biggest first.
 *
 * <pre>java -Xmx2g -cp benchmarks.jar io.altocumulus.tests.bench.SessionHeap [N]</pre>
 */
public final class SessionHeap {
  private SessionHeap() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    System.out.printf("# %d sessions, %s, max heap %d MB%n", n, Runtime.version(),
        Runtime.getRuntime().maxMemory() >> 20);
    // Warm-up: loads and initialises every class on the path.
    BenchNet warm = new BenchNet(null);
    for (int i = 1; i <= 300; i++) {
      warm.clientAddress = HandshakeBench.address(i);
      warm.connect(null);
    }
    warm.advance(6_000, 1_000);
    warm = null;
    measure(n, false);
    measure(n, true);
  }

  private static void measure(int n, boolean idle) throws Exception {
    BenchNet net = new BenchNet(null);
    Map<String, long[]> before = histogram();
    long base = usedAfterGc();
    for (int i = 1; i <= n; i++) {
      net.clientAddress = HandshakeBench.address(i);
      net.connect(null);
    }
    if (idle) {
      net.advance(125_000, 5_000);
    }
    net.dropClient();
    long used = usedAfterGc();
    Map<String, long[]> after = histogram();
    if (net.server.sessionCount() != n) {
      throw new IllegalStateException(net.server.sessionCount() + " server sessions, wanted " + n);
    }
    String state = idle ? "idle (125 s, keepalives)" : "just-connected";
    System.out.printf("%n== %s: %d server sessions: %.0f bytes/session (used heap %d -> %d), handshake records %s%n",
        state, net.server.sessionCount(), (used - base) / (double) n, base, used,
        idle ? "expired" : "held");
    List<Object[]> rows = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] b = before.getOrDefault(e.getKey(), new long[2]);
      long dBytes = e.getValue()[1] - b[1];
      long dCount = e.getValue()[0] - b[0];
      if (dBytes > 0) {
        rows.add(new Object[] {e.getKey(), dCount, dBytes});
        total += dBytes;
      }
    }
    rows.sort((x, y) -> Long.compare((long) y[2], (long) x[2]));
    System.out.printf("histogram delta: %.0f bytes/session in growing classes; top 25 per session:%n",
        total / (double) n);
    System.out.printf("  %10s %10s  %s%n", "inst/sess", "bytes/sess", "class");
    for (int i = 0; i < Math.min(25, rows.size()); i++) {
      Object[] r = rows.get(i);
      System.out.printf("  %10.2f %10.1f  %s%n", (long) r[1] / (double) n, (long) r[2] / (double) n, r[0]);
    }
    // Keep the server reachable until both measures are taken.
    if (net.server.sessionCount() < 0) {
      System.out.println(net);
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** class name -> {instances, bytes}, from jcmd GC.class_histogram on this JVM. */
  private static Map<String, long[]> histogram() throws Exception {
    long pid = ProcessHandle.current().pid();
    Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
    Map<String, long[]> out = new HashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.trim().split("\\s+");
        // "  1:   12345   678900  java.lang.String (java.base@17)"
        if (f.length >= 4 && f[0].endsWith(":") && !f[0].equals("Total")) {
          try {
            out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
          } catch (NumberFormatException ignored) {
            // header line
          }
        }
      }
    }
    p.waitFor();
    return out;
  }
}
