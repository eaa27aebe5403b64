package io.altocumulus.cluster;

import io.altocumulus.cluster.link.LinkListener;

/** A cluster node in its own JVM, for tests that kill -9 it: args zk cluster id. */
public final class NodeProcessMain {
  private NodeProcessMain() {}

  public static void main(String[] args) throws Exception {
    ClusterNode node = ClusterNode.start(Nodes.config(args[0], args[1], args[2]), args[0], new LinkListener() {});
    node.membership().awaitRegistered(java.time.Duration.ofSeconds(10));
    System.out.println("READY " + node.grpcPort());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
