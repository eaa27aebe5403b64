package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.crypto.PacketCipher;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.PacketCodec;
import io.altocumulus.rtmfp.wire.PacketHeader;
import io.altocumulus.rtmfp.wire.chunk.IHello;
import io.altocumulus.rtmfp.wire.chunk.IIKeying;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 hostile datagrams against a running node while a well-behaved client keeps calling:
 * the client is served throughout, every refusal is counted by cause, and no state is created.
 */
class HostileDatagramsIT {
  static final int TOTAL = 100_000;

  @TempDir
  Path dir;

  @Test
  void nodeShrugsOffHostileTrafficAndKeepsServing() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www.resolve("app"));
    Applications apps = new Applications(www).register("app", new ServerApplication() {
      @Override
      public java.util.concurrent.CompletionStage<CallResult> onCall(Client client, String method, List<Object> args) {
        return java.util.concurrent.CompletableFuture.completedFuture(CallResult.result(args.get(0)));
      }
    });
    try (EdgeNode node = EdgeNode.start(EdgeLoopbackIT.config(www, ""), new EdgeNode.Options().applications(apps)
            // Exact counts per cause below: all of it comes from 127.0.0.1, so the per-source
            // handshake rate limit (HandshakeFloodIT) is off here.
            .endpointConfig(c -> c.helloRatePerSecond = 0));
        RtmfpClient client = RtmfpClient.open()) {
      InetSocketAddress target = node.localAddress();
      String url = "rtmfp://127.0.0.1:" + target.getPort() + "/app";
      ClientNetConnection good = client.connect(url).get(10, TimeUnit.SECONDS);
      int liveSessionId = good.session().remoteId();

      // The well-behaved client calls every 10 ms during the flood.
      AtomicBoolean flooding = new AtomicBoolean(true);
      AtomicInteger calls = new AtomicInteger();
      AtomicInteger answered = new AtomicInteger();
      AtomicLong worstMillis = new AtomicLong();
      Thread caller = new Thread(() -> {
        while (flooding.get()) {
          long t0 = System.nanoTime();
          calls.incrementAndGet();
          try {
            Object r = good.call("echo", "ping").get(2, TimeUnit.SECONDS);
            if ("ping".equals(r)) {
              answered.incrementAndGet();
            }
          } catch (Exception e) {
            // counted as unanswered
          }
          worstMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      caller.start();

      long heapBefore = usedHeapAfterGc();
      Random r = new Random(42);
      PacketCipher defaultKey = PacketCipher.forDefaultKey();
      byte[] ihello = handshakePacket(defaultKey, 0, out -> new IHello(
          EndpointDiscriminator.forUrl(url).encoded(), new byte[16]).serialize(out));
      int expectedDrops = 0;
      List<DatagramSocket> sockets = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        sockets.add(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
      }
      int sent = 0;
      while (sent < TOTAL) {
        byte[] d;
        int kind = sent % 7;
        switch (kind) {
          case 0 -> { // random bytes, random length
            d = new byte[1 + r.nextInt(1299)];
            r.nextBytes(d);
          }
          case 1 -> { // truncated IHello
            d = Arrays.copyOf(ihello, 1 + r.nextInt(ihello.length - 2));
          }
          case 2 -> { // bit-flipped IHello (in the encrypted part)
            d = ihello.clone();
            int bit = 32 + r.nextInt((d.length - 4) * 8);
            d[bit / 8] ^= (byte) (1 << (bit % 8));
          }
          case 3 -> { // the live session id, a wrong key
            PacketCipher wrong = new PacketCipher(randomKey(r));
            d = sessionPacket(wrong, liveSessionId, r);
          }
          case 4 -> { // bogus session id
            d = sessionPacket(defaultKey, r.nextInt() | 1, r);
          }
          case 5 -> { // IIKeying with a forged cookie
            byte[] cookie = new byte[64];
            r.nextBytes(cookie);
            byte[] cert = new byte[132];
            cert[0] = (byte) 0x81;
            cert[1] = 0x02;
            cert[2] = 0x1d;
            cert[3] = 0x02;
            d = handshakePacket(defaultKey, 0, out -> new IIKeying(r.nextInt() | 1, cookie, cert, new byte[76],
                new byte[] {0x58}).serialize(out));
          }
          default -> { // a chunk whose length runs past the packet
            d = handshakePacket(defaultKey, 0, out -> out.put((byte) 0x30).putShort((short) 900).put(new byte[10]));
          }
        }
        DatagramSocket s = sockets.get(sent % sockets.size());
        s.send(new DatagramPacket(d, d.length, target));
        sent++;
        expectedDrops++;
        if (sent % 500 == 0) {
          Thread.sleep(2); // paced so that the kernel's socket buffer does not drop what we count
        }
      }
      // Malformed AMF inside a real, authenticated session.
      for (int i = 0; i < 10; i++) {
        good.sendRaw(new byte[] {0x14, 0, 0, 0, 0, 0x02, 0x7f, 0x7f, 0x41});
        expectedDrops++;
      }
      int expected = expectedDrops;
      await().atMost(Duration.ofSeconds(20)).until(() -> node.drops().total() + node.udp().stats().dropped() >= expected);
      Thread.sleep(500);
      flooding.set(false);
      caller.join();
      for (DatagramSocket s : sockets) {
        s.close();
      }

      long counted = node.drops().total() + node.udp().stats().dropped();
      assertThat(counted).isEqualTo(expected);
      assertThat(node.drops().count(DropCause.BAD_CHECKSUM)).isPositive();
      assertThat(node.drops().count(DropCause.UNKNOWN_SESSION)).isPositive();
      assertThat(node.drops().count(DropCause.TOO_SHORT)).isPositive();
      assertThat(node.drops().count(DropCause.BAD_LENGTH)).isPositive();
      assertThat(node.drops().count(DropCause.BAD_COOKIE)).isEqualTo(TOTAL / 7 + (TOTAL % 7 > 5 ? 1 : 0));
      assertThat(node.drops().count(DropCause.MALFORMED_CHUNK)).isPositive();
      assertThat(node.drops().count(DropCause.MALFORMED_AMF)).isEqualTo(10);
      // No state for any of it: one session and one cookie record, both the good client's.
      await().atMost(Duration.ofSeconds(1)).until(() -> node.handshakesInFlight() == 0);
      assertThat(node.sessionCount()).isEqualTo(1);
      assertThat(node.handshakeRecords()).isEqualTo(1);
      // Memory stays flat: what the flood left behind is garbage, not state (bound generous for GC noise).
      long heapGrowth = usedHeapAfterGc() - heapBefore;
      assertThat(heapGrowth).as("heap growth after 100,000 hostile datagrams").isLessThan(16L << 20);
      // The good client was served throughout.
      assertThat(answered.get()).isGreaterThanOrEqualTo((int) (calls.get() * 0.95));
      assertThat(worstMillis.get()).isLessThan(2000);
      assertThat(good.call("echo", "after").get(5, TimeUnit.SECONDS)).isEqualTo("after");
    }
  }

  static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  interface ChunkWriter {
    void write(ByteBuffer out);
  }

  static byte[] handshakePacket(PacketCipher cipher, int sessionId, ChunkWriter chunks) {
    byte[] buf = new byte[1500];
    int p = PacketHeader.write(buf, 6, PacketHeader.MODE_STARTUP, 0x1234, -1);
    ByteBuffer out = ByteBuffer.wrap(buf, p, 1400);
    chunks.write(out);
    int n = PacketCodec.seal(buf, 0, out.position(), sessionId, cipher);
    return Arrays.copyOf(buf, n);
  }

  static byte[] sessionPacket(PacketCipher cipher, int sessionId, Random r) {
    byte[] buf = new byte[1500];
    int p = PacketHeader.write(buf, 6, PacketHeader.MODE_INITIATOR, 0x1234, -1);
    int len = 3 + r.nextInt(200);
    buf[p] = 0x01; // ping
    buf[p + 1] = 0;
    buf[p + 2] = (byte) (len - 3);
    int n = PacketCodec.seal(buf, 0, p + len, sessionId, cipher);
    return Arrays.copyOf(buf, n);
  }

  static byte[] randomKey(Random r) {
    byte[] k = new byte[16];
    r.nextBytes(k);
    return k;
  }
}
