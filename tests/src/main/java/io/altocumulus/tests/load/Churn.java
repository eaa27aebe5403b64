package io.altocumulus.tests.load;

import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.ClientNetGroup;
import io.altocumulus.rtmfp.client.ClientNetStream;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.session.EndpointConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code --mode churn}: the soak load (issue 8 item 5). Actors start at a steady rate; each
 * connects, sends setPeerInfo, does one thing of a weighted mix for a few seconds (a call, a
 * publication, a play, a NetGroup membership, a P2P introduction to another live actor), then
 * closes its session, or (a fraction) vanishes without a word so the node's idle timeout must
 * reap it. Live actors are bounded; the tool itself holds a fixed set of sockets (the shared
 * clients and the P2P clients) plus one short-lived socket per vanishing actor, closed at its end,
 * and reports its own fds and threads so a growing tool is not mistaken for a growing node.
 */
final class Churn {
  enum Kind { CALL, PUBLISH, PLAY, GROUP, P2P }

  static final String DEFAULT_MIX = "call=20,publish=15,play=25,group=20,p2p=20";
  private static final String[] GROUPS = {"G:churn-a", "G:churn-b", "G:churn-c", "G:churn-d"};
  private static final long STEP_TIMEOUT_S = 10;

  /** Per kind: actors that drew it, and how they ended. */
  static final class KindStats {
    final LongAdder started = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();
    /** P2P with no free P2P socket (ran as a call instead) or no partner online. */
    final LongAdder skipped = new LongAdder();
  }

  /** One actor's state along its chain. */
  private static final class Actor {
    final int id;
    Kind kind;
    final boolean vanish;
    final RtmfpClient peerLease;
    RtmfpClient client;
    RtmfpClient own;
    ClientNetConnection nc;
    long t0;
    volatile String stage = "connect";

    Actor(int id, Kind kind, boolean vanish, RtmfpClient peerLease) {
      this.id = id;
      this.kind = kind;
      this.vanish = vanish;
      this.peerLease = peerLease;
    }
  }

  private final LoadOptions o;
  private final PrintStream out;
  private final InetSocketAddress server;
  private final RtmfpClient[] shared;
  private final RtmfpClient[] peers;
  private final ArrayBlockingQueue<RtmfpClient> freePeers;
  /** P2P actors reachable now: their client and its peer id. */
  private final Map<RtmfpClient, byte[]> livePeers = new ConcurrentHashMap<>();
  private final Set<String> livePublications = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer;
  /** Blocking work off the clients' loops: opening and closing a vanishing actor's own client. */
  private final ExecutorService worker;
  private final Kind[] kinds = Kind.values();
  private final double[] cumulative;
  private final EnumMap<Kind, KindStats> stats = new EnumMap<>(Kind.class);

  private final AtomicInteger live = new AtomicInteger();
  private final AtomicInteger maxLiveSeen = new AtomicInteger();
  private final AtomicInteger launched = new AtomicInteger();
  private final LongAdder skippedFull = new LongAdder();
  private final LongAdder connectOk = new LongAdder();
  private final LongAdder connectFailed = new LongAdder();
  private final LongAdder peerInfoFailed = new LongAdder();
  private final LongAdder closedOk = new LongAdder();
  private final LongAdder closeFailed = new LongAdder();
  private final LongAdder vanished = new LongAdder();
  private final LongAdder callErrors = new LongAdder();
  private final LongAdder framesSent = new LongAdder();
  private final LongAdder framesReceived = new LongAdder();
  private final LongAdder playsWithMedia = new LongAdder();
  private final LongAdder groupPeersSeen = new LongAdder();
  private final LongAdder p2pIncoming = new LongAdder();
  private final LatencyHistogram connectLatency = new LatencyHistogram();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  /** Tool's own fds/threads, one sample per progress line (360 an hour). */
  private final List<long[]> selfSamples = new ArrayList<>();
  private volatile boolean launching = true;
  private long launchStart;

