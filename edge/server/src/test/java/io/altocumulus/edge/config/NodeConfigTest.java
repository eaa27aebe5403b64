package io.altocumulus.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsAreCumulusDefaults() {
    NodeConfig c = NodeConfig.load(null, Map.of());
    Path cwd = Path.of("").toAbsolutePath();
    assertThat(c.port()).isEqualTo(1935);
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.udpBufferSize()).isZero();
    assertThat(c.keepAliveServer()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.keepAlivePeer()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.threadsSetting()).isZero();
    assertThat(c.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.publicAddress()).isEmpty();
    assertThat(c.serversPort()).isZero();
    assertThat(c.serversTargets()).isEmpty();
    assertThat(c.legacyServersWarning()).isEmpty();
    assertThat(c.smtpHost()).isEqualTo("localhost");
    assertThat(c.smtpPort()).isEqualTo(25);
    assertThat(c.smtpTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.applicationDir()).isEqualTo(cwd);
    assertThat(c.logsDirectory()).isEqualTo(cwd.resolve("logs"));
    assertThat(c.logsName()).isEqualTo("log");
    assertThat(c.www()).isEqualTo(cwd.resolve("www"));
    assertThat(c.raw()).isEmpty();
  }

  @Test
  void parsesSectionsCommentsAndCaseInsensitiveKeys() throws Exception {
    Path ini = dir.resolve("a.ini");
    Files.writeString(ini, String.join("\n",
        "; Cumulus style comment",
        "# hash comment",
        "PORT = 1936",
        "KeepAliveServer=20",
        "  keepalivepeer=  30  ",
        "publicAddress=edge1.example.com:1936",
        "application.dir=" + dir,
        "",
        "[smtp]",
        "Host=mail.example.com",
        "port=587",
        "timeout=5",
        "[logs]",
        "name=edge",
        "directory=var/log",
        "[servers]",
        "targets=10.0.0.2:1936?name=b;10.0.0.3:1936",
        "[myapp]",
        "Secret=false",
        "noequals"));
    NodeConfig c = NodeConfig.load(ini, Map.of());
    assertThat(c.port()).isEqualTo(1936);
    assertThat(c.keepAliveServer()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.keepAlivePeer()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.publicAddress()).contains("edge1.example.com:1936");
    assertThat(c.smtpHost()).isEqualTo("mail.example.com");
    assertThat(c.smtpPort()).isEqualTo(587);
    assertThat(c.smtpTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.logsName()).isEqualTo("edge");
    assertThat(c.logsDirectory()).isEqualTo(dir.resolve("var/log"));
    assertThat(c.www()).isEqualTo(dir.resolve("www"));
    // ';' inside a value is data, not a comment: servers.targets uses it as separator.
    assertThat(c.serversTargets()).isEqualTo("10.0.0.2:1936?name=b;10.0.0.3:1936");
    // Every key kept for cumulus.configs, looked up case-insensitively.
    assertThat(c.raw()).containsEntry("myapp.secret", "false").containsEntry("MYAPP.noequals", "");
    assertThat(c.raw().get("smtp.HOST")).isEqualTo("mail.example.com");
    assertThat(c.unknownKeys()).containsExactlyInAnyOrder("myapp.Secret", "myapp.noequals");
  }

  @Test
  void overridesBeatTheFile() throws Exception {
    Path ini = dir.resolve("b.ini");
    Files.writeString(ini, "port=2000\nhost=127.0.0.1\nthreads=3\n");
    NodeConfig c = NodeConfig.load(ini, Map.of("Port", "3000", "threads", "1"));
    assertThat(c.port()).isEqualTo(3000);
    assertThat(c.threads()).isEqualTo(1);
    assertThat(c.host()).isEqualTo("127.0.0.1");
  }

  @Test
  void missingFileIsAnError() {
    assertThatThrownBy(() -> NodeConfig.load(dir.resolve("nope.ini"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("nope.ini").hasMessageContaining("does not exist");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "port|0|port=0 is out of range: valid 1..65535",
      "port|65536|port=65536 is out of range: valid 1..65535",
      "port|abc|port=abc is not an integer: valid 1..65535",
      "udpBufferSize|-1|udpBufferSize=-1 is out of range",
      "udpBufferSize|1023|udpBufferSize=1023 is out of range: valid 0 or 1024..1073741824 (bytes)",
      "udpBufferSize|1073741825|udpBufferSize=1073741825 is out of range",
      "keepAliveServer|3|keepAliveServer=3 is out of range: valid 5..65535 (seconds)",
      "keepAliveServer|65536|keepAliveServer=65536 is out of range: valid 5..65535 (seconds)",
      "keepAlivePeer|4|keepAlivePeer=4 is out of range: valid 5..65535 (seconds)",
      "keepAlivePeer|99999|keepAlivePeer=99999 is out of range: valid 5..65535 (seconds)",
      "threads|-1|threads=-1 is out of range: valid 0..256",
      "threads|257|threads=257 is out of range: valid 0..256",
      "servers.port|-1|servers.port=-1 is out of range: valid 0..65535",
      "servers.port|70000|servers.port=70000 is out of range: valid 0..65535",
      "smtp.port|0|smtp.port=0 is out of range: valid 1..65535",
      "smtp.port|65536|smtp.port=65536 is out of range: valid 1..65535",
      "smtp.timeout|0|smtp.timeout=0 is out of range: valid 1..65535 (seconds)",
      "smtp.timeout|65536|smtp.timeout=65536 is out of range: valid 1..65535 (seconds)",
      "publicAddress|edge.example.com|publicAddress=edge.example.com is not valid: expected host:port",
      "publicAddress|edge:0|publicAddress=edge:0 is not valid",
      "publicAddress|edge:99999|publicAddress=edge:99999 is not valid",
      "publicAddress|::1:1935|publicAddress=::1:1935 is not valid",
      "host|999.1.1.1|host=999.1.1.1 is not valid",
      "host|bad_host!|host=bad_host! is not valid",
      "host|1.2.3|host=1.2.3 is not valid",
      "logs.name|a/b|logs.name=a/b is not valid",
  })
  void refusesBadValuesNamingTheKey(String key, String value, String message) {
    assertThatThrownBy(() -> NodeConfig.load(null, Map.of(key, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(message)
        .extracting(e -> ((ConfigException) e).key()).isEqualTo(key);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "port|1", "port|65535", "udpBufferSize|0", "udpBufferSize|1024", "udpBufferSize|1073741824",
      "keepAliveServer|5", "keepAliveServer|65535", "keepAlivePeer|5", "threads|0", "threads|256",
      "servers.port|0", "servers.port|19350", "smtp.timeout|1", "publicAddress|[2001:db8::1]:1935",
      "publicAddress|203.0.113.5:1935", "host|::", "host|[::]", "host|0.0.0.0", "host|::1",
      "host|edge-1.example.com", "host|localhost"})
  void acceptsBoundaryValues(String key, String value) {
    assertThat(NodeConfig.load(null, Map.of(key, value)).raw()).containsEntry(key, value);
  }

  @Test
  void ipv6HostLosesItsBrackets() {
    assertThat(NodeConfig.load(null, Map.of("host", "[::]")).host()).isEqualTo("::");
  }

  @Test
  void legacyServerMeshIsAcceptedAndFlagged() {
    NodeConfig c = NodeConfig.fromIni("[servers]\nport=19350\ntargets=10.0.0.2:19350\n", Map.of());
    assertThat(c.serversPort()).isEqualTo(19350);
    assertThat(c.serversTargets()).isEqualTo("10.0.0.2:19350");
    assertThat(c.unknownKeys()).isEmpty();
    assertThat(c.legacyServersWarning()).hasValueSatisfying(w -> assertThat(w)
        .contains("servers.port=19350", "gRPC control plane", "cluster.zookeeper", "grpc.port", "issue #6"));
    assertThat(NodeConfig.fromIni("servers.targets=a:1\n", Map.of()).legacyServersWarning()).isPresent();
  }

  @Test
  void shippedExampleIniLoads() {
    Path example = Path.of("../../ops/systemd/altocumulus.ini.example");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(example), "run from edge/server");
    NodeConfig c = NodeConfig.load(example, Map.of());
    assertThat(c.port()).isEqualTo(1935);
    assertThat(c.logsDirectory()).isEqualTo(Path.of("/var/log/altocumulus"));
    assertThat(c.www()).isEqualTo(Path.of("/var/lib/altocumulus/www"));
    assertThat(c.unknownKeys()).isEmpty();
  }

  @Test
  void withPortAllowsAnyPortForTests() {
    assertThat(NodeConfig.load(null, Map.of()).withPort(0).port()).isZero();
  }
}
