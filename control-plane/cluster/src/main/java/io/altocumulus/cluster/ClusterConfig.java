package io.altocumulus.cluster;

import io.altocumulus.proto.cluster.v1.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The control-plane keys of a node's INI file (issue 6), parsed from the raw {@code section.key}
 * map. Keys are case-insensitive (as the rest of the INI file); node property names keep their
 * case. Absent {@code cluster.zookeeper} means no cluster: {@link #fromIni} gives empty and the
 * node runs alone (ARCHITECTURE.md "One process, embedded default").
 *
 * <pre>
 * cluster.zookeeper                  (none)     ZooKeeper connect string host:port[,host:port...][/chroot],
 *                                               or "embedded" (single-node server in this process)
 * cluster.name                       altocumulus  [A-Za-z0-9._-]{1,64}; root znode /&lt;name&gt;
 * cluster.zookeeper.auth             (none)     user:password, ZooKeeper digest auth; the cluster's
 *                                               znodes then carry an ACL only this identity can write
 * cluster.zookeeper.world_read       false      with auth: let anyone read the registrations
 * cluster.zookeeper.session_timeout  10000      1000..300000 ms; a dead node leaves every view
 *                                               within this plus about a second
 * cluster.zookeeper.connection_timeout 5000     500..120000 ms
 * cluster.zookeeper.embedded.port    2181       1..65535 (with cluster.zookeeper=embedded)
 * cluster.zookeeper.embedded.dir     &lt;tmp&gt;/altocumulus-zookeeper-&lt;node.id&gt;
 * cluster.load.interval              5000       1000..600000 ms: the load snapshot is written to
 *                                               ZooKeeper at most this often
 * cluster.link.grace                 2000       0..60000 ms a link outlives its peer's registration
 *                                               (a peer re-registering after a ZooKeeper outage
 *                                               keeps its link)
 * cluster.tls.cert / .key / .ca      (none)     PEM files: this node's certificate chain, its
 *                                               PKCS#8 private key, the cluster CA. All three or
 *                                               none; with them the gRPC server requires client
 *                                               certificates signed by the CA (mutual TLS)
 * node.id                            (required) [A-Za-z0-9._-]{1,64}
 * node.roles                         edge       comma list of edge, rendezvous
 * node.capacity                      0          0..100000000 sessions; 0 = no limit
 * node.weight                        100        0..10000; share of redirected clients
 * node.property.&lt;name&gt;              properties shown to Lua as server.&lt;name&gt; on other nodes
 * grpc.host                          0.0.0.0    bind address of the gRPC server
 * grpc.port                          7935       0..65535 (0 = any free port)
 * grpc.address                       host:port other nodes dial; default grpc.host (127.0.0.1
 *                                               when it is the wildcard) and the bound port
 * publicAddress                      host:port Flash clients are redirected to; default
 *                                               &lt;grpc address host&gt;:&lt;port&gt;
 * port                               1935       the node's RTMFP port (for the default above)
 * </pre>
 */
public record ClusterConfig(
    String zookeeper,
    String clusterName,
    Optional<String> zookeeperAuth,
    boolean zookeeperWorldRead,
    Duration sessionTimeout,
    Duration connectionTimeout,
    int embeddedZooKeeperPort,
    Path embeddedZooKeeperDir,
    Duration loadInterval,
    Duration linkGrace,
    Optional<Tls> tls,
    String nodeId,
    Set<Role> roles,
    int capacity,
    int weight,
    Map<String, String> properties,
    String grpcHost,
    int grpcPort,
    Optional<String> grpcAddress,
    Optional<String> publicAddress,
    int rtmfpPort) {

  public static final String EMBEDDED = "embedded";
  public static final int DEFAULT_GRPC_PORT = 7935;

  /** PEM files for mutual TLS on the gRPC links and admin service. */
  public record Tls(Path certChain, Path privateKey, Path trustCa) {}

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):([0-9]{1,5})");
  private static final Pattern CONNECT = Pattern.compile("[A-Za-z0-9._:\\[\\],-]+(/[A-Za-z0-9._/-]*)?");
  private static final String PROPERTY_PREFIX = "node.property.";

  public ClusterConfig {
    roles = Collections.unmodifiableSet(roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles));
    properties = Collections.unmodifiableMap(new TreeMap<>(properties));
  }

  /** True when {@code cluster.zookeeper=embedded}: the node starts its own ZooKeeper server. */
  public boolean embeddedZooKeeper() {
    return EMBEDDED.equals(zookeeper);
  }

  /** True when the node is a redirect target. */
  public boolean isEdge() {
    return roles.contains(Role.ROLE_EDGE);
  }

  /**
   * Parses the cluster keys; empty when {@code cluster.zookeeper} is absent or blank.
   *
   * @throws ClusterConfigException naming the first bad key
   */
  public static Optional<ClusterConfig> fromIni(Map<String, String> ini) {
    Map<String, String> keys = new TreeMap<>();
    Map<String, String> props = new TreeMap<>();
    for (Map.Entry<String, String> e : ini.entrySet()) {
      String lower = e.getKey().trim().toLowerCase(Locale.ROOT);
      String value = e.getValue() == null ? "" : e.getValue().trim();
      if (lower.startsWith(PROPERTY_PREFIX)) {
        String name = e.getKey().trim().substring(PROPERTY_PREFIX.length());
        if (!NAME.matcher(name).matches()) {
          throw new ClusterConfigException(e.getKey(), e.getKey() + ": property name must match "
              + NAME.pattern());
        }
        props.put(name, value);
      } else {
        keys.put(lower, value);
      }
    }
    String zk = keys.getOrDefault("cluster.zookeeper", "");
    if (zk.isEmpty()) {
      return Optional.empty();
    }
    if (!zk.equals(EMBEDDED) && !CONNECT.matcher(zk).matches()) {
      throw new ClusterConfigException("cluster.zookeeper", "cluster.zookeeper=" + zk
          + " is not a ZooKeeper connect string: host:port[,host:port...][/chroot] or embedded");
    }
    String clusterName = name(keys, "cluster.name", "altocumulus");
    Optional<String> auth = Optional.ofNullable(keys.get("cluster.zookeeper.auth"))
        .filter(s -> !s.isEmpty());
    if (auth.isPresent()) {
      int colon = auth.get().indexOf(':');
      if (colon <= 0 || colon == auth.get().length() - 1) {
        throw new ClusterConfigException("cluster.zookeeper.auth",
            "cluster.zookeeper.auth must be user:password (ZooKeeper digest), both non-empty");
      }
    }
    boolean worldRead = bool(keys, "cluster.zookeeper.world_read", false);
    Duration session = Duration.ofMillis(range(keys, "cluster.zookeeper.session_timeout", 10_000, 1_000, 300_000, "ms"));
    Duration connection = Duration.ofMillis(range(keys, "cluster.zookeeper.connection_timeout", 5_000, 500, 120_000, "ms"));
    int zkPort = range(keys, "cluster.zookeeper.embedded.port", 2181, 1, 65535, "");
    String nodeId = keys.get("node.id");
    if (nodeId == null || nodeId.isEmpty()) {
      throw new ClusterConfigException("node.id", "node.id is required with cluster.zookeeper: "
          + "a name unique in the cluster, " + NAME.pattern());
    }
    nodeId = name(keys, "node.id", nodeId);
    Path zkDir = keys.containsKey("cluster.zookeeper.embedded.dir")
        ? Path.of(keys.get("cluster.zookeeper.embedded.dir"))
        : Path.of(System.getProperty("java.io.tmpdir"), "altocumulus-zookeeper-" + nodeId);
    Duration loadInterval = Duration.ofMillis(range(keys, "cluster.load.interval", 5_000, 1_000, 600_000, "ms"));
    Duration grace = Duration.ofMillis(range(keys, "cluster.link.grace", 2_000, 0, 60_000, "ms"));
    Optional<Tls> tls = tls(keys);
    Set<Role> roles = roles(keys.getOrDefault("node.roles", "edge"));
    int capacity = range(keys, "node.capacity", 0, 0, 100_000_000, "sessions");
    int weight = range(keys, "node.weight", 100, 0, 10_000, "");
    String grpcHost = keys.getOrDefault("grpc.host", "0.0.0.0");
    if (grpcHost.isEmpty()) {
      throw new ClusterConfigException("grpc.host", "grpc.host is empty: an address to bind, e.g. 0.0.0.0");
    }
    int grpcPort = range(keys, "grpc.port", DEFAULT_GRPC_PORT, 0, 65535, "");
    Optional<String> grpcAddress = hostPort(keys, "grpc.address");
    Optional<String> publicAddress = hostPort(keys, "publicaddress");
    int rtmfpPort = range(keys, "port", 1935, 1, 65535, "");
    return Optional.of(new ClusterConfig(zk, clusterName, auth, worldRead, session, connection,
        zkPort, zkDir, loadInterval, grace, tls, nodeId, roles, capacity, weight, props, grpcHost,
        grpcPort, grpcAddress, publicAddress, rtmfpPort));
  }

  /** The gRPC address other nodes dial, given the port the server actually bound. */
  public String advertisedGrpcAddress(int boundPort) {
    return grpcAddress.orElseGet(() -> {
      String host = grpcHost.equals("0.0.0.0") || grpcHost.equals("::") ? "127.0.0.1" : grpcHost;
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + boundPort;
    });
  }

  /** The RTMFP address other nodes redirect clients to. */
  public String advertisedPublicAddress(int boundGrpcPort) {
    return publicAddress.orElseGet(() -> {
      String grpc = advertisedGrpcAddress(boundGrpcPort);
      return grpc.substring(0, grpc.lastIndexOf(':')) + ":" + rtmfpPort;
    });
  }

  private static String name(Map<String, String> keys, String key, String def) {
    String v = keys.getOrDefault(key, def);
    if (!NAME.matcher(v).matches()) {
      throw new ClusterConfigException(key, key + "=" + v + " is not a valid name: " + NAME.pattern());
    }
    return v;
  }

  private static boolean bool(Map<String, String> keys, String key, boolean def) {
    String v = keys.get(key);
    if (v == null || v.isEmpty()) {
      return def;
    }
    switch (v.toLowerCase(Locale.ROOT)) {
      case "true": case "yes": case "on": case "1": return true;
      case "false": case "no": case "off": case "0": return false;
      default:
        throw new ClusterConfigException(key, key + "=" + v + " is not a boolean: true or false");
    }
  }

  private static int range(Map<String, String> keys, String key, int def, int min, int max, String unit) {
    String v = keys.get(key);
    if (v == null || v.isEmpty()) {
      return def;
    }
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ClusterConfigException(key, key + "=" + v + " is not a whole number: valid "
          + min + ".." + max + (unit.isEmpty() ? "" : " (" + unit + ")"));
    }
    if (n < min || n > max) {
      throw new ClusterConfigException(key, key + "=" + v + " is out of range: valid "
          + min + ".." + max + (unit.isEmpty() ? "" : " (" + unit + ")"));
    }
    return (int) n;
  }

  private static Optional<String> hostPort(Map<String, String> keys, String key) {
    String v = keys.get(key);
    if (v == null || v.isEmpty()) {
      return Optional.empty();
    }
    var m = HOST_PORT.matcher(v);
    if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
      throw new ClusterConfigException(key, key + "=" + v
          + " is not host:port (IPv6 as [addr]:port, port 1..65535)");
    }
    return Optional.of(v);
  }

  private static Optional<Tls> tls(Map<String, String> keys) {
    String cert = keys.getOrDefault("cluster.tls.cert", "");
    String key = keys.getOrDefault("cluster.tls.key", "");
    String ca = keys.getOrDefault("cluster.tls.ca", "");
    int given = (cert.isEmpty() ? 0 : 1) + (key.isEmpty() ? 0 : 1) + (ca.isEmpty() ? 0 : 1);
    if (given == 0) {
      return Optional.empty();
    }
    if (given != 3) {
      throw new ClusterConfigException("cluster.tls", "cluster.tls.cert, cluster.tls.key and "
          + "cluster.tls.ca go together (mutual TLS needs all three); got cert=" + cert
          + " key=" + key + " ca=" + ca);
    }
    for (String[] kv : new String[][] {{"cluster.tls.cert", cert}, {"cluster.tls.key", key}, {"cluster.tls.ca", ca}}) {
      if (!Files.isReadable(Path.of(kv[1]))) {
        throw new ClusterConfigException(kv[0], kv[0] + "=" + kv[1] + " is not a readable file");
      }
    }
    return Optional.of(new Tls(Path.of(cert), Path.of(key), Path.of(ca)));
  }

  private static Set<Role> roles(String list) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String r : list.split(",")) {
      switch (r.trim().toLowerCase(Locale.ROOT)) {
        case "edge": roles.add(Role.ROLE_EDGE); break;
        case "rendezvous": roles.add(Role.ROLE_RENDEZVOUS); break;
        default:
          throw new ClusterConfigException("node.roles", "node.roles=" + list
              + " has an unknown role '" + r.trim() + "': valid edge, rendezvous");
      }
    }
    return roles;
  }
}
