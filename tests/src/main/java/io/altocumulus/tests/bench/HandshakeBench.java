package io.altocumulus.tests.bench;

import io.altocumulus.rtmfp.crypto.DhGroup;
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
 * A completed handshake (IHello, RHello, IIKeying, RIKeying) plus NetConnection connect answered
 * by {@code _result} from the edge's real {@code NetConnection}, both endpoints in memory on one
 * thread: the JMH score is server + client together. {@link HandshakeCpu} splits out the server's
 * share on the thread CPU clock. Every op comes from a new client address; the pair of endpoints is
 * renewed every {@link #BATCH} ops so the session tables stay small.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeBench {
  static final int BATCH = 500;

  @Param({"MODP_1024", "MODP_2048"})
  public String group;

  DhGroup dh;
  BenchNet net;
  int n;

  @Setup
  public void setUp() {
    dh = DhGroup.valueOf(group);
    net = new BenchNet(null);
  }

  @Benchmark
  public Object handshakeAndConnect() {
    if (++n % BATCH == 0) {
      net = new BenchNet(null);
    }
    net.clientAddress = address(n);
    return net.connect(dh);
  }

  static InetSocketAddress address(int i) {
    return new InetSocketAddress("10.1." + ((i >>> 8) & 0xFF) + "." + (i & 0xFF), 10_000 + (i >>> 16));
  }
}
