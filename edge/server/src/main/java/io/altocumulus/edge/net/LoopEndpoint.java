package io.altocumulus.edge.net;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The protocol side of one event loop (one per loop). Every call happens on that loop's thread,
 * so an endpoint needs no locks for the sessions it owns (ARCHITECTURE: all state of a session
 * lives on its loop).
 */
public interface LoopEndpoint {
  /**
   * One datagram. {@code datagram} is a heap buffer ({@code hasArray()}, offset 0, capacity
   * {@link UdpNode#MAX_DATAGRAM}) that the endpoint may decrypt in place; it is reused for the
   * next datagram, so it is valid only during the call.
   */
  void onDatagram(ByteBuffer datagram, InetSocketAddress from);

  /** End of a read batch: queue replies now; the node flushes right after. */
  void onReadComplete();

  /** Periodic timer, every {@code tickMillis} (default 10 ms). The node flushes right after. */
  void onTick();

  /** Graceful shutdown: send the session close requests (the node flushes once after). */
  void close();
}
