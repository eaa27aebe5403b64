package io.altocumulus.edge.net;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Sends datagrams from one event loop's socket. Used on that loop's thread only. */
public interface DatagramOutput {
  /**
   * Queues {@code datagram} (position..limit) for {@code to}. The bytes are copied before
   * returning (into a pooled direct buffer), so the caller may reuse its buffer; the buffer's
   * position and limit are left unchanged.
   */
  void send(ByteBuffer datagram, InetSocketAddress to);

  /** Writes what was queued. The node also flushes after each read batch and each tick. */
  void flush();
}
