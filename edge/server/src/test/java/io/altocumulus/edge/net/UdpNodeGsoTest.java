package io.altocumulus.edge.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.edge.config.NodeConfig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs of datagrams to one address leave as GSO sends but arrive as the same datagrams, in order. */
@Timeout(10)
class UdpNodeGsoTest {
  /** Sizes one flush sends back: full packets, a shorter one ending a run, more full ones, a larger one. */
  static final int[] SIZES = {1204, 1204, 1204, 1204, 1204, 300, 1204, 1204, 1300, 80};

  static byte[] datagram(int i, int size) {
    byte[] b = new byte[size];
    for (int k = 0; k < size; k++) {
      b[k] = (byte) (i * 31 + k);
    }
    return b;
  }

  /** On any datagram, sends SIZES back to its sender from one reused buffer, as a session's flush does. */
  static final LoopEndpointFactory BURST = (int loopIndex, int loopCount, DatagramOutput out, Executor loop) ->
      new LoopEndpoint() {
        final ByteBuffer buf = ByteBuffer.allocate(2048);

        @Override
        public void onDatagram(ByteBuffer datagram, InetSocketAddress from) {
          for (int i = 0; i < SIZES.length; i++) {
            buf.clear();
            buf.put(datagram(i, SIZES[i])).flip();
            out.send(buf, from);
          }
        }

        @Override
        public void onReadComplete() {}

        @Override
        public void onTick() {}

        @Override
        public void close() {}
      };

  @Test
  void runsArriveAsTheSameDatagrams() throws Exception {
    NodeConfig cfg = NodeConfig.fromIni("", Map.of("host", "127.0.0.1", "threads", "1")).withPort(0);
    try (UdpNode node = new UdpNode(cfg, BURST);
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      node.start();
      s.setSoTimeout(2000);
      s.send(new DatagramPacket(new byte[16], 16, node.boundAddresses().get(0)));
      List<byte[]> got = new ArrayList<>();
      for (int i = 0; i < SIZES.length; i++) {
        DatagramPacket r = new DatagramPacket(new byte[2048], 2048);
        s.receive(r);
        got.add(Arrays.copyOf(r.getData(), r.getLength()));
      }
      for (int i = 0; i < SIZES.length; i++) {
        assertThat(got.get(i)).as("datagram %d", i).isEqualTo(datagram(i, SIZES[i]));
      }
      assertThat(node.stats().datagramsOut()).isEqualTo(SIZES.length);
      if (node.isGso()) {
        // Runs: five 1204 + the 300 that ends it; 1204, 1204 (the 1300 is larger); 1300 + 80.
        assertThat(node.stats().gsoDatagrams()).isEqualTo(6 + 2 + 2);
      } else {
        assertThat(node.stats().gsoDatagrams()).isZero();
      }
    }
  }
}