  Churn(LoadOptions o, PrintStream out) throws InterruptedException {
    this.o = o;
    this.out = out;
    URI u = URI.create(o.url);
    this.server = new InetSocketAddress(u.getHost(), u.getPort() > 0 ? u.getPort() : 1935);
    this.cumulative = parseMix(o.mix);
    for (Kind k : kinds) {
      stats.put(k, new KindStats());
    }
    shared = new RtmfpClient[o.sockets];
    for (int i = 0; i < shared.length; i++) {
      shared[i] = RtmfpClient.open(new InetSocketAddress(0), clientConfig());
    }
    peers = new RtmfpClient[o.peerSockets];
    freePeers = new ArrayBlockingQueue<>(Math.max(1, peers.length));
    for (int i = 0; i < peers.length; i++) {
      peers[i] = RtmfpClient.open(new InetSocketAddress(0), clientConfig());
      peers[i].onPeerConnection(pc -> p2pIncoming.increment());
      freePeers.add(peers[i]);
    }
    timer = Executors.newScheduledThreadPool(2, daemon("churn-timer"));
    worker = Executors.newFixedThreadPool(4, daemon("churn-worker"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private static EndpointConfig clientConfig() {
    EndpointConfig c = new EndpointConfig();
    c.handshakeTimeoutNanos = STEP_TIMEOUT_S * 1_000_000_000L;
    return c;
  }

  /** "call=20,publish=15,..." to cumulative weights in {@link Kind} order. */
  static double[] parseMix(String mix) {
    double[] w = new double[Kind.values().length];
    for (String part : mix.split(",")) {
      String[] kv = part.trim().split("=");
      if (kv.length != 2) {
        throw new IllegalArgumentException("--mix: expected kind=weight, got " + part);
      }
      Kind k;
      try {
        k = Kind.valueOf(kv[0].trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--mix: unknown kind " + kv[0] + " (call, publish, play, group, p2p)");
      }
      double v = Double.parseDouble(kv[1].trim());
      if (v < 0) {
        throw new IllegalArgumentException("--mix: negative weight for " + kv[0]);
      }
      w[k.ordinal()] = v;
    }
    double total = 0;
    for (int i = 0; i < w.length; i++) {
      total += w[i];
      w[i] = total;
    }
    if (total <= 0) {
      throw new IllegalArgumentException("--mix: all weights are zero");
    }
    for (int i = 0; i < w.length; i++) {
      w[i] /= total;
    }
    return w;
  }

  private Kind pick() {
    double r = ThreadLocalRandom.current().nextDouble();
    for (int i = 0; i < cumulative.length; i++) {
      if (r < cumulative[i]) {
        return kinds[i];
      }
    }
    return kinds[kinds.length - 1];
  }

  Map<String, Object> execute() throws Exception {
    long start = System.nanoTime();
    long deadline = start + o.durationSeconds * 1_000_000_000L;
    launchStart = start;
    sampleSelf();
    timer.scheduleAtFixedRate(this::launchDue, 0, 10, TimeUnit.MILLISECONDS);
    timer.scheduleAtFixedRate(() -> progress(start), 10, 10, TimeUnit.SECONDS);
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    launching = false;
    long end = System.nanoTime();
    // Let the live actors finish their course (and close) before the clients go.
    long drainUntil = System.nanoTime() + (long) ((o.holdSeconds * 1.5 + 2 * STEP_TIMEOUT_S) * 1e9);
    while (live.get() > 0 && System.nanoTime() < drainUntil) {
      Thread.sleep(50);
    }
    int liveAtEnd = live.get();
    sampleSelf();
    Map<String, Object> report = report(start, end, liveAtEnd);
    printTable(report);
    return report;
  }

  private void launchDue() {
    if (!launching) {
      return;
    }
    try {
      long due = (long) ((System.nanoTime() - launchStart) / 1e9 * o.rate) + 1;
      while (launched.get() < due) {
        launch(launched.getAndIncrement());
      }
    } catch (RuntimeException e) {
      error("launch", e);
    }
  }

  private void launch(int id) {
    if (live.get() >= o.maxLive) {
      skippedFull.increment();
      return;
    }
    Kind kind = pick();
    RtmfpClient lease = null;
    if (kind == Kind.P2P) {
      lease = freePeers.poll();
      if (lease == null) {
        stats.get(Kind.P2P).skipped.increment();
        kind = Kind.CALL;
      }
    }
    boolean vanish = kind != Kind.P2P && ThreadLocalRandom.current().nextDouble() < o.vanishFraction;
    Actor a = new Actor(id, kind, vanish, lease);
    maxLiveSeen.accumulateAndGet(live.incrementAndGet(), Math::max);
    stats.get(kind).started.increment();
    CompletableFuture<RtmfpClient> client = vanish
        ? CompletableFuture.supplyAsync(() -> {
          try {
            return RtmfpClient.open(new InetSocketAddress(0), clientConfig());
          } catch (InterruptedException e) {
            throw new CompletionException(e);
          }
        }, worker)
        : CompletableFuture.completedFuture(lease != null ? lease : shared[id % shared.length]);
    client.thenCompose(c -> {
      a.client = c;
      if (a.vanish) {
        a.own = c;
      }
      a.t0 = System.nanoTime();
      RtmfpClient.ConnectOptions co = new RtmfpClient.ConnectOptions().objectEncoding(o.objectEncoding);
      if (a.kind == Kind.P2P) {
        co.asPeer();
      }
      return c.connect(o.url, co).orTimeout(STEP_TIMEOUT_S + 5, TimeUnit.SECONDS);
    }).thenCompose(nc -> {
      connectLatency.add((System.nanoTime() - a.t0) / 1e6);
      connectOk.increment();
      a.nc = nc;
      a.stage = "setPeerInfo";
      return nc.setPeerInfo("127.0.0.1:" + a.client.localAddress().getPort()).orTimeout(STEP_TIMEOUT_S, TimeUnit.SECONDS);
    }).thenCompose(keepalive -> {
      a.stage = a.kind.name().toLowerCase(Locale.ROOT);
      return activity(a);
    }).handle((v, err) -> {
      if (err == null) {
        stats.get(a.kind).ok.increment();
      } else {
        switch (a.stage) {
          case "connect" -> connectFailed.increment();
          case "setPeerInfo" -> peerInfoFailed.increment();
          default -> { }
        }
        if (!"connect".equals(a.stage)) {
          stats.get(a.kind).failed.increment();
        }
        error(a.stage, err);
      }
      return null;
    }).thenCompose(v -> end(a)).whenComplete((v, err) -> {
      if (err != null) {
        error("end", err);
      }
      if (a.peerLease != null) {
        livePeers.remove(a.peerLease);
        freePeers.add(a.peerLease);
      }
      live.decrementAndGet();
    });
  }

  /** The actor's course after connect + setPeerInfo; completes when it is over. */
  private CompletableFuture<Void> activity(Actor a) {
    return switch (a.kind) {
      case CALL -> call(a);
      case PUBLISH -> publish(a);
      case PLAY -> play(a);
      case GROUP -> group(a);
      case P2P -> p2p(a);
    };
  }

  private long holdMillis() {
    return (long) (o.holdSeconds * 1000 * (0.5 + ThreadLocalRandom.current().nextDouble()));
  }

  private CompletableFuture<Void> after(long millis) {
    return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS, timer));
  }

  private CompletableFuture<Void> call(Actor a) {
    return a.nc.call(o.call, "churn " + a.id).orTimeout(STEP_TIMEOUT_S, TimeUnit.SECONDS).handle((v, err) -> {
      Throwable c = cause(err);
      if (c instanceof ClientNetConnection.CallFailedException) {
        callErrors.increment(); // answered _error: the round trip worked, the app has no such method
      } else if (c != null) {
        throw new CompletionException(c);
      }
      return null;
    }).thenCompose(v -> after(holdMillis()));
  }

  private CompletableFuture<Void> publish(Actor a) {
    String name = "churn-" + a.id;
    return a.nc.createStream().orTimeout(STEP_TIMEOUT_S, TimeUnit.SECONDS).thenCompose(ns -> {
      CompletableFuture<Void> started = new CompletableFuture<>();
      ns.onStatus(e -> {
        if ("NetStream.Publish.Start".equals(e.code())) {
          started.complete(null);
        } else if (e.code() != null && (e.code().contains("BadName") || e.code().contains("Failed"))) {
          started.completeExceptionally(new IllegalStateException(e.code()));
        }
      });
      ns.publish(name, "live");
      return started.orTimeout(STEP_TIMEOUT_S, TimeUnit.SECONDS).thenCompose(v -> {
        livePublications.add(name);
        MediaPattern pattern = new MediaPattern(o.bitrateKbps);
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("width", 640.0);
        md.put("height", 360.0);
        md.put("framerate", (double) MediaPattern.FPS);
        ns.sendMetaData(md);
        ns.sendAudio(0, MediaPattern.audioConfig());
        ns.sendVideo(0, MediaPattern.videoConfig());
        long sendStart = System.nanoTime();
        ScheduledFuture<?> tick = timer.scheduleAtFixedRate(() -> {
          try {
            pattern.due((System.nanoTime() - sendStart) / 1_000_000, f -> {
              if (f.audio()) {
                ns.sendAudio(f.timestamp(), f.payload());
              } else {
                ns.sendVideo(f.timestamp(), f.payload());
              }
              framesSent.increment();
            });
          } catch (RuntimeException e) {
            error("publish tick", e);
          }
        }, 0, 20, TimeUnit.MILLISECONDS);
        return after(holdMillis()).whenComplete((x, err) -> {
          tick.cancel(false);
          livePublications.remove(name);
          ns.closeStream();
          ns.deleteStream();
        });
      });
    });
  }

  private String anyLivePublication() {
    Object[] names = livePublications.toArray();
    return names.length == 0 ? "churn-none" : (String) names[ThreadLocalRandom.current().nextInt(names.length)];
  }

  private CompletableFuture<Void> play(Actor a) {
    String name = anyLivePublication();
    return a.nc.createStream().orTimeout(STEP_TIMEOUT_S, TimeUnit.SECONDS).thenCompose(ns -> {
      CompletableFuture<Void> started = new CompletableFuture<>();
      ns.onStatus(e -> {
        if ("NetStream.Play.Start".equals(e.code()) || "NetStream.Play.Reset".equals(e.code())) {
          started.complete(null);
        } else if (e.code() != null && e.code().contains("Failed")) {
          started.completeExceptionally(new IllegalStateException(e.code()));
        }
      });
      ns.play(name, -2000);
      ns.setBufferTime(100);
      return started.orTimeout(STEP_TIMEOUT_S, TimeUnit.SECONDS).thenCompose(v -> after(holdMillis())).whenComplete((x, err) -> {
        long n = ns.audioMessages() + ns.videoMessages();
        framesReceived.add(n);
        if (n > 0) {
          playsWithMedia.increment();
        }
        ns.closeStream();
        ns.deleteStream();
      });
    });
  }

  private CompletableFuture<Void> group(Actor a) {
    ClientNetGroup g = a.nc.joinGroup(GROUPS[a.id % GROUPS.length]);
    return after(holdMillis()).thenRun(() -> {
      groupPeersSeen.add(g.peers().size());
      boolean refused = g.serverFinished();
      g.close();
      if (refused) {
        throw new IllegalStateException("the server ended the group flow");
      }
    });
  }

  /**
   * Registers this actor as reachable, introduces it to another live P2P actor through the node
   * (RTMFP-WIRE §6.3), closes that direct session, and stays reachable for the rest of its hold.
   */
  private CompletableFuture<Void> p2p(Actor a) {
    livePeers.put(a.client, a.client.peerId());
    long hold = holdMillis();
    return partner(a.client, 5).thenCompose(target -> {
      if (target == null) {
        stats.get(Kind.P2P).skipped.increment();
        return after(hold);
      }
      return a.client.connectToPeer(server, target).orTimeout(STEP_TIMEOUT_S, TimeUnit.SECONDS)
          .thenCompose(pc -> pc.close().orTimeout(STEP_TIMEOUT_S, TimeUnit.SECONDS))
          .thenCompose(v -> after(hold));
    }).whenComplete((v, err) -> livePeers.remove(a.client))
        // Unreachable a little before the session goes, so no introduction races the close.
        .thenCompose(v -> after(300));
  }

  /** Another live P2P actor's peer id, retried every 200 ms; null if none came. */
  private CompletableFuture<byte[]> partner(RtmfpClient self, int tries) {
    List<byte[]> others = new ArrayList<>();
    livePeers.forEach((c, id) -> {
      if (c != self) {
        others.add(id);
      }
    });
    if (!others.isEmpty()) {
      return CompletableFuture.completedFuture(others.get(ThreadLocalRandom.current().nextInt(others.size())));
    }
    if (tries <= 0 || !launching) {
      return CompletableFuture.completedFuture(null);
    }
    return after(200).thenCompose(v -> partner(self, tries - 1));
  }

  /** Close (or vanish), then give back what the actor held. Never fails. */
  private CompletableFuture<Void> end(Actor a) {
    CompletableFuture<Void> closed;
    if (a.nc != null && a.vanish) {
      closed = CompletableFuture.runAsync(() -> {
        silence(a.own);
        vanished.increment();
      }, worker);
    } else if (a.nc != null) {
      closed = a.nc.close().orTimeout(STEP_TIMEOUT_S, TimeUnit.SECONDS).handle((v, err) -> {
        if (err == null) {
          closedOk.increment();
        } else {
          closeFailed.increment();
          error("close", err);
        }
        return null;
      });
    } else {
      closed = CompletableFuture.completedFuture(null);
    }
    return closed.thenCompose(v -> a.own == null ? CompletableFuture.<Void>completedFuture(null)
        : CompletableFuture.runAsync(a.own::close, worker));
  }

  /** The client goes away as a crashed one does (no close sent): the node must time its sessions out. */
  private void silence(RtmfpClient c) {
    try {
      c.abandon();
    } catch (RuntimeException e) {
      error("vanish", e);
    }
  }

  private static Throwable cause(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void error(String stage, Throwable err) {
    Throwable c = cause(err);
    String msg = c instanceof TimeoutException ? "timeout" : String.valueOf(c.getMessage());
    if (msg.length() > 80) {
      msg = msg.substring(0, 80);
    }
    String key = stage + ": " + c.getClass().getSimpleName() + " " + msg;
    LongAdder n = errors.get(key);
    if (n == null && errors.size() >= 50) {
      key = stage + ": (other)";
    }
    errors.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  // ---- the tool's own resources ----

  static long selfFds() {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count() - 1; // the listing's own fd
    } catch (IOException e) {
      return -1;
    }
  }

  private void sampleSelf() {
    long[] s = {selfFds(), ManagementFactory.getThreadMXBean().getThreadCount()};
    synchronized (selfSamples) {
      selfSamples.add(s);
    }
  }

  private void progress(long start) {
    sampleSelf();
    long[] s;
    synchronized (selfSamples) {
      s = selfSamples.get(selfSamples.size() - 1);
    }
    StringBuilder k = new StringBuilder();
    for (Kind kind : kinds) {
      KindStats st = stats.get(kind);
      k.append(' ').append(kind.name().toLowerCase(Locale.ROOT)).append('=').append(st.ok.sum()).append('/')
          .append(st.failed.sum());
    }
    Runtime rt = Runtime.getRuntime();
    out.printf(Locale.ROOT, "t=%4ds started=%d live=%d connect ok=%d fail=%d p50=%.1fms p99=%.1fms |%s vanished=%d"
        + " | tool fds=%d threads=%d heap=%dMB%n",
        (System.nanoTime() - start) / 1_000_000_000L, launched.get(), live.get(), connectOk.sum(), connectFailed.sum(),
        connectLatency.percentile(50), connectLatency.percentile(99), k, vanished.sum(), s[0], s[1],
        (rt.totalMemory() - rt.freeMemory()) >> 20);
  }

  // ---- report ----

  private Map<String, Object> report(long start, long end, int liveAtEnd) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("mode", "churn");
    r.put("url", o.url);
    r.put("rate", o.rate);
    r.put("durationS", (double) o.durationSeconds);
    r.put("elapsedS", (end - start) / 1e9);
    r.put("maxLive", o.maxLive);
    r.put("holdS", o.holdSeconds);
    r.put("vanishFraction", o.vanishFraction);
    r.put("mix", o.mix);
    r.put("sockets", o.sockets);
    r.put("peerSockets", o.peerSockets);
    Map<String, Object> act = new LinkedHashMap<>();
    act.put("launched", launched.get());
    act.put("skippedAtMaxLive", skippedFull.sum());
    act.put("maxLiveSeen", maxLiveSeen.get());
    act.put("liveAtEnd", liveAtEnd);
    r.put("actors", act);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("attempted", (int) (connectOk.sum() + connectFailed.sum()));
    c.put("succeeded", (int) connectOk.sum());
    c.put("failed", (int) connectFailed.sum());
    c.put("setPeerInfoFailed", peerInfoFailed.sum());
    Map<String, Object> lat = new LinkedHashMap<>();
    lat.put("count", connectLatency.count());
    lat.put("p50", connectLatency.percentile(50));
    lat.put("p99", connectLatency.percentile(99));
    lat.put("max", connectLatency.max());
    lat.put("mean", connectLatency.mean());
    c.put("latencyMs", lat);
    r.put("connect", c);
    Map<String, Object> ks = new LinkedHashMap<>();
    long failures = connectFailed.sum();
    for (Kind kind : kinds) {
      KindStats st = stats.get(kind);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("started", st.started.sum());
      m.put("ok", st.ok.sum());
      m.put("failed", st.failed.sum());
      m.put("skipped", st.skipped.sum());
      ks.put(kind.name().toLowerCase(Locale.ROOT), m);
      failures += st.failed.sum();
    }
    r.put("kinds", ks);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("callErrorAnswers", callErrors.sum());
    d.put("framesSent", framesSent.sum());
    d.put("framesReceived", framesReceived.sum());
    d.put("playsWithMedia", playsWithMedia.sum());
    d.put("groupPeersSeen", groupPeersSeen.sum());
    d.put("p2pIncoming", p2pIncoming.sum());
    r.put("details", d);
    Map<String, Object> cl = new LinkedHashMap<>();
    cl.put("closed", closedOk.sum());
    cl.put("closeFailed", closeFailed.sum());
    cl.put("vanished", vanished.sum());
    r.put("ends", cl);
    r.put("failures", failures + closeFailed.sum());
    r.put("tool", toolReport());
    Map<String, Object> e = new LinkedHashMap<>();
    errors.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue().sum(), x.getValue().sum()))
        .forEach(x -> e.put(x.getKey(), x.getValue().sum()));
    r.put("errors", e);
    return r;
  }

