package io.altocumulus.rendezvous;

/**
 * What the rendezvous service asks of an edge: deliver an introduction to a local peer, or tell a
 * local group member about a new neighbour. Calls arrive on any thread and must not block.
 */
public interface EdgeCallbacks {
  /** Send {@code introduction.target()} a forwarded IHello, if it still has a session here. */
  void onIntroduction(Introduction introduction);

  /**
   * Ring repair (RTMFP-WIRE §8.9): {@code member} (a local peer in {@code group}) should be told
   * about {@code neighbour} with a {@code 0B <peer id>} message on its group flow.
   */
  void onGroupNeighbour(Key group, Key member, Key neighbour);

  /**
   * The service lost this edge's registrations (a shard restarted or moved): register every
   * local peer and group member again. Soft state: edges are the source of truth.
   */
  default void onResyncNeeded() {}
}
