package io.altocumulus.tests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay on loopback between clients and a node that drops, reorders and duplicates datagrams
 * in both directions (seeded). One client at a time; bounded, stops when closed.
 */
final class LossyProxy implements AutoCloseable {
  private final DatagramChannel front;
  private final DatagramChannel back;
  private final InetSocketAddress server;
  private final Random random = new Random(20);
  private volatile double loss;
  private final double duplicate;
  private final double reorder;
  private volatile SocketAddress client;
  private volatile boolean running = true;
  private final Thread thread;
  final AtomicLong dropped = new AtomicLong();
  final AtomicLong forwarded = new AtomicLong();

  LossyProxy(InetSocketAddress server, double loss, double duplicate, double reorder) throws IOException {
    this.server = server;
    this.loss = loss;
    this.duplicate = duplicate;
    this.reorder = reorder;
    front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    back = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    front.configureBlocking(false);
    back.configureBlocking(false);
    thread = new Thread(this::run, "lossy-proxy");
    thread.setDaemon(true);
    thread.start();
  }

  /** Changes the loss rate from now on (0..1). */
  void setLoss(double loss) {
    this.loss = loss;
  }

  InetSocketAddress address() throws IOException {
    return (InetSocketAddress) front.getLocalAddress();
  }

  private void run() {
    ByteBuffer buf = ByteBuffer.allocate(2048);
    List<byte[]> heldUp = new ArrayList<>();
    List<SocketAddress> heldUpTo = new ArrayList<>();
    List<DatagramChannel> heldUpVia = new ArrayList<>();
    try {
      while (running) {
        boolean any = false;
        buf.clear();
        SocketAddress from = front.receive(buf);
        if (from != null) {
          client = from;
          relay(buf, back, server, heldUp, heldUpTo, heldUpVia);
          any = true;
        }
        buf.clear();
        from = back.receive(buf);
        if (from != null && client != null) {
          relay(buf, front, client, heldUp, heldUpTo, heldUpVia);
          any = true;
        }
        if (!any) {
          // Release what was held back for reordering, then wait a little.
          for (int i = 0; i < heldUp.size(); i++) {
            heldUpVia.get(i).send(ByteBuffer.wrap(heldUp.get(i)), heldUpTo.get(i));
          }
          heldUp.clear();
          heldUpTo.clear();
          heldUpVia.clear();
          Thread.sleep(1);
        }
      }
    } catch (IOException | InterruptedException e) {
      // closed
    }
  }

  private void relay(ByteBuffer buf, DatagramChannel via, SocketAddress to, List<byte[]> heldUp,
      List<SocketAddress> heldUpTo, List<DatagramChannel> heldUpVia) throws IOException {
    buf.flip();
    byte[] d = new byte[buf.remaining()];
    buf.get(d);
    if (random.nextDouble() < loss) {
      dropped.incrementAndGet();
      return;
    }
    if (random.nextDouble() < reorder) {
      heldUp.add(d); // sent after later datagrams
      heldUpTo.add(to);
      heldUpVia.add(via);
      return;
    }
    int copies = random.nextDouble() < duplicate ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      via.send(ByteBuffer.wrap(d), to);
      forwarded.incrementAndGet();
    }
  }

  @Override
  public void close() throws Exception {
    running = false;
    thread.join(1000);
    front.close();
    back.close();
  }
}