  /** The tool's fds and threads: first sample, the one after a minute of warm-up, the last, the max. */
  private Map<String, Object> toolReport() {
    List<long[]> s;
    synchronized (selfSamples) {
      s = new ArrayList<>(selfSamples);
    }
    Map<String, Object> t = new LinkedHashMap<>();
    String[] names = {"fds", "threads"};
    for (int i = 0; i < names.length; i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      long max = 0;
      for (long[] x : s) {
        max = Math.max(max, x[i]);
      }
      m.put("start", s.get(0)[i]);
      m.put("afterWarmup", s.get(Math.min(s.size() - 1, 6))[i]); // the 60 s sample
      m.put("end", s.get(s.size() - 1)[i]);
      m.put("max", max);
      t.put(names[i], m);
    }
    return t;
  }

  @SuppressWarnings("unchecked")
  private void printTable(Map<String, Object> r) {
    out.println("---- altocumulus-bench churn " + r.get("url") + " ----");
    out.printf(Locale.ROOT, "elapsed            %.1f s at %.1f actors/s, hold ~%.1f s, max live %s (seen %s)%n",
        (Double) r.get("elapsedS"), o.rate, o.holdSeconds, o.maxLive, ((Map<String, Object>) r.get("actors")).get("maxLiveSeen"));
    Map<String, Object> c = (Map<String, Object>) r.get("connect");
    Map<String, Object> lat = (Map<String, Object>) c.get("latencyMs");
    out.printf(Locale.ROOT, "connects           %s ok / %s failed (setPeerInfo failed %s), skipped at max live %s%n",
        c.get("succeeded"), c.get("failed"), c.get("setPeerInfoFailed"),
        ((Map<String, Object>) r.get("actors")).get("skippedAtMaxLive"));
    out.printf(Locale.ROOT, "connect latency    p50 %.1f ms  p99 %.1f ms  max %.1f ms%n", lat.get("p50"), lat.get("p99"), lat.get("max"));
    ((Map<String, Object>) r.get("kinds")).forEach((k, v) -> {
      Map<String, Object> m = (Map<String, Object>) v;
      out.printf(Locale.ROOT, "%-18s %s ok / %s failed of %s (skipped %s)%n", k, m.get("ok"), m.get("failed"), m.get("started"),
          m.get("skipped"));
    });
    out.println("details            " + r.get("details"));
    out.println("ends               " + r.get("ends"));
    out.println("tool               " + r.get("tool"));
    Map<String, Object> e = (Map<String, Object>) r.get("errors");
    if (!e.isEmpty()) {
      out.println("errors             " + e);
    }
  }

  void shutdown() {
    launching = false;
    timer.shutdownNow();
    for (RtmfpClient c : shared) {
      c.close();
    }
    for (RtmfpClient c : peers) {
      c.close();
    }
    worker.shutdown();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
