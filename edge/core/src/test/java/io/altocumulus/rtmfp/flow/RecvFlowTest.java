package io.altocumulus.rtmfp.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import io.altocumulus.rtmfp.wire.chunk.DataAck;
import io.altocumulus.rtmfp.wire.chunk.UserData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecvFlowTest {
  static final class Sink implements MessageSink {
    final List<String> messages = new ArrayList<>();
    final List<byte[]> buffers = new ArrayList<>();
    int finished;

    @Override
    public void onMessage(RecvFlow flow, byte[] buf, int off, int len) {
      messages.add(new String(buf, off, len));
      buffers.add(buf);
    }

    @Override
    public void onFinished(RecvFlow flow) {
      finished++;
    }
  }

  private final Sink sink = new Sink();
  private final RecvFlow flow = new RecvFlow(2, new byte[] {0x54, 0x43, 4, 0}, -1, RecvLimits.DEFAULT);

  private void frag(int flags, long seq, long fsnOffset, String data) {
    byte[] b = data.getBytes();
    flow.onFragment(flags, seq, fsnOffset, b, 0, b.length, sink);
  }

  private DataAck ack() {
    ByteBuffer out = ByteBuffer.allocate(flow.ackSize());
    flow.writeAck(out);
    assertThat(out.remaining()).isZero();
    out.flip();
    assertThat(out.get() & 0xFF).isEqualTo(0x51);
    assertThat(out.getShort() & 0xFFFF).isEqualTo(out.remaining());
    DataAck a = new DataAck();
    a.parseRanges(out);
    return a;
  }

  @Test
  void inOrderWholeMessagesDeliveredWithoutCopy() {
    byte[] packet = "xxhelloyy".getBytes();
    flow.onFragment(UserData.WHOLE, 1, 1, packet, 2, 5, sink);
    assertThat(sink.messages).containsExactly("hello");
    assertThat(sink.buffers.get(0)).isSameAs(packet);
    assertThat(flow.ackPending()).isTrue();
    DataAck a = ack();
    assertThat(a.cumulativeAck).isEqualTo(1);
    assertThat(a.rangeCount()).isZero();
    assertThat(flow.ackPending()).isFalse();
  }

  @Test
  void outOfOrderBufferedAndAckedWithRanges() {
    frag(UserData.WHOLE, 1, 1, "a");
    frag(UserData.WHOLE, 3, 3, "c");
    frag(UserData.WHOLE, 5, 5, "e");
    frag(UserData.WHOLE, 6, 6, "f");
    assertThat(sink.messages).containsExactly("a");
    DataAck a = ack();
    assertThat(a.cumulativeAck).isEqualTo(1);
    assertThat(a.rangeCount()).isEqualTo(2);
    assertThat(a.rangeStart(0)).isEqualTo(3);
    assertThat(a.rangeEnd(1)).isEqualTo(6);
    frag(UserData.WHOLE, 2, 2, "b");
    frag(UserData.WHOLE, 4, 4, "d");
    assertThat(sink.messages).containsExactly("a", "b", "c", "d", "e", "f");
    assertThat(ack().cumulativeAck).isEqualTo(6);
  }

  @Test
  void duplicatesIgnoredButAcked() {
    frag(UserData.WHOLE, 1, 1, "a");
    frag(UserData.WHOLE, 3, 3, "c");
    ack();
    frag(UserData.WHOLE, 1, 1, "a");
    frag(UserData.WHOLE, 3, 3, "c");
    assertThat(flow.ackPending()).isTrue();
    frag(UserData.WHOLE, 2, 2, "b");
    assertThat(sink.messages).containsExactly("a", "b", "c");
  }

  @Test
  void fragmentedMessageReassembled() {
    frag(UserData.BEGIN, 1, 1, "hel");
    frag(UserData.END, 4, 4, "!");
    frag(UserData.MIDDLE, 3, 3, "rld");
    assertThat(sink.messages).isEmpty();
    frag(UserData.MIDDLE, 2, 2, "lo wo");
    assertThat(sink.messages).containsExactly("hello world!");
  }

  @Test
  void abandonDiscardsPartialMessage() {
    frag(UserData.BEGIN, 1, 1, "par");
    frag(UserData.ABN, 2, 2, "");
    frag(UserData.WHOLE, 3, 3, "next");
    assertThat(sink.messages).containsExactly("next");
    assertThat(flow.lostFragments()).isEqualTo(1);
  }

  @Test
  void middleWithoutBeginIsDropped() {
    frag(UserData.MIDDLE, 1, 1, "x");
    frag(UserData.END, 2, 2, "y");
    frag(UserData.WHOLE, 3, 3, "z");
    assertThat(sink.messages).containsExactly("z");
    assertThat(flow.lostFragments()).isEqualTo(2);
  }

  @Test
  void fsnJumpSkipsAbandonedSequenceNumbers() {
    frag(UserData.WHOLE, 1, 1, "a");
    frag(UserData.BEGIN, 2, 2, "b1");
    frag(UserData.WHOLE, 4, 4, "d");
    // 3 (END of b) was abandoned by the sender: seq 6 says FSN = 5 (6 - 1); 5 never arrived either.
    frag(UserData.WHOLE, 6, 1, "f");
    assertThat(sink.messages).containsExactly("a", "d", "f");
    assertThat(flow.lostFragments()).isEqualTo(2); // 3 and 5
    assertThat(ack().cumulativeAck).isEqualTo(6);
  }

  @Test
  void finDeliveredOnce() {
    frag(UserData.WHOLE | UserData.FIN, 2, 2, "last");
    assertThat(flow.finished()).isFalse();
    frag(UserData.WHOLE, 1, 1, "first");
    assertThat(sink.messages).containsExactly("first", "last");
    assertThat(flow.finished()).isTrue();
    assertThat(sink.finished).isEqualTo(1);
    frag(UserData.ABN | UserData.FIN, 3, 3, "");
    frag(UserData.WHOLE | UserData.FIN, 2, 2, "last");
    assertThat(sink.finished).isEqualTo(1);
    assertThat(ack().cumulativeAck).isEqualTo(2);
  }

  @Test
  void limitsThrowLimitExceeded() {
    RecvFlow small = new RecvFlow(3, null, -1, new RecvLimits(2, 10, 4096));
    byte[] b = "abc".getBytes();
    small.onFragment(UserData.WHOLE, 2, 2, b, 0, 3, sink);
    small.onFragment(UserData.WHOLE, 3, 3, b, 0, 3, sink);
    assertThatThrownBy(() -> small.onFragment(UserData.WHOLE, 4, 4, b, 0, 3, sink))
        .isInstanceOf(WireException.class)
        .extracting(e -> ((WireException) e).dropCause()).isEqualTo(DropCause.LIMIT_EXCEEDED);
    small.onFragment(UserData.WHOLE, 1, 1, b, 0, 3, sink);
    assertThat(sink.messages).containsExactly("abc", "abc", "abc");

    byte[] big = new byte[6];
    small.onFragment(UserData.BEGIN, 4, 4, big, 0, 6, sink);
    assertThatThrownBy(() -> small.onFragment(UserData.END, 5, 5, big, 0, 6, sink))
        .isInstanceOf(WireException.class)
        .extracting(e -> ((WireException) e).dropCause()).isEqualTo(DropCause.LIMIT_EXCEEDED);
    small.onFragment(UserData.WHOLE, 6, 6, b, 0, 3, sink);
    assertThat(sink.messages).hasSize(4);
  }

  @Test
  void bufferProbeMakesAckPendingAndWindowIsAdvertised() {
    RecvFlow f = new RecvFlow(4, null, -1, new RecvLimits(10, 8192, 8192));
    f.onBufferProbe();
    assertThat(f.ackPending()).isTrue();
    ByteBuffer out = ByteBuffer.allocate(16);
    f.writeAck(out);
    assertThat(HexFormat.of().formatHex(Arrays.copyOf(out.array(), out.position())))
        .isEqualTo("51000304" + "08" + "00");
  }

  @Test
  void duplicateOfFragmentLeftBufferedByLimitErrorKeepsAckWellFormed() {
    // Fragment 2 is buffered; fragment 1 opens a message above maxMessageBytes, so the limit error
    // cuts the drain short with 2 still buffered; then 2 arrives again.
    RecvFlow f = new RecvFlow(5, null, -1, new RecvLimits(16, 10, 4096));
    byte[] mid = "mm".getBytes();
    byte[] big = "0123456789ABCDEF".getBytes();
    f.onFragment(UserData.MIDDLE, 2, 2, mid, 0, mid.length, sink);
    assertThatThrownBy(() -> f.onFragment(UserData.BEGIN, 1, 1, big, 0, big.length, sink))
        .isInstanceOf(WireException.class);
    f.onFragment(UserData.MIDDLE, 2, 2, mid, 0, mid.length, sink);
    ByteBuffer out = ByteBuffer.allocate(64);
    f.writeAck(out); // threw IllegalArgumentException (range at or below the cumulative ack)
    out.flip().position(3);
    DataAck a = new DataAck();
    a.parseRanges(out);
    assertThat(a.cumulativeAck()).isEqualTo(2);
    assertThat(a.rangeCount()).isZero();
  }

  @Test
  void fragmentsAboveAnAdvancingFsnStayWithinTheBufferLimits() {
    // Each fragment moves the FSN up by one but sits far ahead of it, with a gap before it: it
    // used to be buffered without the limit check, so a peer could make the flow hold any amount.
    RecvFlow f = new RecvFlow(6, null, -1, new RecvLimits(8, 1 << 20, 1 << 20));
    byte[] data = new byte[100];
    int refused = 0;
    for (int k = 1; k <= 100; k++) {
      long seq = 1_000_000L + 2L * k;
      try {
        f.onFragment(UserData.WHOLE, seq, seq - k, data, 0, data.length, sink);
      } catch (WireException e) {
        assertThat(e.dropCause()).isEqualTo(DropCause.LIMIT_EXCEEDED);
        refused++;
      }
    }
    assertThat(refused).isEqualTo(92);
    assertThat(f.bufferBlocksAvailable()).isEqualTo(((1 << 20) - 8 * 100) / 1024);
    assertThat(f.lostFragments()).isEqualTo(100); // the FSN still moved: 1..100 given up
  }
}
