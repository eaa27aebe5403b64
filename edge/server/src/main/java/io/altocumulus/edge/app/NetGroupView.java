package io.altocumulus.edge.app;

import java.util.List;

/** A NetGroup as applications see it (CUMULUS-FEATURES §5.5). */
public interface NetGroupView {
  /** The 32-byte group id (RTMFP-WIRE §8.9). */
  byte[] rawId();

  /** The group id in lower-case hex. */
  String id();

  /** Members known to this node, virtual members included. */
  int size();

  /** This node's connected members, in join order. */
  List<Client> members();
}
