package io.altocumulus.tests.bench;

import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.session.FlowHandler;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.altocumulus.rtmfp.tc.TcMetadata;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The whole {@link RtmfpEndpoint#receive} path of an established server session for an in-order
 * data packet: session lookup, decrypt, header, chunk walk, User Data, RecvFlow, delivery to the
 * flow handler. The packet is a real one, sent by a client endpoint of the same pair; to replay it
 * as "the next in-order packet" every op copies its ciphertext back into the receive buffer and
 * puts the flow's cumulative ack back one below its sequence number (a VarHandle on the private
 * {@code RecvFlow.cumAck}: a bench-only trick, no core change). {@code receiveAndFlush} also runs
 * {@link RtmfpEndpoint#flush}, which writes, seals and sends the ack (to a sink that does nothing).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EndpointReceiveBench {
  private static final VarHandle CUM_ACK;

  static {
    try {
      CUM_ACK = MethodHandles.privateLookupIn(RecvFlow.class, MethodHandles.lookup())
          .findVarHandle(RecvFlow.class, "cumAck", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Message bytes: 1160 fills a packet to the 1192-byte cap with this header; 40 is a small one. */
  @Param({"1160", "40"})
  public int message;

  BenchNet net;
  RtmfpEndpoint server;
  InetSocketAddress from;
  RecvFlow serverFlow;
  byte[] packet;
  byte[] rx = new byte[2048];
  long seq;
  long delivered;

  @Setup
  public void setUp() {
    RecvFlow[] flow = new RecvFlow[1];
    net = new BenchNet(s -> new SessionHandler() {
      @Override
      public FlowHandler onFlowOpened(Session session, RecvFlow f) {
        flow[0] = f;
        return (rf, buf, off, len) -> delivered += len;
      }

      @Override
      public void onClosed(Session session, String reason) {}
    });
    server = net.server;
    Session c = net.handshake(null);
    SendFlow f = c.openFlow(TcMetadata.encode(0), -1);
    byte[] m = new byte[message];
    c.write(f, m, true);
    net.pump(); // opens the flow on the server and gets it acknowledged
    net.captureClient = true;
    c.write(f, m, true);
    net.client.flush();
    if (net.captured.size() != 1) {
      throw new IllegalStateException(net.captured.size() + " packets for one message");
    }
    BenchNet.Datagram d = net.captured.poll();
    packet = d.bytes();
    from = d.from();
    serverFlow = flow[0];
    seq = (long) CUM_ACK.get(serverFlow) + 1;
    net.serverOut = (buf, off, len, to) -> {};
    long before = delivered;
    receive();
    server.flush();
    if (delivered != before + message || server.drops().total() != 0) {
      throw new IllegalStateException("replayed packet not delivered: " + server.drops().snapshot());
    }
    System.out.println("# packet " + packet.length + " bytes on the wire, message " + message);
  }

  @Benchmark
  public long receive() {
    System.arraycopy(packet, 0, rx, 0, packet.length);
    CUM_ACK.set(serverFlow, seq - 1);
    server.receive(rx, 0, packet.length, from);
    return delivered;
  }

  @Benchmark
  public long receiveAndFlush() {
    long r = receive();
    server.flush();
    return r;
  }
}
