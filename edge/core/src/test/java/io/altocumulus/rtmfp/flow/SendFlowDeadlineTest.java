package io.altocumulus.rtmfp.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.time.FakeClock;
import io.altocumulus.rtmfp.wire.chunk.ChunkType;
import io.altocumulus.rtmfp.wire.chunk.DataAck;
import io.altocumulus.rtmfp.wire.chunk.UserData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Header + shared body messages, deadlines, the bounded queue and abandonQueued (RTMFP-WIRE §8.8). */
class SendFlowDeadlineTest {
  private static final int MTU = 1192;
  private static final long MS = 1_000_000L;
  private final FakeClock clock = new FakeClock();

  private static final class Collector implements MessageSink {
    final List<byte[]> got = new ArrayList<>();
    final List<Long> at = new ArrayList<>();
    final FakeClock clock;
    int finished;

    Collector(FakeClock clock) {
      this.clock = clock;
    }

    @Override
    public void onMessage(RecvFlow flow, byte[] buf, int off, int len) {
      got.add(Arrays.copyOfRange(buf, off, off + len));
      at.add(clock.nanoTime());
    }

    @Override
    public void onFinished(RecvFlow flow) {
      finished++;
    }
  }

  private ByteBuffer fill(SendFlow f, SessionCongestion cc) {
    ByteBuffer b = ByteBuffer.allocate(MTU);
    int n = f.fill(b, MTU, clock.nanoTime(), cc, false);
    assertThat(b.position()).isEqualTo(n);
    b.flip();
    return b;
  }

  /** Feeds every user data chunk of {@code pkt} to {@code r}; returns how many there were. */
  private static int deliver(ByteBuffer pkt, RecvFlow r, MessageSink sink) {
    byte[] bytes = Arrays.copyOfRange(pkt.array(), pkt.position(), pkt.limit());
    ByteBuffer in = ByteBuffer.wrap(bytes);
    UserData ud = new UserData();
    int n = 0;
    while (in.remaining() >= 3) {
      int type = in.get() & 0xFF;
      int len = in.getShort() & 0xFFFF;
      int end = in.position() + len;
      ByteBuffer payload = in.duplicate().limit(end);
      if (type == ChunkType.USER_DATA) {
        ud.parse(payload);
      } else if (type == ChunkType.NEXT_USER_DATA) {
        ud.parseNext(payload);
      } else {
        assertThat(type).isEqualTo(ChunkType.BUFFER_PROBE);
        r.onBufferProbe();
        in.position(end);
        continue;
      }
      assertThat(ud.flowId).isEqualTo(r.flowId());
      r.onFragment(ud.flags, ud.sequenceNumber, ud.fsnOffset, bytes, ud.dataOffset, ud.dataLength,
          sink);
      n++;
      in.position(end);
    }
    return n;
  }

