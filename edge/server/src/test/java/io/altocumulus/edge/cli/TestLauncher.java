package io.altocumulus.edge.cli;

import io.altocumulus.edge.config.NodeConfig;

/** Registered in test resources META-INF/services: records what Main started. */
public class TestLauncher implements NodeLauncher {
  static volatile NodeConfig started;
  static volatile boolean closed;

  @Override
  public AutoCloseable start(NodeConfig config) {
    started = config;
    return () -> closed = true;
  }
}
