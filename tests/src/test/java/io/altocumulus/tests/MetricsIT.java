package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.ClientNetStream;
import io.altocumulus.rtmfp.client.RtmfpClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #7: a node with {@code metrics.port} serves {@code /metrics}; the metrics move as a client
 * connects, publishes, plays and leaves; the dashboard and the alert rules use only names the node
 * exports; promtool accepts the exposition and the rules (when installed: .ci/run installs it).
 */
class MetricsIT {
  static final Path OPS = Path.of(System.getProperty("user.dir")).resolve("../ops").normalize();
  /** Metric names in PromQL: ours and the JVM client's (Prometheus's own {@code up} is not exported). */
  static final Pattern NAME = Pattern.compile("\\b((?:rtmfp|jvm|process)_[a-z0-9_]+)");

  /** An app whose RPCs fail or run away (rtmfp_lua_errors_total, rtmfp_lua_budget_stops_total). */
  static final String LUA_APP = """
      function onConnection(client)
        function client:fail() error('broken') end
        function client:spin() while true do end end
        function client:ok() return 1 end
      end
      """;

  @TempDir
  Path dir;
  EdgeNode node;
  RtmfpClient client;
  String url;
  int metricsPort;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www.resolve("live"));
    Files.createDirectories(www.resolve("lua"));
    Files.writeString(www.resolve("lua/main.lua"), LUA_APP);
    metricsPort = freeTcpPort();
    // Closed sessions linger in the table to answer late packets; shorten that for the test.
    node = EdgeNode.start(EdgeLoopbackIT.config(www, "metrics.port=" + metricsPort + "\nmetrics.host=127.0.0.1\n"
            + "lua.budget=2000000\nrelay.audioDeadline=100\n"),
        new EdgeNode.Options().endpointConfig(c -> c.closedLingerNanos = 300_000_000L));
    client = RtmfpClient.open();
    url = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/live";
  }

  @AfterEach
  void stop() {
    client.close();
    node.close();
  }

  static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  String scrapeText() throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** Series ({@code name{labels}}) to value. */
  Map<String, Double> scrape() throws Exception {
    Map<String, Double> m = new HashMap<>();
    for (String line : scrapeText().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      m.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
    }
    return m;
  }

  double value(String series) throws Exception {
    return scrape().getOrDefault(series, Double.NaN);
  }

  ClientNetStream stream(ClientNetConnection nc) throws Exception {
    return nc.createStream().get(5, TimeUnit.SECONDS);
  }

  @Test
  void metricsMoveAsAClientConnectsPublishesAndLeaves() throws Exception {
    Map<String, Double> before = scrape();
    assertThat(before.get("rtmfp_sessions")).isZero();
    assertThat(before.keySet()).anyMatch(k -> k.startsWith("rtmfp_build_info{") && k.contains("version=\""));
    assertThat(before.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"));
    assertThat(before.get("rtmfp_event_loops")).isEqualTo(2.0);
    assertThat(before.get("rtmfp_sessions_limit")).isPositive();

    ClientNetConnection pub = client.connect(url).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_sessions") == 1.0);
    Map<String, Double> connected = scrape();
    assertThat(connected.get("rtmfp_handshakes_total{result=\"accepted\"}")).isGreaterThanOrEqualTo(1.0);
    assertThat(connected.get("rtmfp_handshakes_total{result=\"opened\"}")).isEqualTo(1.0);
    assertThat(connected.get("rtmfp_sessions_opened_total")).isEqualTo(1.0);
    assertThat(connected.get("rtmfp_handshake_duration_seconds_count")).isEqualTo(1.0);
    assertThat(connected.get("rtmfp_datagrams_received_total")).isGreaterThan(before.get("rtmfp_datagrams_received_total"));
    assertThat(connected.get("rtmfp_received_bytes_total")).isGreaterThan(before.get("rtmfp_received_bytes_total"));
    assertThat(connected.get("rtmfp_datagrams_sent_total")).isGreaterThan(before.get("rtmfp_datagrams_sent_total"));
    assertThat(connected.get("rtmfp_sent_bytes_total")).isGreaterThan(before.get("rtmfp_sent_bytes_total"));

    // Publish, and play from a second connection.
    ClientNetStream publisher = stream(pub);
    List<String> pubCodes = new CopyOnWriteArrayList<>();
    publisher.onStatus(e -> pubCodes.add(e.code()));
    publisher.publish("cam");
    await().atMost(Duration.ofSeconds(5)).until(() -> pubCodes.contains("NetStream.Publish.Start"));
    assertThat(value("rtmfp_publishers")).isEqualTo(1.0);
    assertThat(value("rtmfp_publications")).isEqualTo(1.0);
    ClientNetConnection play = client.connect(url).get(10, TimeUnit.SECONDS);
    ClientNetStream player = stream(play);
    List<String> playCodes = new CopyOnWriteArrayList<>();
    player.onStatus(e -> playCodes.add(e.code()));
    player.play("cam");
    await().atMost(Duration.ofSeconds(5)).until(() -> playCodes.contains("NetStream.Play.Start"));
    assertThat(value("rtmfp_players")).isEqualTo(1.0);
    assertThat(value("rtmfp_sessions")).isEqualTo(2.0);
    double sentBefore = value("rtmfp_sent_bytes_total");
    for (int i = 0; i < 20; i++) {
      publisher.sendAudio(1000 + i * 20, new byte[] {(byte) 0xAF, 0x01, 1, 2, 3, 4, 5, 6, 7, 8});
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_sent_bytes_total") > sentBefore + 200);
    // The relay: 20 messages of 10 bytes plus their 5-byte header went to the player's flows.
    await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_relay_sent_bytes_total") >= 20 * 15);
    assertThat(value("rtmfp_fragments_sent_total")).isPositive();
    // An inter frame before any keyframe is held back (RTMFP-WIRE §8.8).
    assertThat(value("rtmfp_publish_keyframe_wait_drops_total")).isZero();
    publisher.sendVideo(1500, new byte[] {0x27, 0x01, 0, 0, 0, 9});
    await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_publish_keyframe_wait_drops_total") == 1.0);
    // RTT: each session is sampled in its 2-second housekeeping once it has an RTT estimate.
    await().atMost(Duration.ofSeconds(8)).until(() -> value("rtmfp_session_rtt_seconds_count") >= 1.0);

    // Leave: the client closes its connections.
    play.close().get(5, TimeUnit.SECONDS);
    pub.close().get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_sessions_closed_total{reason=\"peer\"}") == 2.0);
    await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_sessions") == 0.0);
    Map<String, Double> left = scrape();
    assertThat(left.get("rtmfp_publishers")).isZero();
    assertThat(left.get("rtmfp_players")).isZero();
    assertThat(left.get("rtmfp_handshakes_total{result=\"refused\"}")).isZero();
    assertThat(left.get("rtmfp_drops_total{cause=\"bad_checksum\"}")).isZero();
  }

  @Test
  void dropsAreCountedByCause() throws Exception {
    try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
      byte[] junk = new byte[5]; // shorter than the 12-byte minimum (RTMFP-WIRE §1)
      s.send(new java.net.DatagramPacket(junk, junk.length, node.localAddress()));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_drops_total{cause=\"too_short\"}") == 1.0);
  }

  @Test
  void luaErrorsBudgetStopsAndAppsMove() throws Exception {
    assertThat(value("rtmfp_lua_errors_total")).isZero();
    assertThat(value("rtmfp_lua_budget_stops_total")).isZero();
    ClientNetConnection nc = client.connect(url.replace("/live", "/lua")).get(10, TimeUnit.SECONDS);
    assertThat(value("rtmfp_lua_apps{state=\"running\"}")).isEqualTo(1.0);
    assertThat(value("rtmfp_lua_apps{state=\"failed\"}")).isZero();
    assertThat(((Number) nc.call("ok").get(10, TimeUnit.SECONDS)).intValue()).isEqualTo(1);
    assertThat(value("rtmfp_lua_errors_total")).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> nc.call("fail").get(10, TimeUnit.SECONDS))
        .hasMessageContaining("broken");
    assertThat(value("rtmfp_lua_errors_total")).isEqualTo(1.0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> nc.call("spin").get(20, TimeUnit.SECONDS))
        .hasMessageContaining("instructions");
    assertThat(value("rtmfp_lua_budget_stops_total")).isEqualTo(1.0);
    assertThat(value("rtmfp_lua_io_refusals_total{reason=\"tcp_send\"}")).isZero();
    assertThat(value("rtmfp_lua_mails_total{result=\"sent\"}")).isZero();
    nc.close().get(5, TimeUnit.SECONDS);
  }

  @Test
  void rendezvousIntroductionsAndNetGroupsMove() throws Exception {
    RtmfpClient.ConnectOptions asPeer = new RtmfpClient.ConnectOptions().asPeer();
    try (RtmfpClient a = RtmfpClient.open(); RtmfpClient b = RtmfpClient.open()) {
      ClientNetConnection ncA = a.connect(url, asPeer).get(10, TimeUnit.SECONDS);
      ClientNetConnection ncB = b.connect(url, asPeer).get(10, TimeUnit.SECONDS);
      ncB.setPeerInfo("127.0.0.1:" + b.localAddress().getPort()).get(5, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_rendezvous_peers") == 1.0);
      assertThat(value("rtmfp_rendezvous_introductions_total{result=\"forwarded\"}")).isZero();
      a.connectToPeer(node.localAddress(), b.peerId()).get(10, TimeUnit.SECONDS);
      assertThat(value("rtmfp_rendezvous_introductions_total{result=\"forwarded\"}")).isGreaterThanOrEqualTo(1.0);
      assertThat(value("rtmfp_pending_hellos")).isZero();

      // NetGroups: one group, two joins, then both leave.
      assertThat(value("rtmfp_netgroups")).isZero();
      ncA.joinGroup(NetGroupIT.SPEC);
      ncB.joinGroup(NetGroupIT.SPEC);
      await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_netgroup_joins_total") == 2.0);
      assertThat(value("rtmfp_netgroups")).isEqualTo(1.0);
      assertThat(value("rtmfp_rendezvous_groups")).isEqualTo(1.0);
      assertThat(value("rtmfp_netgroup_join_refusals_total{reason=\"groups_max\"}")).isZero();
      ncA.close().get(5, TimeUnit.SECONDS);
      ncB.close().get(5, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_netgroup_leaves_total") == 2.0);
      await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_netgroups") == 0.0);
    }
  }

  /**
   * A UDP relay between one client and the node that can black-hole what the node sends, so the
   * node's flows see loss: retransmissions, and media abandoned past its deadline.
   */
  static final class LossyPath implements AutoCloseable {
    final java.net.DatagramSocket clientSide = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
    final java.net.DatagramSocket nodeSide = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
    volatile java.net.SocketAddress client;
    volatile boolean blackHole;

    LossyPath(java.net.InetSocketAddress node) throws IOException {
      nodeSide.connect(node);
      pump(clientSide, nodeSide, false);
      pump(nodeSide, clientSide, true);
    }

    private void pump(java.net.DatagramSocket from, java.net.DatagramSocket to, boolean fromNode) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[2048];
        while (!from.isClosed()) {
          try {
            java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
            from.receive(p);
            if (!fromNode) {
              client = p.getSocketAddress();
              to.send(new java.net.DatagramPacket(buf, p.getLength()));
            } else if (!blackHole && client != null) {
              to.send(new java.net.DatagramPacket(buf, p.getLength(), client));
            }
          } catch (IOException e) {
            return;
          }
        }
      }, "lossy-path");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return clientSide.getLocalPort();
    }

    @Override
    public void close() {
      clientSide.close();
      nodeSide.close();
    }
  }

  @Test
  void lossTowardAPlayerMovesRetransmissionsAndDroppedMedia() throws Exception {
    try (LossyPath path = new LossyPath(node.localAddress())) {
      ClientNetConnection pub = client.connect(url).get(10, TimeUnit.SECONDS);
      ClientNetStream publisher = stream(pub);
      List<String> pubCodes = new CopyOnWriteArrayList<>();
      publisher.onStatus(e -> pubCodes.add(e.code()));
      publisher.publish("lossy");
      await().atMost(Duration.ofSeconds(5)).until(() -> pubCodes.contains("NetStream.Publish.Start"));
      ClientNetConnection play = client.connect("rtmfp://127.0.0.1:" + path.port() + "/live").get(10, TimeUnit.SECONDS);
      ClientNetStream player = stream(play);
      List<String> playCodes = new CopyOnWriteArrayList<>();
      player.onStatus(e -> playCodes.add(e.code()));
      player.play("lossy");
      await().atMost(Duration.ofSeconds(5)).until(() -> playCodes.contains("NetStream.Play.Start"));
      assertThat(value("rtmfp_retransmitted_fragments_total")).isZero();

      // 1.5 s of silence toward the player while audio (deadline relay.audioDeadline=100 ms) flows.
      path.blackHole = true;
      for (int i = 0; i < 50; i++) {
        publisher.sendAudio(2000 + i * 30, new byte[] {(byte) 0xAF, 0x01, 1, 2, 3, 4, 5, 6, 7, 8});
        Thread.sleep(30);
      }
      path.blackHole = false;
      await().atMost(Duration.ofSeconds(10)).until(() -> value("rtmfp_retransmitted_fragments_total") > 0);
      await().atMost(Duration.ofSeconds(10)).until(() -> value("rtmfp_abandoned_fragments_total")
          + value("rtmfp_relay_dropped_messages_total{reason=\"expired\"}") > 0);
      assertThat(value("rtmfp_relay_dropped_messages_total{reason=\"queue_full\"}")).isZero();
      play.close().get(5, TimeUnit.SECONDS);
      pub.close().get(5, TimeUnit.SECONDS);
    }
  }

  /** Every rtmfp_/jvm_/process_ name the dashboard and the alert rules use, with where it is used. */
  static Map<String, Set<String>> namesUsedInOps() throws IOException {
    Map<String, Set<String>> used = new HashMap<>();
    try (Stream<Path> files = Files.walk(OPS)) {
      for (Path f : files.filter(p -> {
        String n = p.getFileName().toString();
        return (p.startsWith(OPS.resolve("grafana")) && n.endsWith(".json"))
            || (p.startsWith(OPS.resolve("prometheus")) && (n.endsWith(".yml") || n.endsWith(".yaml")));
      }).toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (line.stripLeading().startsWith("#")) {
            continue; // commented-out rules wait for their metric (issue 6)
          }
          Matcher m = NAME.matcher(line);
          while (m.find()) {
            used.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(OPS.relativize(f).toString());
          }
        }
      }
    }
    return used;
  }

  @Test
  void dashboardAndAlertRulesUseOnlyExportedNames() throws Exception {
    // Sessions and a handshake first, so every histogram has observations.
    ClientNetConnection nc = client.connect(url).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_sessions") == 1.0);
    Set<String> exported = new TreeSet<>();
    for (String series : scrape().keySet()) {
      int brace = series.indexOf('{');
      exported.add(brace < 0 ? series : series.substring(0, brace));
    }
    Map<String, Set<String>> used = namesUsedInOps();
    assertThat(used).as("names found in ops/grafana and ops/prometheus").containsKeys(
        "rtmfp_sessions", "rtmfp_handshakes_total", "rtmfp_drops_total", "rtmfp_sessions_limit");
    Map<String, Set<String>> missing = new HashMap<>(used);
    missing.keySet().removeAll(exported);
    // exported only by cluster nodes (cluster.zookeeper set): ClusterIT.clusterMetricsAreExposed checks them
    missing.keySet().removeAll(ClusterIT.CLUSTER_METRICS);
    assertThat(missing).as("metrics used by the dashboard or the rules but not exported").isEmpty();
    nc.close().get(5, TimeUnit.SECONDS);
  }

  static String promtool() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      File f = new File(d, "promtool");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }

  static String run(Path workDir, String stdin, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + out).isZero();
    return out;
  }

  @Test
  void promtoolAcceptsTheExpositionTheRulesAndTheScrapeConfig() throws Exception {
    String promtool = promtool();
    Assumptions.assumeTrue(promtool != null,
        "promtool not installed: skipping the lint (apt-get install prometheus; .ci/run installs it)");
    ClientNetConnection nc = client.connect(url).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> value("rtmfp_sessions") == 1.0);
    run(OPS, scrapeText(), promtool, "check", "metrics");
    run(OPS.resolve("prometheus"), null, promtool, "check", "rules", "altocumulus-rules.yml");
    run(OPS.resolve("prometheus"), null, promtool, "check", "config", "prometheus.yml");
    nc.close().get(5, TimeUnit.SECONDS);
  }
}
