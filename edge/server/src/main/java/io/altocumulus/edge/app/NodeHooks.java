package io.altocumulus.edge.app;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Node-wide application events (CUMULUS-FEATURES §4 "registered" events) that are not tied to a
 * client's app. The Lua host implements it; the default answers nothing.
 */
public interface NodeHooks {
  NodeHooks NONE = new NodeHooks() {};

  /** True when some app registered onRendezVousUnknown. */
  default boolean handlesRendezVousUnknown() {
    return false;
  }

  /**
   * onRendezVousUnknown(rawPeerId): where to redirect a P2P initiator whose target is not known
   * (RTMFP-WIRE §6.3 step 1); an empty list means no answer.
   */
  default CompletionStage<List<InetSocketAddress>> onRendezVousUnknown(byte[] peerId) {
    return ServerApplication.NO_REDIRECT;
  }
}
