package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.crypto.PacketCipher;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.chunk.IHello;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handshake flood (issue 8 item 2): sender threads, each with its own DatagramChannels on its own
 * loopback address (127.0.0.10+t) and many source ports, send IHellos with varied tags at tens of
 * thousands a second for {@link #FLOOD_SECONDS}, while a well-behaved client on 127.0.0.1
 * connects again and again. The node keeps no state per IHello (cookies are stateless; records
 * exist only for proven IIKeyings), its heap stays flat, the flooding addresses are rate limited
 * (RATE_LIMITED) without starving the good one, and at least 95 % of the good connects succeed
 * within 2 s. Prints the measured numbers (tests/BENCHMARKS.md, "Handshake flood").
 */
class HandshakeFloodIT {
  static final int FLOOD_SECONDS = Integer.getInteger("flood.seconds", 15);
  static final int SENDERS = Integer.getInteger("flood.senders", 4);
  static final int PORTS_PER_SENDER = 16;
  /** Offered IHellos per second, all senders together (paced; the kernel may drop some). */
  static final int OFFERED_PER_SECOND = Integer.getInteger("flood.rate", 40_000);
  /** The node's per-source-IP limit on session-id-0 datagrams (EndpointConfig.helloRatePerSecond). */
  static final int PER_IP_RATE = Integer.getInteger("flood.perIpRate", 200);

  @TempDir
  Path dir;

  @Test
  void floodOfIHellosLeavesNoStateAndGoodClientsConnect() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www.resolve("app"));
    Applications apps = new Applications(www).register("app", new ServerApplication() {});
    try (EdgeNode node = EdgeNode.start(EdgeLoopbackIT.config(www, ""), new EdgeNode.Options().applications(apps)
        .endpointConfig(c -> {
          c.helloRatePerSecond = PER_IP_RATE;
          c.helloBurst = 2 * PER_IP_RATE;
        }));
        RtmfpClient client = RtmfpClient.open()) {
      InetSocketAddress target = node.localAddress();
      String url = "rtmfp://127.0.0.1:" + target.getPort() + "/app";
      client.connect(url).get(10, TimeUnit.SECONDS).close().get(5, TimeUnit.SECONDS); // warm-up

      // Amplification: one IHello, its RHello, sizes as they are on the wire.
      byte[] oneHello = ihello(url, new Random(1));
      int rhelloBytes;
      try (DatagramChannel ch = DatagramChannel.open()) {
        ch.bind(new InetSocketAddress("127.0.0.9", 0));
        ch.send(ByteBuffer.wrap(oneHello), target);
        ByteBuffer in = ByteBuffer.allocate(2048);
        ch.socket().setSoTimeout(2000);
        ch.configureBlocking(true);
        ch.receive(in);
        rhelloBytes = in.position();
      }
      assertThat(rhelloBytes).as("RHello size").isPositive();
      double amplification = (double) rhelloBytes / oneHello.length;

      long heapBefore = HostileDatagramsIT.usedHeapAfterGc();
      long dgramsInBefore = node.udp().stats().datagramsIn();
      long limitedBefore = node.drops().count(DropCause.RATE_LIMITED);

      AtomicBoolean flooding = new AtomicBoolean(true);
      AtomicLong sent = new AtomicLong();
      AtomicLong repliesIn = new AtomicLong();
      AtomicLong replyBytes = new AtomicLong();
      AtomicLong sentBytes = new AtomicLong();
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < SENDERS; t++) {
        int ip = 10 + t;
        Thread th = new Thread(() -> flood(ip, url, target, flooding, sent, sentBytes, repliesIn, replyBytes),
            "flood-" + t);
        th.setDaemon(true);
        senders.add(th);
      }
      long t0 = System.nanoTime();
      senders.forEach(Thread::start);

      // The well-behaved client: connect, close, again, for the whole flood.
      int attempts = 0;
      int ok = 0;
      long worstMs = 0;
      long deadline = t0 + TimeUnit.SECONDS.toNanos(FLOOD_SECONDS);
      while (System.nanoTime() < deadline) {
        attempts++;
        long c0 = System.nanoTime();
        try {
          ClientNetConnection nc = client.connect(url).get(2, TimeUnit.SECONDS);
          long ms = (System.nanoTime() - c0) / 1_000_000;
          worstMs = Math.max(worstMs, ms);
          ok++;
          nc.close();
        } catch (Exception e) {
          worstMs = Math.max(worstMs, (System.nanoTime() - c0) / 1_000_000);
        }
        Thread.sleep(50);
      }
      flooding.set(false);
      for (Thread th : senders) {
        th.join(5000);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long dgramsIn = node.udp().stats().datagramsIn() - dgramsInBefore;
      long limited = node.drops().count(DropCause.RATE_LIMITED) - limitedBefore;
      int records = node.handshakeRecords();
      long heapGrowth = HostileDatagramsIT.usedHeapAfterGc() - heapBefore;

      System.out.printf("handshake flood: %d senders x %d ports, %.1f s%n", SENDERS, PORTS_PER_SENDER, seconds);
      System.out.printf("  IHellos sent %d (%.0f/s), received by the node %d (%.0f/s), rate-limited %d%n",
          sent.get(), sent.get() / seconds, dgramsIn, dgramsIn / seconds, limited);
      System.out.printf("  IHello %d bytes, RHello %d bytes: amplification %.2fx per answered IHello;"
          + " flood bytes in %d, reply bytes seen by the flooders %d (%.3fx overall)%n",
          oneHello.length, rhelloBytes, amplification, sentBytes.get(), replyBytes.get(),
          (double) replyBytes.get() / Math.max(1, sentBytes.get()));
      System.out.printf("  good client: %d/%d connects within 2 s, worst %d ms; handshake records %d; heap growth %d KiB%n",
          ok, attempts, worstMs, records, heapGrowth / 1024);

      assertThat(sent.get() / seconds).as("offered IHellos per second").isGreaterThan(10_000);
      assertThat(dgramsIn / seconds).as("IHellos per second the node took in").isGreaterThan(10_000);
      assertThat(limited).as("flooding addresses are rate limited").isPositive();
      assertThat(ok).as("good connects within 2 s").isGreaterThanOrEqualTo((int) Math.ceil(attempts * 0.95));
      // No state per IHello: records exist only for the good client's proven IIKeyings.
      assertThat(records).isLessThanOrEqualTo(attempts + 1);
      assertThat(node.sessionCount()).isLessThanOrEqualTo(attempts + 1);
      assertThat(heapGrowth).as("heap growth during the flood").isLessThan(32L << 20);
      assertThat(amplification).as("RHello / IHello").isLessThan(4.0);
    }
  }

  static byte[] ihello(String url, Random r) {
    byte[] tag = new byte[16];
    r.nextBytes(tag);
    return HostileDatagramsIT.handshakePacket(PacketCipher.forDefaultKey(), 0,
        out -> new IHello(EndpointDiscriminator.forUrl(url).encoded(), tag).serialize(out));
  }

  /** One sender thread: its own loopback address, many ports, pre-sealed IHellos with varied tags. */
  static void flood(int ip, String url, InetSocketAddress target, AtomicBoolean flooding, AtomicLong sent,
      AtomicLong sentBytes, AtomicLong repliesIn, AtomicLong replyBytes) {
    List<DatagramChannel> chans = new ArrayList<>();
    try {
      for (int i = 0; i < PORTS_PER_SENDER; i++) {
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        ch.bind(new InetSocketAddress("127.0.0." + ip, 0));
        ch.configureBlocking(false);
        chans.add(ch);
      }
      Random r = new Random(ip);
      ByteBuffer[] hellos = new ByteBuffer[256];
      for (int i = 0; i < hellos.length; i++) {
        hellos[i] = ByteBuffer.wrap(ihello(url, r));
      }
      ByteBuffer in = ByteBuffer.allocate(2048);
      long perThread = OFFERED_PER_SECOND / SENDERS;
      long intervalNanos = 1_000_000_000L / perThread;
      long next = System.nanoTime();
      long n = 0;
      while (flooding.get()) {
        for (int burst = 0; burst < 32; burst++) {
          ByteBuffer b = hellos[(int) (n % hellos.length)].duplicate();
          DatagramChannel ch = chans.get((int) (n % chans.size()));
          int len = b.remaining();
          if (ch.send(b, target) > 0) {
            sent.incrementAndGet();
            sentBytes.addAndGet(len);
          }
          n++;
          next += intervalNanos;
        }
        for (DatagramChannel ch : chans) { // what the node sent back (RHellos), counted, never answered
          in.clear();
          while (ch.receive(in) != null) {
            repliesIn.incrementAndGet();
            replyBytes.addAndGet(in.position());
            in.clear();
          }
        }
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    } catch (Exception e) {
      throw new RuntimeException(e);
    } finally {
      for (DatagramChannel ch : chans) {
        try {
          ch.close();
        } catch (Exception ignored) {
          // closing
        }
      }
    }
  }
}
