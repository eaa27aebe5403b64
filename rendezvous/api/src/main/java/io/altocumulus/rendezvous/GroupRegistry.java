package io.altocumulus.rendezvous;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * NetGroup membership (RTMFP-WIRE §8.9), cluster-wide. Members are kept in join order; a joiner
 * is answered with up to 5 of the newest other members (newest first) plus one random older one;
 * when a member leaves, the member that joined right after it is given the member 5 positions
 * before it ({@link EdgeCallbacks#onGroupNeighbour}).
 */
public interface GroupRegistry {
  /**
   * Adds {@code peer} (held by {@code edgeId}) to {@code group} and answers the bootstrap list.
   * A virtual member (Lua {@code cumulus.groups:join}) is listed to others but never notified.
   */
  CompletionStage<List<Key>> join(Key group, Key peer, String edgeId, boolean virtual);

  /** Removes {@code peer} from {@code group}, repairing the ring. */
  CompletionStage<Void> leave(Key group, Key peer, String edgeId);

  /** Member count of a group (0 if it does not exist). */
  CompletionStage<Integer> size(Key group);
}
