package io.altocumulus.cluster.membership;

import io.altocumulus.proto.cluster.v1.NodeInfo;

/**
 * Registrations appearing, changing and disappearing under {@code /<cluster>/nodes}, this node's
 * own included (compare {@link NodeInfo#getId()}). Called on one thread, in ZooKeeper's order;
 * do not block it.
 */
public interface MembershipListener {
  default void nodeUp(NodeInfo node) {}

  default void nodeChanged(NodeInfo before, NodeInfo after) {}

  /** The registration is gone: the node died, closed, or its ZooKeeper session expired. */
  default void nodeDown(NodeInfo node) {}
}
