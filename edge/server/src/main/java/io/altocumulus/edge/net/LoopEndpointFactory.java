package io.altocumulus.edge.net;

import java.util.concurrent.Executor;

/** Makes the endpoint of each event loop. Called once per loop, on that loop's thread. */
public interface LoopEndpointFactory {
  /**
   * @param loopIndex 0..loopCount-1; session ids this loop assigns must satisfy
   *     {@code (id & 0xFF) == loopIndex} so datagrams of the session are routed back here
   * @param out this loop's socket
   * @param loop this loop's executor (schedule work or come back from a worker pool with it)
   */
  LoopEndpoint create(int loopIndex, int loopCount, DatagramOutput out, Executor loop);
}
