package io.altocumulus.edge.node;

import io.altocumulus.edge.cli.NodeLauncher;
import io.altocumulus.edge.config.NodeConfig;

/** Starts the edge node from the command line ({@code Main} finds this with ServiceLoader). */
public final class EdgeNodeLauncher implements NodeLauncher {
  @Override
  public AutoCloseable start(NodeConfig config) throws Exception {
    return EdgeNode.start(config);
  }
}
