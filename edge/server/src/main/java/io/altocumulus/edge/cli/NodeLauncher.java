package io.altocumulus.edge.cli;

import io.altocumulus.edge.config.NodeConfig;

/**
 * What {@link Main} starts once configuration and logging are ready: the RTMFP node (core +
 * {@code UdpNode}). Found with {@link java.util.ServiceLoader}: an implementation lists itself
 * in {@code META-INF/services/io.altocumulus.edge.cli.NodeLauncher} and has a public no-arg
 * constructor.
 */
public interface NodeLauncher {
  /**
   * Starts the node and returns once it serves.
   *
   * @return closing it stops the node cleanly (sessions are sent their close requests inside);
   *     called once, from the shutdown hook
   */
  AutoCloseable start(NodeConfig config) throws Exception;
}
