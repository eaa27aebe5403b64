package io.altocumulus.edge.node;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.config.ConfigException;
import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.lua.LuaHost;
import io.altocumulus.edge.lua.io.LuaIo;
import io.altocumulus.edge.lua.io.Mailer;
import io.altocumulus.edge.net.Blacklist;
import io.altocumulus.edge.metrics.EdgeMetrics;
import io.altocumulus.edge.metrics.NodeMetrics;
import io.altocumulus.edge.net.UdpNode;
import io.altocumulus.edge.stream.RelayConfig;
import io.altocumulus.edge.stream.StreamRegistry;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.handshake.ServerKeys;
import io.altocumulus.rtmfp.session.EndpointConfig;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.wire.PeerAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An edge node on the embedded default: the Netty UDP node, one {@link RtmfpEndpoint} per event
 * loop, the crypto worker pool for Diffie-Hellman, and the applications folder.
 */
public final class EdgeNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

  /** What embedding code and tests may set beyond the configuration file. */
  public static final class Options {
    Applications applications;
    Consumer<EndpointConfig> endpointConfig = c -> {};
    boolean forceNio;
    io.altocumulus.rendezvous.Rendezvous rendezvous;

    public Options applications(Applications a) {
      this.applications = a;
      return this;
    }

    public Options endpointConfig(Consumer<EndpointConfig> c) {
      this.endpointConfig = c;
      return this;
    }

    /** The rendezvous service (peer directory, groups); null means the in-process one. */
    public Options rendezvous(io.altocumulus.rendezvous.Rendezvous r) {
      this.rendezvous = r;
      return this;
    }

    public Options forceNio(boolean f) {
      this.forceNio = f;
      return this;
    }
  }

  private final NodeConfig config;
  private final DropCounters drops = new DropCounters();
  private final ThreadPoolExecutor crypto;
  private final ServerIdentity identity;
  private final Applications applications;
  private final StreamRegistry streams;
  private final EdgeLoop[] loops;
  private final UdpNode udp;
  private final String edgeId;
  private final io.altocumulus.rendezvous.Rendezvous rendezvous;
  private final boolean ownsRendezvous;
  private final io.altocumulus.edge.group.NetGroups groups;
  private final LuaHost lua;
  /** Lua sockets and sendMail (CUMULUS-FEATURES §5.13-5.15): no thread until a script uses them. */
  private final LuaIo luaIo;
  private final NodeMetrics metrics;
  private final EdgeMetrics edgeMetrics;
  private final io.altocumulus.edge.p2p.Introducer introducer;
  /** The cluster side (issue 6) when {@code cluster.zookeeper} is set, else null. */
  private final io.altocumulus.edge.cluster.EdgeCluster cluster;

  private EdgeNode(NodeConfig config, Options options) throws IOException {
    this.config = config;
    this.identity = ServerIdentity.generate(new SecureRandom());
    this.applications = options.applications != null ? options.applications : new Applications(config.www());
    int cores = Runtime.getRuntime().availableProcessors();
    AtomicInteger n = new AtomicInteger();
    // Bounded queue: when handshakes arrive faster than DH can be computed, the excess is shed
    // (counted as HANDSHAKE_OVERLOAD) instead of queueing without end.
    this.crypto = new ThreadPoolExecutor(cores, cores, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4096 * cores), r -> {
      Thread t = new Thread(r, "rtmfp-crypto-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.metrics = new NodeMetrics();
    this.edgeMetrics = new EdgeMetrics(metrics);
    java.util.concurrent.Executor timedCrypto = edgeMetrics.timeHandshakes(crypto);
    ServerKeys keys = new ServerKeys();
    List<PeerAddress> redirectTo = parseRedirect(config.raw().get("redirectTo"));
    EndpointConfig ec = new EndpointConfig();
    ec.keepAliveServerSeconds = (int) config.keepAliveServer().toSeconds();
    ec.keepAlivePeerSeconds = (int) config.keepAlivePeer().toSeconds();
    long maxSessions = endpointLimits(config, ec);
    options.endpointConfig.accept(ec);
    this.streams = new StreamRegistry(relayConfig(config));
    // Rendezvous: the given service, else the in-process one (no network hop), owned and closed here.
    this.edgeId = "edge-" + java.util.HexFormat.of().formatHex(identity.peerId(), 0, 8);
    // With cluster.zookeeper: the rendezvous shards of the cluster (owned by the cluster side).
    this.cluster = io.altocumulus.edge.cluster.EdgeCluster.prepare(config.raw()).orElse(null);
    this.ownsRendezvous = options.rendezvous == null && cluster == null;
    this.rendezvous = options.rendezvous != null ? options.rendezvous
        : cluster != null ? cluster.rendezvous() : new io.altocumulus.rendezvous.local.LocalRendezvous(rendezvousLimits(config.raw()));
    this.groups = new io.altocumulus.edge.group.NetGroups(rendezvous.groups(), edgeId,
        io.altocumulus.edge.group.GroupLimits.from(config), drops);
    // P2P introductions (RTMFP-WIRE §6.3): node-local index, cluster directory when there is one.
    this.introducer = new io.altocumulus.edge.p2p.Introducer(new io.altocumulus.edge.p2p.PeerIndex(),
        new io.altocumulus.edge.p2p.TagAttempts(65_536, ec.cookieLifetimeNanos), applications,
        rendezvous.peers(), edgeId, System::nanoTime);
    rendezvous.attach(edgeId, new io.altocumulus.rendezvous.EdgeCallbacks() {
      @Override
      public void onIntroduction(io.altocumulus.rendezvous.Introduction introduction) {
        introducer.onIntroduction(introduction);
      }

      @Override
      public void onGroupNeighbour(io.altocumulus.rendezvous.Key group, io.altocumulus.rendezvous.Key member,
          io.altocumulus.rendezvous.Key neighbour) {
        groups.onGroupNeighbour(group, member, neighbour);
      }

      @Override
      public void onResyncNeeded() {
        introducer.onResyncNeeded();
        groups.resync();
      }
    });
    EdgePolicy policy = new EdgePolicy(identity, applications, streams, drops, redirectTo, introducer,
        ec.keepAliveServerSeconds * 1000, ec.keepAlivePeerSeconds * 1000, edgeMetrics);
    policy.groups = groups;
    if (cluster != null) {
      policy.loadRedirect = cluster::loadRedirect;
    }
    this.loops = new EdgeLoop[256];
    this.udp = new UdpNode(config, (loopIndex, loopCount, out, loopExecutor) -> {
      if (maxSessions > 0) {
        // sessions.max is per node; each loop holds its share (a session lives on one loop).
        ec.maxSessions = (int) Math.max(1, (maxSessions + loopCount - 1) / loopCount);
      }
      EdgeLoop loop = new EdgeLoop(out);
      RtmfpEndpoint ep = new RtmfpEndpoint(ec, System::nanoTime, loop::send, timedCrypto,
          r -> loopExecutor.execute(() -> {
            r.run();
            loop.flushAll();
          }),
          drops, loopIndex, loopCount, identity, keys, policy);
      loop.bind(ep);
      loops[loopIndex] = loop;
      return loop;
    }, UdpNode.DEFAULT_TICK_MILLIS, options.forceNio);
    this.luaIo = new LuaIo(Mailer.Config.of(config));
    this.lua = luaHost(config, applications, udp, luaIo, streams, groups);
    // cumulus.servers (empty when the node runs alone); its link events come from the cluster.
    io.altocumulus.edge.lua.LuaServers luaServers = lua == null ? null : io.altocumulus.edge.lua.LuaServers.install(lua);
    if (cluster != null && luaServers != null) {
      cluster.linkListeners().add(luaServers); // before the cluster starts: it sees the first linkUp
    }
    udp.start();
    edgeMetrics.bind(udp.stats(), drops, streams, this::sessionCount, this::handshakesInFlight,
        (long) ec.maxSessions * udp.loopCount());
    edgeMetrics.bindServices(this::endpoints, streams, lua, luaIo.stats(), introducer, groups, rendezvous);
    if (cluster != null) {
      try {
        cluster.start(new io.altocumulus.edge.cluster.EdgeCluster.Edge(localAddress(),
            (int) Math.min(Integer.MAX_VALUE, (long) ec.maxSessions * udp.loopCount()), this::sessionCount,
            edgeMetrics::hellosAnswered, metrics));
        if (luaServers != null) {
          luaServers.attach(cluster.node().links()); // app sync: announces the apps already running
        }
      } catch (IOException | RuntimeException e) {
        udp.close();
        crypto.shutdownNow();
        cluster.close();
        throw e;
      }
    }
    if (config.metricsPort() > 0) {
      try {
        metrics.serve(config.metricsHost(), config.metricsPort());
      } catch (IOException e) {
        udp.close();
        crypto.shutdownNow();
        throw new IOException("metrics.port " + config.metricsPort() + ": cannot serve /metrics: " + e.getMessage(), e);
      }
      LOG.info("metrics served at http://{}:{}/metrics",
          config.metricsHost().isEmpty() ? "*" : config.metricsHost(), metrics.httpPort());
    }
    LOG.info("RTMFP edge listening on {} ({} event loops, epoll {}), applications in {}",
        udp.boundAddresses(), udp.loopCount(), udp.isEpoll(), applications.www());
    if (!redirectTo.isEmpty()) {
      LOG.info("every client is redirected to {}", redirectTo);
    }
  }

  public static EdgeNode start(NodeConfig config) throws IOException {
    return new EdgeNode(config, new Options());
  }

  public static EdgeNode start(NodeConfig config, Options options) throws IOException {
    return new EdgeNode(config, options);
  }

  /** {@code host:port[;host:port...]}: answer every IHello with a Redirect there (RTMFP-WIRE §4.10). */
  static List<PeerAddress> parseRedirect(String value) {
    List<PeerAddress> out = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return out;
    }
    for (String part : value.split("[;,]")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int colon = p.lastIndexOf(':');
      if (colon <= 0) {
        throw new ConfigException("redirectTo", "redirectTo=" + value + " is invalid: each entry must be host:port");
      }
      String host = p.substring(0, colon).replace("[", "").replace("]", "");
      int port;
      try {
        port = Integer.parseInt(p.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new ConfigException("redirectTo", "redirectTo=" + value + " has a port out of range: valid 1..65535");
      }
      // Public addresses of other edges: origin 2 (REAL-CLIENTS.md §6).
      out.add(new PeerAddress(new InetSocketAddress(host, port), PeerAddress.ORIGIN_OBSERVED));
    }
    return out;
  }

  /**
   * Session bounds (issue 8, resource bounds; ops/OPERATOR-GUIDE.md "Resource bounds"):
   * {@code session.maxFlows} (incoming flows per session, refused with LIMIT_EXCEEDED),
   * {@code flow.maxBufferedBytes} / {@code flow.maxMessageBytes} / {@code flow.maxFragments}
   * (reassembly per flow, RecvLimits), {@code handshake.perIpRate} / {@code handshake.perIpBurst}
   * (session-id-0 datagrams per source IP, refused with RATE_LIMITED). Answers {@code sessions.max} (per node, refused with
   * CAPACITY) or 0 when unset: the per-loop share is set once the loop count is known.
   */
  static long endpointLimits(NodeConfig config, EndpointConfig ec) {
    ec.maxFlowsPerSession = (int) longKey(config, "session.maxFlows", ec.maxFlowsPerSession, 1, 65_535, "flows");
    io.altocumulus.rtmfp.flow.RecvLimits r = ec.recvLimits;
    long buffered = longKey(config, "flow.maxBufferedBytes", r.maxBufferedBytes(), 4096, 1L << 30, "bytes");
    int message = (int) longKey(config, "flow.maxMessageBytes", r.maxMessageBytes(), 1024, 1 << 30, "bytes");
    int fragments = (int) longKey(config, "flow.maxFragments", r.maxBufferedFragments(), 16, 1_000_000, "fragments");
    ec.recvLimits = new io.altocumulus.rtmfp.flow.RecvLimits(fragments, message, buffered);
    // Per-source-IP IHello token bucket (HelloRateLimiter): keep it below what the node can answer.
    ec.helloRatePerSecond = (int) longKey(config, "handshake.perIpRate", ec.helloRatePerSecond, 0, 1_000_000,
        "IHellos per second per source IP, 0 = off");
    ec.helloBurst = (int) longKey(config, "handshake.perIpBurst", ec.helloBurst, 1, 10_000_000, "IHellos");
    return longKey(config, "sessions.max", 0, 1, 100_000_000, "sessions per node");
  }

  /** rendezvous.maxPeers (1..10^8), rendezvous.maxGroups (1..10^7), rendezvous.maxMembers (1..10^6). */
  public static io.altocumulus.rendezvous.local.LocalRendezvous.Limits rendezvousLimits(java.util.Map<String, String> raw) {
    var d = io.altocumulus.rendezvous.local.LocalRendezvous.Limits.DEFAULT;
    return new io.altocumulus.rendezvous.local.LocalRendezvous.Limits(
        (int) rawKey(raw, "rendezvous.maxPeers", d.maxPeers(), 1, 100_000_000),
        (int) rawKey(raw, "rendezvous.maxGroups", d.maxGroups(), 1, 10_000_000),
        (int) rawKey(raw, "rendezvous.maxMembers", d.maxMembersPerGroup(), 1, 1_000_000));
  }

  private static long rawKey(java.util.Map<String, String> raw, String key, long def, long min, long max) {
    String v = raw.get(key);
    if (v == null || v.isBlank()) {
      return def;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, key + "=" + v + " is not a number: valid " + min + ".." + max);
    }
    if (n < min || n > max) {
      throw new ConfigException(key, key + "=" + v + " is out of range: valid " + min + ".." + max);
    }
    return n;
  }

  /** relay.audioDeadline / relay.videoDeadline (ms, 50..60000) and relay.queueLimit (bytes). */
  static RelayConfig relayConfig(NodeConfig config) {
    long audio = longKey(config, "relay.audioDeadline", RelayConfig.DEFAULT.audioDeadlineMillis(), 50, 60_000, "ms");
    long video = longKey(config, "relay.videoDeadline", RelayConfig.DEFAULT.videoDeadlineMillis(), 50, 60_000, "ms");
    long queue = longKey(config, "relay.queueLimit", RelayConfig.DEFAULT.queueLimitBytes(), 16_384, 1L << 30, "bytes");
    return new RelayConfig(audio, video, queue);
  }

  private static long longKey(NodeConfig config, String key, long def, long min, long max, String unit) {
    return config.longKey(key, def, min, max, unit);
  }


  /**
   * The Lua host (CUMULUS-FEATURES §3): serves www/ folders that have a main.lua, unless the
   * embedding code registered its own applications object ({@code lua.enabled=false} turns it off).
   */
  private static LuaHost luaHost(NodeConfig config, Applications applications, UdpNode udp, LuaIo luaIo,
      StreamRegistry streams, io.altocumulus.edge.group.NetGroups groups) {
    if ("false".equalsIgnoreCase(config.raw().getOrDefault("lua.enabled", "true").trim())) {
      return null;
    }
    Blacklist blacklist = new Blacklist();
    udp.blacklist(blacklist);
    LuaHost host = new LuaHost(applications.www(), config.raw(), blacklist);
    host.localAddress(() -> {
      InetSocketAddress a = udp.boundAddresses().get(0);
      return a.getAddress().isAnyLocalAddress() ? new InetSocketAddress("127.0.0.1", a.getPort()) : a;
    });
    io.altocumulus.edge.lua.LuaStreams.install(host, streams); // cumulus.publications, cumulus:publish
    io.altocumulus.edge.lua.LuaGroups.install(host, groups); // cumulus.groups
    applications.scripts(host).nodeHooks(host);
    // cumulus:createTCPClient/createTCPServer/createUDPSocket/sendMail, on the Lua thread before any script runs.
    host.submit(() -> luaIo.install(host, host.cumulus().table())).join();
    return host.start();
  }

  /** The Lua host (the {@link io.altocumulus.edge.lua.LuaRuntime} bindings use), or null when off. */
  public LuaHost lua() {
    return lua;
  }

  public StreamRegistry streams() {
    return streams;
  }

  /** The node's NetGroups (Lua {@code cumulus.groups}). */
  public io.altocumulus.edge.group.NetGroups groups() {
    return groups;
  }

  /** This node's id toward the rendezvous service. */
  public String edgeId() {
    return edgeId;
  }

  /** The cluster side (membership, links, load redirect), or null when the node runs alone. */
  public io.altocumulus.edge.cluster.EdgeCluster cluster() {
    return cluster;
  }

  public io.altocumulus.rendezvous.Rendezvous rendezvous() {
    return rendezvous;
  }

  public List<InetSocketAddress> addresses() {
    return udp.boundAddresses();
  }

  /** The first bound address, with a loopback host when bound to the wildcard (for local clients). */
  public InetSocketAddress localAddress() {
    InetSocketAddress a = udp.boundAddresses().get(0);
    if (a.getAddress().isAnyLocalAddress()) {
      return new InetSocketAddress("127.0.0.1", a.getPort());
    }
    return a;
  }

  /** The node's metrics registry: other layers register theirs here in one line (see NodeMetrics). */
  public NodeMetrics metrics() {
    return metrics;
  }

  public EdgeMetrics edgeMetrics() {
    return edgeMetrics;
  }

  /** P2P introductions: the local peer index and counters. */
  public io.altocumulus.edge.p2p.Introducer introducer() {
    return introducer;
  }

  public DropCounters drops() {
    return drops;
  }

  public ServerIdentity identity() {
    return identity;
  }

  public UdpNode udp() {
    return udp;
  }

  public Applications applications() {
    return applications;
  }

  public NodeConfig config() {
    return config;
  }

  /** Sessions across all loops, as of each loop's last tick (10 ms). */
  public int sessionCount() {
    int total = 0;
    for (EdgeLoop l : loops) {
      if (l != null) {
        total += l.sessions();
      }
    }
    return total;
  }

  /** Each event loop's endpoint; other threads may only read their counters (metrics). */
  public List<RtmfpEndpoint> endpoints() {
    List<RtmfpEndpoint> out = new ArrayList<>();
    for (EdgeLoop l : loops) {
      if (l != null) {
        out.add(l.endpoint());
      }
    }
    return out;
  }

  /** Handshake records (proven cookies) held across loops: state an unproven source cannot create. */
  public int handshakeRecords() {
    int total = 0;
    for (EdgeLoop l : loops) {
      if (l != null) {
        total += l.handshakeRecords();
      }
    }
    return total;
  }

  public int handshakesInFlight() {
    int total = 0;
    for (EdgeLoop l : loops) {
      if (l != null) {
        total += l.handshakesInFlight();
      }
    }
    return total;
  }

  /** Clean shutdown: every session is sent a close request, then sockets and pools stop. */
  @Override
  public void close() {
    if (cluster != null) {
      cluster.close(); // deregister first: other edges stop redirecting clients here
    }
    udp.close();
    if (lua != null) {
      lua.close();
    }
    luaIo.close();
    crypto.shutdownNow();
    if (ownsRendezvous) {
      rendezvous.close();
    }
    metrics.close();
    LOG.info("RTMFP edge stopped");
  }
}
