package io.altocumulus.tests;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An edge node in a child JVM, started as an operator would ({@code java -cp ...
 * io.altocumulus.edge.cli.Main --config FILE}) so it can be killed with SIGKILL like a crashed
 * process: no shutdown hook runs, the kernel closes its sockets.
 */
final class EdgeProcess implements AutoCloseable {
  final Process process;
  final int port;
  final Path log;

  private EdgeProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Writes {@code ini} (plus host, port, www, logs) to {@code dir}/node.ini and starts the node. */
  static EdgeProcess start(Path dir, Path www, Map<String, String> ini) throws IOException {
    int port = freeUdpPort();
    StringBuilder sb = new StringBuilder();
    ini.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    sb.append("port=").append(port).append('\n');
    sb.append("www=").append(www.toAbsolutePath()).append('\n');
    sb.append("logs.directory=").append(dir.resolve("logs").toAbsolutePath()).append('\n');
    Files.createDirectories(dir);
    Path config = dir.resolve("node.ini");
    Files.writeString(config, sb.toString());
    Path out = dir.resolve("stdout.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
        "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
        "-cp", System.getProperty("java.class.path"),
        "io.altocumulus.edge.cli.Main", "--config", config.toString(), "-l", "5"))
        .redirectErrorStream(true).redirectOutput(out.toFile());
    return new EdgeProcess(pb.start(), port, out);
  }

  /** A UDP port free a moment ago on loopback (the child binds it right after). */
  static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  String publicAddress() {
    return "127.0.0.1:" + port;
  }

  /** SIGKILL (Process.destroyForcibly on Linux); returns the exit code (137 = 128 + 9). */
  int kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("edge process " + process.pid() + " survived SIGKILL");
    }
    return process.exitValue();
  }

  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill9();
    }
  }
}
