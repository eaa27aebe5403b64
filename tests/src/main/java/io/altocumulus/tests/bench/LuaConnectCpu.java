package io.altocumulus.tests.bench;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.NetConnection;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.lua.LuaHost;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Issue 4 "Lua must not make the connect path more than 20 % slower than with no script": server
 * CPU per handshake + NetConnection connect, as {@link HandshakeCpu} measures it, for the same
 * app path served (a) by an application registered in Java that does nothing and (b) by a real
 * {@code www/app/main.lua} whose {@code onConnection} stores a field and returns a table. With Lua
 * the server's CPU is the endpoint's (timed on the pump thread) plus the Lua thread's (its thread
 * CPU clock over the run); the wall time per connect includes the hop to the Lua thread and back.
 *
 * <pre>java -cp benchmarks.jar io.altocumulus.tests.bench.LuaConnectCpu [warmup] [measured]</pre>
 */
public final class LuaConnectCpu {
  private LuaConnectCpu() {}

  static final String MAIN = """
      function onConnection(client, ...)
        client.joined = cumulus.epochTime
        function client:hello(name) return 'hello ' .. name end
        return {greeting = 'hi', n = 1}
      end
      """;

  public static void main(String[] args) throws Exception {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int measured = args.length > 1 ? Integer.parseInt(args[1]) : 4_000;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Path www = Files.createTempDirectory("lua-connect");
    Files.createDirectories(www.resolve("app"));
    Files.writeString(www.resolve("app/main.lua"), MAIN);
    LuaHost host = new LuaHost(www, Map.of(), null).start();
    long luaThread = host.luaThreadId(); // queued events and the manage tick; idle-time events run inline
    Applications lua = new Applications(www).scripts(host).nodeHooks(host);
    Applications plain = new Applications(www).register("app", new ServerApplication() {});
    // The hop alone: a Java app answering from its own thread, as the Lua host does.
    java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "other-app");
      t.setDaemon(true);
      return t;
    });
    long otherThread = other.submit(() -> Thread.currentThread().getId()).get();
    Applications hop = new Applications(www).register("app", new ServerApplication() {
      @Override
      public java.util.concurrent.CompletionStage<Map<String, Object>> onConnection(
          io.altocumulus.edge.app.Client client, java.util.List<Object> args) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> Map.<String, Object>of("greeting", "hi"), other);
      }
    });
    System.out.printf("# %d warm-up + %d measured connects per variant, one pump thread, %s%n", warmup, measured,
        Runtime.version());
    try {
      for (int round = 0; round < 2; round++) {
        for (int v = 0; v < 3; v++) {
          Applications apps = v == 0 ? plain : v == 1 ? hop : lua;
          long thread = v == 0 ? -1 : v == 1 ? otherThread : luaThread;
          String name = v == 0 ? "no script" : v == 1 ? "java hop" : "main.lua";
          run(name, apps, thread, warmup, false, threads);
          run(name, apps, thread, measured, round == 1, threads);
        }
      }
    } finally {
      host.close();
    }
  }

  private static void run(String name, Applications apps, long luaThread, int count, boolean report, ThreadMXBean threads) {
    long serverCpu = 0;
    long serverWall = 0;
    long lua0 = luaThread < 0 ? 0 : threads.getThreadCpuTime(luaThread);
    long wall0 = System.nanoTime();
    BenchNet net = null;
    for (int i = 0; i < count; i++) {
      if (i % HandshakeBench.BATCH == 0) {
        if (net != null) {
          serverCpu += net.serverCpuNanos;
          serverWall += net.serverWallNanos;
        }
        BenchNet[] self = new BenchNet[1];
        net = new BenchNet(s -> new NetConnection(s, apps, self[0].streams, self[0].serverDrops, 15_000, 10_000));
        self[0] = net;
      }
      net.timeServer = true;
      net.clientAddress = HandshakeBench.address(i + 1);
      connect(net, DhGroup.MODP_1024);
    }
    serverCpu += net.serverCpuNanos;
    serverWall += net.serverWallNanos;
    long luaCpu = luaThread < 0 ? 0 : threads.getThreadCpuTime(luaThread) - lua0;
    long wall = System.nanoTime() - wall0;
    if (report) {
      System.out.printf("%-12s server CPU %.4f ms/handshake+connect (endpoint %.4f + app thread %.4f); "
              + "endpoint wall %.4f ms; wall per connect incl. client and hops %.4f ms%n",
          name, (serverCpu + luaCpu) / 1e6 / count, serverCpu / 1e6 / count,
          luaCpu / 1e6 / count, serverWall / 1e6 / count, wall / 1e6 / count);
    }
  }

  /** BenchNet.connect, waiting (without pumping) while the app's answer is on another thread. */
  private static void connect(BenchNet net, DhGroup group) {
    BenchNet.MiniNetConnection nc = new BenchNet.MiniNetConnection();
    net.client.connect(BenchNet.SERVER, EndpointDiscriminator.forUrl(BenchNet.URL), group,
        new RtmfpEndpoint.ConnectListener() {
          @Override
          public void onConnected(Session session) {
            nc.start(session);
          }

          @Override
          public void onFailed(String reason) {
            nc.failure = reason;
          }
        });
    net.pump();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (nc.answer == null && nc.failure == null) {
      while (net.serverTasks.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no answer from the application");
        }
        Thread.onSpinWait();
      }
      net.pump();
    }
    if (!"_result".equals(nc.answer)) {
      throw new IllegalStateException("connect failed: " + nc.failure + " / " + nc.answer);
    }
  }
}