  private static DataAck ackOf(RecvFlow r) {
    ByteBuffer a = ByteBuffer.allocate(r.ackSize());
    r.writeAck(a);
    a.flip();
    assertThat(a.get() & 0xFF).isEqualTo(ChunkType.DATA_ACK_RANGES);
    a.getShort();
    DataAck ack = new DataAck();
    ack.parseRanges(a);
    return ack;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void sharedBodyIsFragmentedAcrossTheHeaderOnTwoFlowsAndNeverModified() {
    byte[] body = new byte[3500]; // three packets
    new Random(7).nextBytes(body);
    byte[] pristine = body.clone();
    byte[][] headers = {{9, 0, 0, 0, 1}, {8, 0, 0, 0, 2}};
    for (int i = 0; i < 2; i++) {
      SessionCongestion cc = new SessionCongestion(MTU);
      SendFlow f = new SendFlow(3 + i, null, -1);
      RecvFlow r = new RecvFlow(3 + i, null, -1, RecvLimits.DEFAULT);
      Collector sink = new Collector(clock);
      assertThat(f.write(headers[i], body, true, Long.MAX_VALUE)).isTrue();
      assertThat(f.write(null, body, true, Long.MAX_VALUE)).isTrue();
      assertThat(f.write(new byte[0], body, true, Long.MAX_VALUE)).isTrue();
      assertThat(f.write(headers[i], new byte[0], true, Long.MAX_VALUE)).isTrue();
      assertThat(f.queuedBytes()).isEqualTo(3L * body.length + 10);
      int chunks = 0;
      while (f.hasWork(clock.nanoTime())) {
        chunks += deliver(fill(f, cc), r, sink);
        f.onAck(ackOf(r), clock.nanoTime(), cc);
      }
      assertThat(chunks).isGreaterThanOrEqualTo(3 * 3 + 1);
      assertThat(sink.got).hasSize(4);
      assertThat(sink.got.get(0)).isEqualTo(concat(headers[i], pristine));
      assertThat(sink.got.get(1)).isEqualTo(pristine);
      assertThat(sink.got.get(2)).isEqualTo(pristine);
      assertThat(sink.got.get(3)).isEqualTo(headers[i]);
      assertThat(f.queuedBytes()).isZero();
      assertThat(f.bytesInFlight()).isZero();
    }
    assertThat(body).isEqualTo(pristine);
    assertThat(headers[0]).containsExactly(9, 0, 0, 0, 1);
  }

  @Test
  void fragmentBoundaryInsideTheHeader() {
    // Tiny packets: the header itself is cut, the first body byte starts a later fragment.
    SessionCongestion cc = new SessionCongestion(MTU);
    SendFlow f = new SendFlow(2, null, -1);
    RecvFlow r = new RecvFlow(2, null, -1, RecvLimits.DEFAULT);
    Collector sink = new Collector(clock);
    byte[] header = new byte[100];
    byte[] body = new byte[300];
    Arrays.fill(header, (byte) 1);
    Arrays.fill(body, (byte) 2);
    f.write(header, body, true, Long.MAX_VALUE);
    int chunks = 0;
    while (f.hasWork(clock.nanoTime())) {
      ByteBuffer b = ByteBuffer.allocate(MTU);
      int n = f.fill(b, 8 + 70, clock.nanoTime(), cc, false); // 70 data bytes a fragment
      assertThat(n).isPositive();
      b.flip();
      chunks += deliver(b, r, sink);
      f.onAck(ackOf(r), clock.nanoTime(), cc);
    }
    assertThat(chunks).isEqualTo(6);
    assertThat(sink.got).containsExactly(concat(header, body));
  }

  @Test
  void messagePastItsDeadlineBeforeSendingIsNeverSentAndCountedExpired() {
    SessionCongestion cc = new SessionCongestion(MTU);
    SendFlow f = new SendFlow(2, null, -1);
    RecvFlow r = new RecvFlow(2, null, -1, RecvLimits.DEFAULT);
    Collector sink = new Collector(clock);
    long t0 = clock.nanoTime();
    f.write(new byte[] {1}, new byte[2000], true, t0 + 50 * MS);
    f.write(new byte[] {2}, new byte[10], false, t0 + 50 * MS);
    assertThat(f.queuedBytes()).isEqualTo(2012);
    clock.advanceMillis(50);
    assertThat(f.hasWork(clock.nanoTime())).isFalse();
    assertThat(f.expiredMessages()).isEqualTo(2);
    assertThat(f.queuedBytes()).isZero();
    f.write(new byte[] {3}, new byte[10], true, Long.MAX_VALUE);
    ByteBuffer p = fill(f, cc);
    deliver(p, r, sink);
    assertThat(f.fragmentsSent()).isEqualTo(1);
    assertThat(sink.got).hasSize(1);
    assertThat(sink.got.get(0)[0]).isEqualTo((byte) 3);
    assertThat(r.lostFragments()).isZero(); // nothing of the expired ones ever had a sequence number
  }

  @Test
  void partlySentMessageExpiresInTheQueue() {
    SessionCongestion cc = new SessionCongestion(MTU);
    SendFlow f = new SendFlow(2, null, -1);
    RecvFlow r = new RecvFlow(2, null, -1, RecvLimits.DEFAULT);
    Collector sink = new Collector(clock);
    f.write(null, new byte[5000], true, clock.nanoTime() + 100 * MS);
    deliver(fill(f, cc), r, sink); // first fragment only
    f.onAck(ackOf(r), clock.nanoTime(), cc);
    f.write(null, new byte[] {42}, true, Long.MAX_VALUE);
    clock.advanceMillis(100);
    while (f.hasWork(clock.nanoTime())) {
      deliver(fill(f, cc), r, sink);
      f.onAck(ackOf(r), clock.nanoTime(), cc);
    }
    assertThat(f.expiredMessages()).isEqualTo(1);
    assertThat(f.fragmentsSent()).isEqualTo(2);
    assertThat(sink.got).hasSize(1);
    assertThat(sink.got.get(0)).containsExactly(42);
  }

  /**
   * Fragments 1..3 sent, 1 lost; acks for 2, 3 and 4 detect the loss. {@code advanceBeforeLoss}
   * and {@code advanceAfterLoss} ms pass before the 4th fill and before the retransmission.
   */
  private Collector lossScenario(long deadlineMs, int advanceBeforeLoss, int advanceAfterLoss,
      SendFlow f, RecvFlow r) {
    SessionCongestion cc = new SessionCongestion(MTU);
    Collector sink = new Collector(clock);
    long t0 = clock.nanoTime();
    for (int i = 0; i < 5; i++) {
      byte[] body = new byte[1150]; // one fragment a packet
      body[0] = (byte) i;
      f.write(null, body, true, i == 0 ? t0 + deadlineMs * MS : Long.MAX_VALUE);
    }
    fill(f, cc); // seq 1: lost
    ByteBuffer p2 = fill(f, cc);
    ByteBuffer p3 = fill(f, cc);
    deliver(p2, r, sink);
    f.onAck(ackOf(r), clock.nanoTime(), cc);
    clock.advanceMillis(advanceBeforeLoss);
    ByteBuffer p4 = fill(f, cc);
    deliver(p3, r, sink);
    f.onAck(ackOf(r), clock.nanoTime(), cc);
    deliver(p4, r, sink);
    f.onAck(ackOf(r), clock.nanoTime(), cc);
    clock.advanceMillis(advanceAfterLoss);
    while (f.hasWork(clock.nanoTime())) {
      deliver(fill(f, cc), r, sink);
      f.onAck(ackOf(r), clock.nanoTime(), cc);
    }
    return sink;
  }

  @Test
  void lostFragmentBeforeItsDeadlineIsRetransmitted() {
    SendFlow f = new SendFlow(2, null, -1);
    RecvFlow r = new RecvFlow(2, null, -1, RecvLimits.DEFAULT);
    Collector sink = lossScenario(1000, 10, 10, f, r);
    assertThat(f.retransmittedFragments()).isEqualTo(1);
    assertThat(f.abandonedFragments()).isZero();
    assertThat(sink.got).extracting(m -> (int) m[0]).containsExactly(0, 1, 2, 3, 4);
    assertThat(r.lostFragments()).isZero();
  }

  @Test
  void fragmentLostAndUnackedPastItsDeadlineIsAbandonedAndTheReceiverMovesOn() {
    // Deadline passes while seq 1 is still in flight: the next fragment already carries FSN 1.
    SendFlow f = new SendFlow(2, null, -1);
    RecvFlow r = new RecvFlow(2, null, -1, RecvLimits.DEFAULT);
    Collector sink = lossScenario(50, 60, 10, f, r);
    assertThat(f.abandonedFragments()).isEqualTo(1);
    assertThat(f.expiredMessages()).isZero(); // it had left the queue
    assertThat(sink.got).extracting(m -> (int) m[0]).containsExactly(1, 2, 3, 4);
    assertThat(r.messagesDelivered()).isEqualTo(4);
    assertThat(f.bytesInFlight()).isZero();
    assertThat(f.hasWork(clock.nanoTime())).isFalse();
  }

  @Test
  void lossDetectedBeforeTheDeadlineButRetransmittedAfterGoesOutAsAbandoned() {
    SendFlow f = new SendFlow(2, null, -1);
    RecvFlow r = new RecvFlow(2, null, -1, RecvLimits.DEFAULT);
    Collector sink = lossScenario(50, 10, 60, f, r);
    assertThat(f.abandonedFragments()).isEqualTo(1);
    assertThat(f.retransmittedFragments()).isEqualTo(1); // the empty ABN fragment
    assertThat(sink.got).extracting(m -> (int) m[0]).containsExactly(1, 2, 3, 4);
    assertThat(r.messagesDelivered()).isEqualTo(4);
  }

  @Test
  void retransmitTimeoutPastTheDeadlineAbandons() {
    SessionCongestion cc = new SessionCongestion(MTU);
    SendFlow f = new SendFlow(2, null, -1);
    f.write(null, new byte[100], true, clock.nanoTime() + 100 * MS);
    fill(f, cc);
    clock.advanceMillis(3000);
    cc.onTimeout(clock.nanoTime());
    f.onRetransmitTimeout(clock.nanoTime());
    ByteBuffer p = fill(f, cc);
    UserData ud = new UserData();
    ud.parse(p.position(3));
    assertThat(ud.flags & UserData.ABN).isEqualTo(UserData.ABN);
    assertThat(ud.dataLength).isZero();
    assertThat(f.abandonedFragments()).isEqualTo(1);
  }

  @Test
  void queueLimitRefusesAndCountsButBytesInFlightDoNotCount() {
    SessionCongestion cc = new SessionCongestion(MTU);
    SendFlow f = new SendFlow(2, null, -1);
    f.setQueueLimit(1000);
    assertThat(f.write(new byte[5], new byte[595], true, Long.MAX_VALUE)).isTrue();
    assertThat(f.write(new byte[5], new byte[400], true, Long.MAX_VALUE)).isFalse();
    assertThat(f.droppedMessages()).isEqualTo(1);
    assertThat(f.write(new byte[400], false)).isTrue(); // exactly at the limit
    assertThat(f.queuedBytes()).isEqualTo(1000);
    assertThat(f.write(new byte[1], true)).isFalse();
    assertThat(f.droppedMessages()).isEqualTo(2);
    fill(f, cc);
    assertThat(f.queuedBytes()).isZero();
    assertThat(f.bytesInFlight()).isEqualTo(1000);
    assertThat(f.write(new byte[1000], true)).isTrue();
    f.setQueueLimit(0);
    assertThat(f.write(new byte[100_000], true)).isTrue();
    assertThat(f.droppedMessages()).isEqualTo(2);
    f.close();
    assertThat(f.write(new byte[1], true)).isFalse();
    assertThat(f.droppedMessages()).isEqualTo(2);
  }

  @Test
  void abandonQueuedDropsTheQueueAndMovesTheFsnPastWhatIsInFlight() {
    SessionCongestion cc = new SessionCongestion(MTU);
    SendFlow f = new SendFlow(2, null, -1);
    RecvFlow r = new RecvFlow(2, null, -1, RecvLimits.DEFAULT);
    Collector sink = new Collector(clock);
    byte[] shared = new byte[1150]; // one fragment a packet
    for (int i = 0; i < 4; i++) {
      f.write(new byte[] {(byte) i}, shared, true, Long.MAX_VALUE);
    }
    fill(f, cc); // seq 1, never arrives
    f.abandonQueued();
    assertThat(f.droppedMessages()).isEqualTo(3);
    assertThat(f.queuedBytes()).isZero();
    assertThat(f.abandonedFragments()).isEqualTo(1);
    assertThat(f.bytesInFlight()).isZero();
    f.write(new byte[] {9}, new byte[10], true, Long.MAX_VALUE);
    f.close();
    while (f.hasWork(clock.nanoTime())) {
      deliver(fill(f, cc), r, sink);
      f.onAck(ackOf(r), clock.nanoTime(), cc);
    }
    assertThat(sink.got).hasSize(1);
    assertThat(sink.got.get(0)[0]).isEqualTo((byte) 9);
    assertThat(f.retransmittedFragments()).isEqualTo(1); // seq 1 re-sent empty with ABN
    assertThat(sink.finished).isEqualTo(1);
    assertThat(f.finished()).isTrue();
  }

  // --- media-like traffic with deadlines through a lossy, reordering, duplicating channel ---

  private record Packet(long at, long seqNo, byte[] bytes, long sentAt) {}

  private static final class Channel {
    static final int MAX_DELAY_MS = 79;
    final Random rnd;
    final double loss;
    final PriorityQueue<Packet> q = new PriorityQueue<>((a, b) -> a.at != b.at
        ? Long.compare(a.at, b.at) : Long.compare(a.seqNo, b.seqNo));
    long n;

    Channel(Random rnd, double loss) {
      this.rnd = rnd;
      this.loss = loss;
    }

    void send(byte[] bytes, long now, long sentAt) {
      if (rnd.nextDouble() < loss) {
        return;
      }
      int copies = rnd.nextDouble() < 0.05 ? 2 : 1;
      for (int i = 0; i < copies; i++) {
        long delay = (20 + rnd.nextInt(MAX_DELAY_MS - 19)) * MS; // jitter reorders
        q.add(new Packet(now + delay, n++, bytes, sentAt));
      }
    }

    Packet poll(long now) {
      return !q.isEmpty() && q.peek().at <= now ? q.poll() : null;
    }
  }

  /**
   * Every data fragment of a frame leaves before the frame's deadline (fragments are cut in
   * sequence order, and the first of a frame starts with its 5-byte header carrying the index).
   */
  private static void checkNoDataPastDeadline(byte[] pkt, long now, Map<Long, Integer> frameOfSeq,
      Map<Integer, Long> deadlines) {
    ByteBuffer in = ByteBuffer.wrap(pkt);
    UserData ud = new UserData();
    while (in.remaining() >= 3) {
      int type = in.get() & 0xFF;
      int len = in.getShort() & 0xFFFF;
      int e = in.position() + len;
      ByteBuffer payload = in.duplicate().limit(e);
      in.position(e);
      if (type == ChunkType.USER_DATA) {
        ud.parse(payload);
      } else if (type == ChunkType.NEXT_USER_DATA) {
        ud.parseNext(payload);
      } else {
        continue;
      }
      if ((ud.flags & UserData.ABN) != 0) {
        assertThat(ud.dataLength).isZero();
        continue;
      }
      Integer frame = frameOfSeq.get(ud.sequenceNumber);
      if (frame == null) {
        int fra = ud.flags & UserData.FRA_MASK;
        frame = fra == UserData.WHOLE || fra == UserData.BEGIN
            ? ByteBuffer.wrap(pkt, ud.dataOffset + 1, 4).getInt()
            : frameOfSeq.get(ud.sequenceNumber - 1);
        frameOfSeq.put(ud.sequenceNumber, frame);
      }
      assertThat(now).as("fragment %d of frame %d sent past its deadline", ud.sequenceNumber, frame)
          .isLessThan(deadlines.get(frame));
    }
  }

  /**
   * Receiver-side lateness allowed: data all left before the deadline, but a complete frame can
   * wait at the receiver behind an earlier abandoned fragment until the new FSN arrives, which a
   * lost ABN or a full congestion window delays (by up to about one ERTO).
   */
  private static final long LATE_BOUND = 1000 * MS;

  @Test
  void mediaWithDeadlinesIsNeverDeliveredLateAndQueuesStayBounded() {
    Random rnd = new Random(5);
    SessionCongestion cc = new SessionCongestion(MTU);
    SendFlow sender = new SendFlow(9, new byte[] {1, 2}, 2);
    RecvFlow receiver = new RecvFlow(9, new byte[] {1, 2}, 2, RecvLimits.DEFAULT);
    Collector sink = new Collector(clock);
    Channel fwd = new Channel(rnd, 0.2);
    Channel back = new Channel(rnd, 0.2);
    long limit = 40_000;
    long window = 400 * MS;
    sender.setQueueLimit(limit);
    // A few bodies shared by every frame, as a relay shares one frame among its players.
    byte[][] bodies = new byte[4][];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = new byte[i == 0 ? 8_000 : 300 + 600 * i];
      rnd.nextBytes(bodies[i]);
    }
    byte[][] pristine = Arrays.stream(bodies).map(byte[]::clone).toArray(byte[][]::new);
    Map<Integer, Long> deadlines = new HashMap<>();
    Map<Integer, Integer> bodyOf = new HashMap<>();
    Map<Long, Integer> frameOfSeq = new HashMap<>();
    long maxLate = Long.MIN_VALUE;
    int frames = 0;
    long maxQueued = 0;
    UserData ud = new UserData();
    DataAck ack = new DataAck();
    long end = clock.nanoTime() + 20_000 * MS;
    for (int step = 0; step < 200_000 && !(sender.finished() && sink.finished == 1); step++) {
      long now = clock.nanoTime();
      if (now < end && step % 4 == 0) { // a frame every 20 ms, a keyframe every 25
        int b = frames % 25 == 0 ? 0 : 1 + rnd.nextInt(3);
        byte[] header = {9, (byte) (frames >>> 24), (byte) (frames >>> 16), (byte) (frames >>> 8),
            (byte) frames};
        if (sender.write(header, bodies[b], true, now + window)) {
          deadlines.put(frames, now + window);
          bodyOf.put(frames, b);
        }
        frames++;
        maxQueued = Math.max(maxQueued, sender.queuedBytes());
      } else if (now >= end) {
        sender.close();
      }
      if (cc.timeoutDue(now)) {
        cc.onTimeout(now);
        sender.onRetransmitTimeout(now);
      }
      while (sender.hasWork(now) && cc.burstAllowed()) {
        ByteBuffer b = ByteBuffer.allocate(MTU);
        int n = sender.fill(b, MTU, now, cc, false);
        if (n == 0) {
          break;
        }
        cc.onDataPacketSent();
        byte[] pkt = Arrays.copyOf(b.array(), n);
        checkNoDataPastDeadline(pkt, now, frameOfSeq, deadlines);
        fwd.send(pkt, now, now);
      }
      Packet p;
      while ((p = fwd.poll(now)) != null) {
        ByteBuffer in = ByteBuffer.wrap(p.bytes);
        ud.reset();
        while (in.remaining() >= 3) {
          int type = in.get() & 0xFF;
          int len = in.getShort() & 0xFFFF;
          int e = in.position() + len;
          ByteBuffer payload = in.duplicate().limit(e);
          if (type == ChunkType.USER_DATA) {
            ud.parse(payload);
          } else if (type == ChunkType.NEXT_USER_DATA) {
            ud.parseNext(payload);
          } else {
            receiver.onBufferProbe();
            in.position(e);
            continue;
          }
          receiver.onFragment(ud.flags, ud.sequenceNumber, ud.fsnOffset, p.bytes, ud.dataOffset,
              ud.dataLength, sink);
          in.position(e);
        }
        if (receiver.ackPending()) {
          ByteBuffer a = ByteBuffer.allocate(receiver.ackSize());
          receiver.writeAck(a);
          back.send(a.array(), now, p.sentAt);
        }
      }
      while ((p = back.poll(now)) != null) {
        cc.onPacketReceived();
        cc.onRttSample(now - p.sentAt);
        ByteBuffer in = ByteBuffer.wrap(p.bytes);
        in.get();
        in.getShort();
        ack.parseRanges(in);
        sender.onAck(ack, now, cc);
      }
      clock.advanceMillis(5);
    }

    assertThat(sender.finished()).isTrue();
    assertThat(sink.finished).isEqualTo(1);
    assertThat(maxQueued).isLessThanOrEqualTo(limit);
    assertThat(sender.queuedBytes()).isZero();
    // The channel must have hurt: some frames expired, were refused, or lost fragments abandoned.
    assertThat(sender.expiredMessages() + sender.droppedMessages()).isPositive();
    assertThat(sender.abandonedFragments()).isPositive();
    assertThat(sink.got.size()).isGreaterThan(frames / 3).isLessThan(frames);
    int last = -1;
    for (int i = 0; i < sink.got.size(); i++) {
      byte[] m = sink.got.get(i);
      int idx = ByteBuffer.wrap(m, 1, 4).getInt();
      maxLate = Math.max(maxLate, sink.at.get(i) - deadlines.get(idx));
      assertThat(idx).as("in order, at most once").isGreaterThan(last);
      last = idx;
      assertThat(Arrays.copyOfRange(m, 5, m.length)).isEqualTo(pristine[bodyOf.get(idx)]);
      assertThat(sink.at.get(i)).as("frame %d delivered late", idx)
          .isLessThanOrEqualTo(deadlines.get(idx) + LATE_BOUND);
    }
    assertThat(maxLate).isPositive(); // some frames did wait behind an abandoned fragment
    for (int i = 0; i < bodies.length; i++) {
      assertThat(bodies[i]).isEqualTo(pristine[i]);
    }
  }
}
