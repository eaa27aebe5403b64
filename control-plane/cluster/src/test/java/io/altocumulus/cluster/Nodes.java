package io.altocumulus.cluster;

import java.util.HashMap;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

/** Test nodes: configs on loopback with any free gRPC port; a fast-ticking ZooKeeper quorum. */
final class Nodes {
  static final int SESSION_MS = 3_000;

  private Nodes() {}

  static Map<String, String> ini(String zk, String cluster, String id) {
    Map<String, String> ini = new HashMap<>();
    ini.put("cluster.zookeeper", zk);
    ini.put("cluster.name", cluster);
    ini.put("node.id", id);
    ini.put("grpc.host", "127.0.0.1");
    ini.put("grpc.port", "0");
    ini.put("cluster.zookeeper.session_timeout", String.valueOf(SESSION_MS));
    ini.put("cluster.zookeeper.auth", "altocumulus:secret");
    ini.put("node.property.region", "eu-" + id);
    return ini;
  }

  static ClusterConfig config(String zk, String cluster, String id) {
    return ClusterConfig.fromIni(ini(zk, cluster, id)).orElseThrow();
  }

  /** Three servers; tickTime 200 ms so sessions of 3 s are allowed (max is 20 ticks). */
  static TestingCluster quorum() throws Exception {
    java.nio.file.Files.createDirectories(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
    var specs = new java.util.ArrayList<InstanceSpec>();
    for (int i = 1; i <= 3; i++) {
      specs.add(new InstanceSpec(null, -1, -1, -1, true, i, 200, -1));
    }
    TestingCluster c = new TestingCluster(specs);
    c.start();
    return c;
  }
}
