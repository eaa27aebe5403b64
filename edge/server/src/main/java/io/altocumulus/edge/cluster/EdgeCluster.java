package io.altocumulus.edge.cluster;

import io.altocumulus.cluster.ClusterConfig;
import io.altocumulus.cluster.ClusterConfigException;
import io.altocumulus.cluster.ClusterNode;
import io.altocumulus.cluster.membership.MembershipListener;
import io.altocumulus.cluster.redirect.RedirectPolicy;
import io.altocumulus.cluster.zookeeper.EmbeddedZooKeeper;
import io.altocumulus.edge.config.ConfigException;
import io.altocumulus.edge.metrics.NodeMetrics;
import io.altocumulus.proto.cluster.v1.LoadSnapshot;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import io.altocumulus.proto.cluster.v1.Role;
import io.altocumulus.rendezvous.Rendezvous;
import io.altocumulus.rendezvous.grpc.RendezvousShardService;
import io.altocumulus.rendezvous.grpc.ShardedRendezvous;
import io.altocumulus.rendezvous.local.LocalRendezvous;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.wire.PeerAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An edge as a cluster node (issue 6; ARCHITECTURE.md "Control plane"): what {@code EdgeNode}
 * starts when {@code cluster.zookeeper} is set. Two phases, because the rendezvous client is
 * needed before the UDP node exists and the registration needs the UDP node's address:
 *
 * <ol>
 *   <li>{@link #prepare}: parses the cluster keys, starts the embedded ZooKeeper server
 *       ({@code cluster.zookeeper=embedded}), builds the rendezvous client
 *       ({@link ShardedRendezvous}, shards fed from the membership) and, with role
 *       {@code rendezvous}, the shard service this node serves on its gRPC server;
 *   <li>{@link #start}: registers the node ({@link ClusterNode}) with its public address, capacity
 *       and load, and starts the timers (load snapshot each second, redirect decision each 100 ms).
 * </ol>
 *
 * <p>Load-aware redirect: {@link RedirectPolicy} is synchronized and looks at the whole view, so
 * it never runs per IHello. One timer thread asks it every {@value #REDIRECT_REFRESH_MS} ms (and
 * at once when the membership changes, so a node whose registration is gone leaves the list
 * without waiting) and publishes the answer in a volatile field: {@link #loadRedirect()} is one
 * volatile read on the event loop.
 */
public final class EdgeCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeCluster.class);
  static final long REDIRECT_REFRESH_MS = 100;
  static final long LOAD_REFRESH_MS = 1_000;

  /** What the edge gives the cluster at {@link #start}. */
  public record Edge(InetSocketAddress boundAddress, int defaultCapacity, IntSupplier sessions,
      LongSupplier hellosAnswered, NodeMetrics metrics) {}

  private final Map<String, String> ini;
  private final ClusterConfig parsed;
  private final EmbeddedZooKeeper embedded;
  private final String zooKeeperConnect;
  private final CompositeLinkListener linkListeners = new CompositeLinkListener();
  private final ShardedRendezvous rendezvous;
  private final RendezvousShardService shard;
  private final ScheduledExecutorService timer;
  private final Map<String, PeerAddress> addressCache = new ConcurrentHashMap<>();
  private volatile ClusterNode node;
  private volatile RedirectPolicy policy;
  private volatile Edge edge;
  /** Null: serve the client; else the Redirect to answer a URL IHello with. */
  private volatile HelloDecision loadRedirect;
  private volatile List<String> shardTargets = List.of();
  private volatile List<String> redirectTargets = List.of();
  private long lastHellos;
  private long lastLoadAtNanos;

  private EdgeCluster(Map<String, String> ini, ClusterConfig parsed) throws IOException {
    this.ini = ini;
    this.parsed = parsed;
    if (parsed.embeddedZooKeeper()) {
      try {
        this.embedded = EmbeddedZooKeeper.start(parsed.embeddedZooKeeperPort(), parsed.embeddedZooKeeperDir());
      } catch (Exception e) {
        throw new IOException("cluster.zookeeper=embedded: cannot start ZooKeeper on 127.0.0.1:"
            + parsed.embeddedZooKeeperPort() + " (" + parsed.embeddedZooKeeperDir() + "): " + e.getMessage(), e);
      }
      this.zooKeeperConnect = embedded.connectString();
      LOG.info("embedded ZooKeeper serving on {} (one machine only: no quorum)", zooKeeperConnect);
    } else {
      this.embedded = null;
      this.zooKeeperConnect = parsed.zookeeper();
    }
    this.shard = parsed.roles().contains(Role.ROLE_RENDEZVOUS)
        ? new RendezvousShardService(new LocalRendezvous(io.altocumulus.edge.node.EdgeNode.rendezvousLimits(ini)),
            new SecureRandom().nextLong()) : null;
    // The shard channels carry the cluster's credentials: with TLS the shards are on mTLS servers.
    this.rendezvous = new ShardedRendezvous(ShardedRendezvous.Options.DEFAULT,
        io.altocumulus.cluster.link.LinkCredentials.from(parsed.tls()).channel());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "edge-cluster-" + parsed.nodeId());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Empty when {@code cluster.zookeeper} is not set (the node runs alone, nothing changes).
   *
   * @param raw the node's configuration keys ({@code NodeConfig.raw()})
   * @throws ConfigException naming the first bad cluster key
   * @throws IOException when the embedded ZooKeeper cannot start
   */
  public static Optional<EdgeCluster> prepare(Map<String, String> raw) throws IOException {
    Map<String, String> ini = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ini.putAll(raw);
    // A one-machine trial has nobody else to hold the directory: the lone node is its shard too.
    if ("embedded".equalsIgnoreCase(ini.getOrDefault("cluster.zookeeper", "").trim())
        && !ini.containsKey("node.roles")) {
      ini.put("node.roles", "edge,rendezvous");
    }
    if ("0".equals(ini.getOrDefault("port", "").trim())) {
      ini.remove("port"); // any free port (tests): the bound one is known at start
    }
    Optional<ClusterConfig> parsed = parse(ini);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new EdgeCluster(ini, parsed.get()));
  }

  private static Optional<ClusterConfig> parse(Map<String, String> ini) {
    try {
      return ClusterConfig.fromIni(ini);
    } catch (ClusterConfigException e) {
      throw new ConfigException(e.key(), e.getMessage());
    }
  }

  /** The rendezvous the edge uses: the shards of the cluster's rendezvous nodes. Owned here. */
  public Rendezvous rendezvous() {
    return rendezvous;
  }

  /**
   * <b>Plug point for the Lua server links</b> ({@code cumulus.servers}, {@code onServerConnection},
   * {@code onServerDisconnection}, server messages): add the Lua {@code LinkListener} here before
   * {@link #start}.
   */
  public CompositeLinkListener linkListeners() {
    return linkListeners;
  }

  /** The cluster configuration as given (before {@link #start} fills in defaults). */
  public ClusterConfig config() {
    return parsed;
  }

  /** Registers this node and starts linking; returns without waiting for ZooKeeper. */
  public void start(Edge edge) throws IOException {
    this.edge = edge;
    Map<String, String> ini = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ini.putAll(this.ini);
    ini.put("port", String.valueOf(edge.boundAddress().getPort()));
    if (!ini.containsKey("publicAddress")) {
      InetSocketAddress a = edge.boundAddress();
      String host = a.getAddress().getHostAddress();
      ini.put("publicAddress", (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }
    if (!ini.containsKey("node.capacity")) {
      ini.put("node.capacity", String.valueOf(Math.min(edge.defaultCapacity(), 100_000_000)));
    }
    ClusterConfig config = parse(ini).orElseThrow();
    this.policy = RedirectPolicy.create(config.nodeId());
    this.node = ClusterNode.start(config, zooKeeperConnect, linkListeners,
        shard == null ? List.of() : List.of(shard));
    rendezvous.setShards(shardsOf(node.membership().nodes().values()));
    node.membership().addListener(new MembershipListener() {
      @Override
      public void nodeUp(NodeInfo n) {
        membershipChanged();
      }

      @Override
      public void nodeChanged(NodeInfo before, NodeInfo after) {
        membershipChanged();
      }

      @Override
      public void nodeDown(NodeInfo n) {
        membershipChanged();
      }
    });
    lastHellos = edge.hellosAnswered().getAsLong();
    lastLoadAtNanos = System.nanoTime();
    timer.scheduleWithFixedDelay(this::refreshRedirect, 0, REDIRECT_REFRESH_MS, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::refreshLoad, LOAD_REFRESH_MS, LOAD_REFRESH_MS, TimeUnit.MILLISECONDS);
    NodeMetrics m = edge.metrics();
    m.gaugeOf("rtmfp_cluster_members", "Nodes registered in this node's view of the cluster (itself included).",
        () -> node.membership().nodes().size());
    m.gaugeOf("rtmfp_zookeeper_connected", "1 while the ZooKeeper connection is up, else 0.",
        () -> node.membership().connected() ? 1 : 0);
    m.gaugeOf("rtmfp_cluster_links_up", "Server links to other nodes that are up.",
        () -> node.links().links().stream().filter(l -> l.isUp()).count());
    m.gaugeOf("rtmfp_cluster_redirecting", "1 while this node sends new clients to other edges (draining or full).",
        () -> loadRedirect != null ? 1 : 0);
    m.counterOf("rtmfp_zookeeper_writes_total", "Writes of this node's registration to ZooKeeper.",
        () -> node.membership().zooKeeperWrites());
  }

  /** The Redirect for a new client by load or drain, or null to serve it: one volatile read. */
  public HelloDecision loadRedirect() {
    return loadRedirect;
  }

  /**
   * The public addresses this node would redirect a client to now (drawn at the last refresh,
   * every {@value #REDIRECT_REFRESH_MS} ms and at each membership change), redirecting or not.
   */
  public List<String> redirectTargets() {
    return redirectTargets;
  }

  /** The running cluster node (membership, links, gRPC port); null before {@link #start}. */
  public ClusterNode node() {
    return node;
  }

  /** The rendezvous shard targets in use ({@code host:port} of the rendezvous nodes). */
  public List<String> shardTargets() {
    return shardTargets;
  }

  /** The shard this node serves (role rendezvous), else null. */
  public RendezvousShardService shard() {
    return shard;
  }

  private void membershipChanged() {
    try {
      timer.execute(() -> {
        ClusterNode n = node;
        if (n == null) {
          return;
        }
        List<String> targets = shardsOf(n.membership().nodes().values());
        if (!targets.equals(shardTargets)) {
          shardTargets = targets;
          LOG.info("rendezvous shards: {}", targets);
          rendezvous.setShards(targets);
        }
        refreshRedirect();
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // shutting down
    }
  }

  private static List<String> shardsOf(java.util.Collection<NodeInfo> nodes) {
    TreeSet<String> out = new TreeSet<>();
    for (NodeInfo n : nodes) {
      if (n.getRolesList().contains(Role.ROLE_RENDEZVOUS) && !n.getGrpcAddress().isEmpty()) {
        out.add(n.getGrpcAddress());
      }
    }
    return List.copyOf(out);
  }

  /** On the timer thread only. */
  private void refreshRedirect() {
    try {
      ClusterNode n = node;
      if (n == null) {
        return;
      }
      NodeInfo self = n.membership().self();
      boolean edgeRole = self.getRolesList().contains(Role.ROLE_EDGE);
      boolean redirect = !edgeRole || policy.shouldRedirect(self, edge.sessions().getAsInt());
      // asked every time, redirecting or not, so the eligibility hysteresis follows the view
      List<String> targets = policy.targets(n.membership().nodes().values());
      redirectTargets = targets;
      HelloDecision before = loadRedirect;
      HelloDecision next = null;
      if (redirect && !targets.isEmpty()) {
        List<PeerAddress> to = new ArrayList<>(targets.size());
        for (String t : targets) {
          PeerAddress a = address(t);
          if (a != null) {
            to.add(a);
          }
        }
        next = to.isEmpty() ? null : HelloDecision.redirect(to);
      }
      loadRedirect = next;
      if ((before == null) != (next == null)) {
        LOG.info("node {} {} new clients{}", self.getId(), next == null ? "takes" : "redirects",
            next == null ? "" : " (" + (self.getDraining() ? "draining" : edgeRole ? "over capacity" : "not an edge")
                + ") to " + targets);
      }
    } catch (RuntimeException e) {
      LOG.warn("redirect refresh failed", e);
    }
  }

  private PeerAddress address(String hostPort) {
    PeerAddress cached = addressCache.get(hostPort);
    if (cached != null) {
      return cached;
    }
    int colon = hostPort.lastIndexOf(':');
    try {
      String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
      InetSocketAddress a = new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
      if (a.isUnresolved()) {
        return null;
      }
      // public addresses of other edges: origin 2 (REAL-CLIENTS.md §6), as redirectTo
      PeerAddress p = new PeerAddress(a, PeerAddress.ORIGIN_OBSERVED);
      if (addressCache.size() < 4096) {
        addressCache.put(hostPort, p);
      }
      return p;
    } catch (RuntimeException e) {
      LOG.debug("unusable publicAddress {}: {}", hostPort, e.toString());
      return null;
    }
  }

  /** On the timer thread: records the load; Membership writes it at a bounded rate. */
  private void refreshLoad() {
    try {
      long now = System.nanoTime();
      long hellos = edge.hellosAnswered().getAsLong();
      double seconds = Math.max((now - lastLoadAtNanos) / 1e9, 0.001);
      int rate = (int) Math.min(Integer.MAX_VALUE, Math.round((hellos - lastHellos) / seconds));
      lastHellos = hellos;
      lastLoadAtNanos = now;
      node.membership().updateLoad(LoadSnapshot.newBuilder()
          .setSessions(edge.sessions().getAsInt())
          .setHandshakesPerSecond(rate)
          .setTakenAtMs(System.currentTimeMillis())
          .build());
    } catch (RuntimeException e) {
      LOG.warn("load refresh failed", e);
    }
  }

  /** Deregisters (other nodes stop redirecting here at once), then closes links, shards, ZooKeeper. */
  @Override
  public void close() {
    timer.shutdownNow();
    ClusterNode n = node;
    if (n != null) {
      n.close();
    }
    rendezvous.close();
    if (shard != null) {
      shard.local().close();
    }
    if (embedded != null) {
      embedded.close();
    }
  }
}
