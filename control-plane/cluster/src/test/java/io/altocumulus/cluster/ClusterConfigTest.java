package io.altocumulus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.proto.cluster.v1.Role;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {
  static Map<String, String> base() {
    Map<String, String> m = new HashMap<>();
    m.put("cluster.zookeeper", "zk1:2181,zk2:2181/alto");
    m.put("node.id", "edge-1");
    return m;
  }

  @Test
  void noZooKeeperMeansNoCluster() {
    assertThat(ClusterConfig.fromIni(Map.of("node.id", "x"))).isEmpty();
  }

  @Test
  void defaultsAndCaseInsensitiveKeys() {
    Map<String, String> m = base();
    m.put("NODE.Roles", "edge, rendezvous");
    m.put("node.property.Region", "eu");
    m.put("publicAddress", "edge1.example.com:1935");
    ClusterConfig c = ClusterConfig.fromIni(m).orElseThrow();
    assertThat(c.clusterName()).isEqualTo("altocumulus");
    assertThat(c.roles()).containsExactlyInAnyOrder(Role.ROLE_EDGE, Role.ROLE_RENDEZVOUS);
    assertThat(c.properties()).containsExactly(Map.entry("Region", "eu"));
    assertThat(c.grpcPort()).isEqualTo(7935);
    assertThat(c.weight()).isEqualTo(100);
    assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.loadInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.tls()).isEmpty();
    assertThat(c.advertisedGrpcAddress(7000)).isEqualTo("127.0.0.1:7000");
    assertThat(c.advertisedPublicAddress(7000)).isEqualTo("edge1.example.com:1935");
    assertThat(c.embeddedZooKeeper()).isFalse();
  }

  @Test
  void publicAddressDefaultsToTheGrpcHostAndTheRtmfpPort() {
    Map<String, String> m = base();
    m.put("grpc.address", "10.0.0.5:7935");
    m.put("port", "1936");
    assertThat(ClusterConfig.fromIni(m).orElseThrow().advertisedPublicAddress(7935)).isEqualTo("10.0.0.5:1936");
  }

  @Test
  void badValuesNameTheKeyAndTheValidRange() {
    assertRefused("grpc.port", "70000", "grpc.port=70000 is out of range: valid 0..65535");
    assertRefused("node.weight", "-1", "node.weight=-1 is out of range: valid 0..10000");
    assertRefused("node.capacity", "lots", "node.capacity=lots is not a whole number");
    assertRefused("cluster.zookeeper.session_timeout", "500", "valid 1000..300000 (ms)");
    assertRefused("node.roles", "edge,relay", "unknown role 'relay'");
    assertRefused("node.id", "a b", "node.id=a b is not a valid name");
    assertRefused("cluster.zookeeper.auth", "nopassword", "user:password");
    assertRefused("publicAddress", "host", "is not host:port");
    assertRefused("cluster.tls.cert", "/nonexistent.pem", "go together");
    assertRefused("cluster.zookeeper", "zk 1:2181", "not a ZooKeeper connect string");
  }

  @Test
  void tlsFilesMustBeReadable() {
    Map<String, String> m = base();
    m.put("cluster.tls.cert", "/nonexistent/a.pem");
    m.put("cluster.tls.key", "/nonexistent/a.key");
    m.put("cluster.tls.ca", "/nonexistent/ca.pem");
    assertThatThrownBy(() -> ClusterConfig.fromIni(m)).isInstanceOf(ClusterConfigException.class)
        .hasMessageContaining("cluster.tls.cert=/nonexistent/a.pem is not a readable file");
  }

  @Test
  void nodeIdIsRequired() {
    assertThatThrownBy(() -> ClusterConfig.fromIni(Map.of("cluster.zookeeper", "embedded")))
        .isInstanceOf(ClusterConfigException.class).hasMessageContaining("node.id is required");
  }

  static void assertRefused(String key, String value, String message) {
    Map<String, String> m = base();
    m.put(key, value);
    assertThatThrownBy(() -> ClusterConfig.fromIni(m)).isInstanceOf(ClusterConfigException.class)
        .hasMessageContaining(message);
  }
}
