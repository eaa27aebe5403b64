package io.altocumulus.tests.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The UDP half of the relay's bound (BENCHMARKS.md §4): CPU per 1204-byte datagram sent on
 * loopback, measured on the sending thread's CPU clock while another thread drains the receiver.
 */
public final class UdpSendCost {
  private UdpSendCost() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    try (DatagramChannel rx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        DatagramChannel tx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      rx.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
      SocketAddress to = rx.getLocalAddress();
      Thread drain = new Thread(() -> {
        ByteBuffer r = ByteBuffer.allocateDirect(2048);
        try {
          while (true) {
            r.clear();
            rx.receive(r);
          }
        } catch (Exception e) {
          // closed
        }
      });
      drain.setDaemon(true);
      drain.start();
      ByteBuffer b = ByteBuffer.allocateDirect(1204);
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      for (int round = 0; round < 3; round++) {
        long c0 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          b.clear();
          tx.send(b, to);
        }
        long cpu = mx.getCurrentThreadCpuTime() - c0;
        System.out.printf("send 1204-byte datagram: %.2f us CPU each (%.0f Mbit/s per core-second)%n",
            cpu / 1000.0 / n, 1204 * 8.0 * n / (cpu / 1e9) / 1e6);
      }
    }
  }
}
