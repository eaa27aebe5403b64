package io.altocumulus.tests;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

/** Cluster*IT helpers: a fast-ticking 3-server quorum and in-process edges on loopback. */
final class ClusterNodes {
  static final int SESSION_MS = 3_000;

  private ClusterNodes() {}

  /** A client on an ephemeral loopback port with a 10 s handshake timeout, closed with {@code toClose} (first). */
  static io.altocumulus.rtmfp.client.RtmfpClient client(List<AutoCloseable> toClose) throws Exception {
    io.altocumulus.rtmfp.session.EndpointConfig c = new io.altocumulus.rtmfp.session.EndpointConfig();
    c.handshakeTimeoutNanos = 10_000_000_000L;
    io.altocumulus.rtmfp.client.RtmfpClient r =
        io.altocumulus.rtmfp.client.RtmfpClient.open(new java.net.InetSocketAddress("127.0.0.1", 0), c);
    toClose.add(0, r);
    return r;
  }

  /** The node's "app" URL at its public address. */
  static String url(EdgeNode n) {
    return "rtmfp://" + publicAddress(n) + "/app";
  }

  static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /** Three servers; tickTime 200 ms so sessions of 3 s are allowed (max is 20 ticks). */
  static TestingCluster quorum() throws Exception {
    return quorum(200);
  }

  /** With {@code maxClientCnxns} connections per client address (ZooKeeper's default is 60). */
  static TestingCluster quorum(int maxClientCnxns) throws Exception {
    Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    List<InstanceSpec> specs = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      specs.add(new InstanceSpec(null, -1, -1, -1, true, i, 200, -1,
          Map.of("maxClientCnxns", String.valueOf(maxClientCnxns))));
    }
    TestingCluster c = new TestingCluster(specs);
    c.start();
    return c;
  }

  /** The keys of one node: UDP and gRPC on any free loopback port, one event loop; Lua serves www/ if it has scripts. */
  static Map<String, String> ini(String zk, String cluster, String id, String roles) {
    Map<String, String> ini = new LinkedHashMap<>();
    ini.put("host", "127.0.0.1");
    ini.put("threads", "1");
    ini.put("cluster.zookeeper", zk);
    ini.put("cluster.name", cluster);
    ini.put("cluster.zookeeper.session_timeout", String.valueOf(SESSION_MS));
    ini.put("cluster.link.grace", "500");
    ini.put("node.id", id);
    ini.put("node.roles", roles);
    ini.put("grpc.host", "127.0.0.1");
    ini.put("grpc.port", "0");
    return ini;
  }

  static EdgeNode start(Path www, Map<String, String> ini) throws Exception {
    Files.createDirectories(www.resolve("app"));
    Map<String, String> overrides = new LinkedHashMap<>(ini);
    overrides.put("www", www.toString());
    NodeConfig config = NodeConfig.fromIni("", overrides).withPort(0);
    return EdgeNode.start(config, new EdgeNode.Options().applications(new Applications(www)));
  }

  static String id(EdgeNode n) {
    return n.cluster().node().membership().selfId();
  }

  static String grpc(EdgeNode n) {
    return "127.0.0.1:" + n.cluster().node().grpcPort();
  }

  static String publicAddress(EdgeNode n) {
    return "127.0.0.1:" + n.localAddress().getPort();
  }

  /** Ids of the nodes in {@code n}'s view. */
  static List<String> view(EdgeNode n) {
    return n.cluster().node().membership().nodes().values().stream().map(NodeInfo::getId)
        .collect(Collectors.toList());
  }

  /** The addresses {@code n} would redirect to now if it were full (its policy's eligible edges). */
  static List<String> redirectAddresses(EdgeNode n) {
    var d = n.cluster().loadRedirect();
    return d == null ? List.of() : d.redirectTo().stream()
        .map(p -> "127.0.0.1:" + p.address().getPort()).collect(Collectors.toList());
  }
}
