package io.altocumulus.rendezvous;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The cluster's peer directory: peer id → owning edge and addresses (ARCHITECTURE.md
 * "Rendezvous"). The in-process implementation answers at once; the gRPC one asks the shard that
 * owns the key. Stages may complete on any thread.
 */
public interface PeerDirectory {
  /** Registers or replaces the record of a peer (after setPeerInfo, or an address change). */
  CompletionStage<Void> register(PeerRecord record);

  /** Removes the peer if it is still registered by {@code edgeId} (a newer edge's record stays). */
  CompletionStage<Void> unregister(Key peerId, String edgeId);

  CompletionStage<Optional<PeerRecord>> lookup(Key peerId);

  /** Asks the edge that owns {@code introduction.target()} to send the forwarded IHello. */
  CompletionStage<Void> introduce(Introduction introduction);
}
