package io.altocumulus.cluster.zookeeper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * A single-node ZooKeeper server inside the node's process, for {@code cluster.zookeeper=embedded}:
 * try the cluster on one machine without installing ZooKeeper. Not for production (no quorum:
 * when this process stops, the cluster's coordination stops with it). Listens on loopback only.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  private final ZooKeeperServerEmbedded server;
  private final String connectString;

  private EmbeddedZooKeeper(ZooKeeperServerEmbedded server, String connectString) {
    this.server = server;
    this.connectString = connectString;
  }

  /**
   * Starts the server and waits until it serves.
   *
   * @param port client port on 127.0.0.1
   * @param dir data and configuration directory (created if missing; kept across restarts)
   */
  public static EmbeddedZooKeeper start(int port, Path dir) throws Exception {
    Files.createDirectories(dir);
    Properties p = new Properties();
    p.setProperty("clientPort", String.valueOf(port));
    p.setProperty("clientPortAddress", "127.0.0.1");
    p.setProperty("tickTime", "500");       // sessions from 1 s (2 ticks) to 10 s (20 ticks)
    p.setProperty("maxSessionTimeout", "300000");
    p.setProperty("admin.enableServer", "false");
    p.setProperty("4lw.commands.whitelist", "ruok,srvr,mntr");
    ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
        .baseDir(dir)
        .configuration(p)
        .exitHandler(ExitHandler.LOG_ONLY)
        .build();
    server.start(30_000);
    return new EmbeddedZooKeeper(server, "127.0.0.1:" + port);
  }

  /** The connect string to give the cluster's Curator clients. */
  public String connectString() {
    return connectString;
  }

  @Override
  public void close() {
    server.close();
  }
}
