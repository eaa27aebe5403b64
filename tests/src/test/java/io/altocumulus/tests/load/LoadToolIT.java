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

/** The load tool's connect mode against a real node on loopback UDP. */
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
}
