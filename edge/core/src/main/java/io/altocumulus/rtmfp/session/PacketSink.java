package io.altocumulus.rtmfp.session;

import java.net.InetSocketAddress;

/** Where the core puts datagrams. The bytes are valid only during the call: copy them. */
@FunctionalInterface
public interface PacketSink {
  void send(byte[] buf, int off, int len, InetSocketAddress to);
}
