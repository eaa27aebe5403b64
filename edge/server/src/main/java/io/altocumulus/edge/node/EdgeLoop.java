package io.altocumulus.edge.node;

import io.altocumulus.edge.net.DatagramOutput;
import io.altocumulus.edge.net.LoopEndpoint;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Adapts one loop's {@link RtmfpEndpoint} to the Netty node: the thin layer the core asks for. */
final class EdgeLoop implements LoopEndpoint {
  private final DatagramOutput out;
  private RtmfpEndpoint endpoint;
  private byte[] lastArray;
  private ByteBuffer lastWrap;
  private volatile int sessions;
  private volatile int handshakeRecords;
  private volatile int handshakesInFlight;

  EdgeLoop(DatagramOutput out) {
    this.out = out;
  }

  void bind(RtmfpEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  RtmfpEndpoint endpoint() {
    return endpoint;
  }

  /** The core's packets, handed to Netty without a copy of our own (Netty copies into a pooled buffer). */
  void send(byte[] buf, int off, int len, InetSocketAddress to) {
    if (buf != lastArray) {
      lastArray = buf;
      lastWrap = ByteBuffer.wrap(buf);
    }
    lastWrap.clear();
    lastWrap.position(off).limit(off + len);
    out.send(lastWrap, to);
  }

  /** After work that came back from the crypto pool: send what it produced. */
  void flushAll() {
    endpoint.flush();
    out.flush();
  }

  @Override
  public void onDatagram(ByteBuffer datagram, InetSocketAddress from) {
    endpoint.receive(datagram.array(), datagram.arrayOffset() + datagram.position(), datagram.remaining(), from);
  }

  @Override
  public void onReadComplete() {
    flushAll();
  }

  @Override
  public void onTick() {
    endpoint.tick();
    sessions = endpoint.sessionCount();
    handshakeRecords = endpoint.handshakeRecords();
    handshakesInFlight = endpoint.handshakesInFlight();
    out.flush();
  }

  @Override
  public void close() {
    endpoint.close();
    sessions = 0;
    out.flush();
  }

  int sessions() {
    return sessions;
  }

  int handshakeRecords() {
    return handshakeRecords;
  }

  int handshakesInFlight() {
    return handshakesInFlight;
  }
}
