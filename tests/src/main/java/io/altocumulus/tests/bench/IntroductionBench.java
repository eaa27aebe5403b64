package io.altocumulus.tests.bench;

import io.altocumulus.rtmfp.handshake.PeerIdentity;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.session.Session;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * P2P introductions per second on one node's core path (issue 5, target ≥ 20,000/s): a peer-id
 * IHello datagram arrives at the server endpoint (decrypt, parse, {@code Introducer}: index
 * lookup, tag count, address choice), the forwarded IHello is queued on the target session's loop,
 * then the Redirect to the initiator and the forwarded IHello inside the target's session are
 * built, encrypted and handed to a sink that drops them. One thread, no sockets.
 *
 * <p>{@code retries}: false gives every IHello a fresh tag (first attempts); true replays a small
 * set of tags so most IHellos are retries (the §6.3 address cycling with the initiator lookup).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IntroductionBench {
  static final InetSocketAddress A = new InetSocketAddress("10.0.0.2", 50000);
  static final InetSocketAddress B = new InetSocketAddress("10.0.0.3", 50001);

  @Param({"false", "true"})
  public boolean retries;

  P2pNet net;
  final List<byte[]> hellos = new ArrayList<>();
  final byte[] buf = new byte[2048];
  int i;

  @Setup
  public void setUp() {
    net = new P2pNet();
    PeerIdentity aId = PeerIdentity.generate(new SecureRandom());
    PeerIdentity bId = PeerIdentity.generate(new SecureRandom());
    RtmfpEndpoint a = net.peer(A, aId);
    RtmfpEndpoint b = net.peer(B, bId);
    Session sa = net.connect(a);
    Session sb = net.connect(b);
    net.peerInfo(sa, "192.168.1.2:50000");
    net.peerInfo(sb, "192.168.1.3:50001", "0.0.0.0:50002");
    // The IHellos A would send: captured, never delivered.
    net.pump();
    net.sent.clear();
    int count = retries ? 16 : 8192;
    for (int k = 0; k < count; k++) {
      net.connectToPeer(a, bId.peerId());
    }
    for (P2pNet.Datagram d : net.sent) {
      if (d.from().equals(A) && d.to().equals(P2pNet.SERVER)) {
        hellos.add(d.bytes());
      }
    }
    net.discardInFlight();
    net.recordSent = false;
    net.serverOut = (bytes, off, len, to) -> {};
    packetsAtStart = net.server.packetsOut();
    if (hellos.size() != count) {
      throw new IllegalStateException("captured " + hellos.size() + " IHellos");
    }
  }

  long packetsAtStart;

  /** Each op must have been a real introduction: a Redirect plus a forwarded IHello sent. */
  @TearDown
  public void check() {
    long intro = net.introducer.introductions();
    long packets = net.server.packetsOut() - packetsAtStart;
    if (intro != i || packets < 2L * i) {
      throw new IllegalStateException(i + " ops, " + intro + " introductions, " + packets + " packets");
    }
  }

  @Benchmark
  public long introduce() {
    int k = i++ % hellos.size();
    if (k == 0 && !retries) {
      net.clock.advanceMillis(121_000); // every tag's attempt record expired: first attempts again
    }
    byte[] h = hellos.get(k);
    System.arraycopy(h, 0, buf, 0, h.length);
    net.server.receive(buf, 0, h.length, A);
    net.runTasks();
    net.discardInFlight();
    return net.server.packetsOut();
  }
}
