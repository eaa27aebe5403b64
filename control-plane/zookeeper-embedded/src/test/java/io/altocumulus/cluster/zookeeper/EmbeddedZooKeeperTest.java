package io.altocumulus.cluster.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddedZooKeeperTest {
  @Test
  void servesOnLoopback() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "zk-" + System.nanoTime());
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(port, dir)) {
      assertThat(zk.connectString()).isEqualTo("127.0.0.1:" + port);
      // the four-letter word srvr answers with the server's mode once it serves
      try (Socket s = new Socket("127.0.0.1", port)) {
        OutputStream out = s.getOutputStream();
        out.write("srvr".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(all).contains("Mode: standalone");
      }
    }
  }
}
