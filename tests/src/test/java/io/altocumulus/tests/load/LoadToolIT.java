package io.altocumulus.tests.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load tool's connect and churn modes against a real node on loopback UDP. */
class LoadToolIT {
  @TempDir
  Path dir;
  EdgeNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void connectModeHundredSessionsAtTwoHundredPerSecond() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www.resolve("live"));
    NodeConfig cfg = NodeConfig.fromIni("host=127.0.0.1\nthreads=2\nudpBufferSize=8388608\n", Map.of("www", www.toString()))
        .withPort(0);
    node = EdgeNode.start(cfg, new EdgeNode.Options().applications(new Applications(www)));
    Path json = dir.resolve("out.json");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    LoadOptions o = LoadOptions.parse("--url", "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/live",
        "--mode", "connect", "--sessions", "100", "--rate", "200", "--duration", "20", "--json", json.toString(),
        "--server-pid", Long.toString(ProcessHandle.current().pid()));
    Map<String, Object> report = LoadTool.run(o, new PrintStream(console, true));
    @SuppressWarnings("unchecked")
    Map<String, Object> c = (Map<String, Object>) report.get("connect");
    assertThat(c.get("succeeded")).isEqualTo(100);
    assertThat(c.get("failed")).isEqualTo(0);
    assertThat((Double) c.get("connectsPerSecond")).isGreaterThan(10.0);
    String text = Files.readString(json);
    assertThat(text).contains("\"mode\": \"connect\"", "\"succeeded\": 100", "\"connectsPerSecond\"", "\"p50\"", "\"p99\"",
        "\"serverCpuSeconds\"");
    assertThat(text).doesNotContain("\"p50\": null");
    assertThat(console.toString()).contains("connects/s", "connect latency");
  }

  @Test
  @SuppressWarnings("unchecked")
  void churnModeServesEveryKindAndVanishedSessionsAreReaped() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www.resolve("live"));
    Files.writeString(www.resolve("live/main.lua"), "function onConnection(client) function client:echo(x) return x end end\n");
    // keepAliveServer=5: a vanished client's session goes after 6 x 5 s of silence
    NodeConfig cfg = NodeConfig.fromIni("host=127.0.0.1\nthreads=2\nkeepAliveServer=5\n", Map.of("www", www.toString()))
        .withPort(0);
    node = EdgeNode.start(cfg);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    LoadOptions o = LoadOptions.parse("--url", "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/live",
        "--mode", "churn", "--rate", "20", "--duration", "8", "--hold", "1", "--vanish", "0.2");
    Map<String, Object> report = LoadTool.run(o, new PrintStream(console, true));
    Map<String, Object> c = (Map<String, Object>) report.get("connect");
    assertThat((int) c.get("succeeded")).isGreaterThan(100);
    assertThat(report.get("failures")).isEqualTo(0L);
    Map<String, Map<String, Object>> kinds = (Map<String, Map<String, Object>>) report.get("kinds");
    assertThat(kinds.keySet()).contains("call", "publish", "play", "group", "p2p");
    kinds.forEach((k, m) -> assertThat((long) m.get("ok")).as(k).isPositive());
    long vanished = (long) ((Map<String, Object>) report.get("ends")).get("vanished");
    assertThat(vanished).isPositive();
    // the closed ones are gone at once; the vanished ones once the node times them out
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(45))
        .until(() -> node.sessionCount() == 0);
  }
}
