package io.altocumulus.rtmfp.wire.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowChunksTest {
  private static final HexFormat HEX = HexFormat.of();

  private static ByteBuffer buf(String hex) {
    return ByteBuffer.wrap(HEX.parseHex(hex.replace(" ", "")));
  }

  private static String hex(ByteBuffer out) {
    out.flip();
    byte[] b = new byte[out.remaining()];
    out.get(b);
    return HEX.formatHex(b);
  }

  @Test
  void v8AckRangesParse() {
    DataAck ack = new DataAck();
    ack.parseRanges(buf("02 7f 03 00 00 01 01"));
    assertThat(ack.flowId).isEqualTo(2);
    assertThat(ack.bufferBlocksAvailable).isEqualTo(0x7f);
    assertThat(ack.cumulativeAck).isEqualTo(3);
    assertThat(ack.rangeCount()).isEqualTo(2);
    assertThat(ack.rangeStart(0)).isEqualTo(5);
    assertThat(ack.rangeEnd(0)).isEqualTo(5);
    assertThat(ack.rangeStart(1)).isEqualTo(8);
    assertThat(ack.rangeEnd(1)).isEqualTo(9);
    assertThat(ack.covers(4)).isFalse();
    assertThat(ack.covers(5)).isTrue();
    assertThat(ack.covers(7)).isFalse();
    assertThat(ack.covers(9)).isTrue();
    assertThat(ack.covers(10)).isFalse();
  }

  @Test
  void v8AckRangesWrite() {
    DataAck ack = new DataAck();
    ack.clear(2, 0x7f, 3);
    ack.addRange(5, 5);
    ack.addRange(8, 9);
    ByteBuffer out = ByteBuffer.allocate(64);
    ack.write(out);
    assertThat(ack.size()).isEqualTo(10);
    assertThat(hex(out)).isEqualTo("510007027f0300000101");

    DataAck simple = new DataAck();
    simple.clear(2, 0x7f, 1);
    ByteBuffer o2 = ByteBuffer.allocate(16);
    simple.write(o2);
    assertThat(hex(o2)).isEqualTo("510003027f01"); // V8 "contiguous to 1"
  }

  @Test
  void bitmapAckLeastSignificantBitIsCumAckPlusTwo() {
    DataAck ack = new DataAck();
    // cumAck 3; bitmap 0x0d = bits 0,2,3 -> 5, 7, 8; second byte 0x01 -> 13
    ack.parseBitmap(buf("02 10 03 0d 01"));
    assertThat(ack.cumulativeAck).isEqualTo(3);
    assertThat(ack.rangeCount()).isEqualTo(3);
    assertThat(ack.rangeStart(0)).isEqualTo(5);
    assertThat(ack.rangeEnd(0)).isEqualTo(5);
    assertThat(ack.rangeStart(1)).isEqualTo(7);
    assertThat(ack.rangeEnd(1)).isEqualTo(8);
    assertThat(ack.rangeStart(2)).isEqualTo(13);
    assertThat(ack.rangeEnd(2)).isEqualTo(13);
  }

  @Test
  void userDataV7HeaderRoundTrip() {
    byte[] meta = HEX.parseHex("54430400");
    byte[] msg = {1, 2, 3};
    ByteBuffer out = ByteBuffer.allocate(64);
    UserData.write(out, false, 0, 2, 1, 1, meta, 2, msg, 0, 3);
    assertThat(UserData.headerSize(false, 0, 2, 1, 1, meta, 2) + 3).isEqualTo(out.position());
    // RTMFP-WIRE §12 V7: 10 len 80 02 01 01 05 0054430400 02 0a 02 00 <message>
    assertThat(hex(out)).isEqualTo("100011" + "80020101" + "050054430400" + "020a02" + "00" + "010203");

    ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("80020101050054430400020a0200010203"));
    UserData ud = new UserData();
    ud.parse(in);
    assertThat(ud.flags).isEqualTo(0x80);
    assertThat(ud.flowId).isEqualTo(2);
    assertThat(ud.sequenceNumber).isEqualTo(1);
    assertThat(ud.fsnOffset).isEqualTo(1);
    assertThat(ud.metadata).isEqualTo(meta);
    assertThat(ud.associatedFlowId).isEqualTo(2);
    assertThat(ud.dataOffset).isEqualTo(14);
    assertThat(ud.dataLength).isEqualTo(3);
    assertThat(in.remaining()).isZero();

    ud.parseNext(buf("21 0405"));
    assertThat(ud.flowId).isEqualTo(2);
    assertThat(ud.sequenceNumber).isEqualTo(2);
    assertThat(ud.fsnOffset).isEqualTo(2);
    assertThat(ud.flags).isEqualTo(UserData.END | UserData.FIN);
    assertThat(ud.metadata).isNull();
    assertThat(ud.associatedFlowId).isEqualTo(-1);
    assertThat(ud.dataLength).isEqualTo(2);
  }

  @Test
  void nextUserDataWithoutPreviousIsRefused() {
    UserData ud = new UserData();
    assertThatThrownBy(() -> ud.parseNext(buf("00 01")))
        .isInstanceOf(WireException.class)
        .extracting(e -> ((WireException) e).dropCause()).isEqualTo(DropCause.UNEXPECTED_CHUNK);
  }

  @Test
  void fsnOffsetAboveSequenceIsMalformed() {
    assertThatThrownBy(() -> new UserData().parse(buf("00 02 01 05")))
        .isInstanceOf(WireException.class);
  }

  @Test
  void probeAndExceptionRoundTrip() {
    ByteBuffer out = ByteBuffer.allocate(16);
    BufferProbe.write(out, 300);
    assertThat(hex(out)).isEqualTo("180002822c");
    BufferProbe p = new BufferProbe();
    p.parse(buf("822c"));
    assertThat(p.flowId).isEqualTo(300);

    ByteBuffer o2 = ByteBuffer.allocate(16);
    FlowExceptionReport.write(o2, 3, 0);
    assertThat(hex(o2)).isEqualTo("5e00020300");
    FlowExceptionReport r = new FlowExceptionReport();
    r.parse(buf("0300"));
    assertThat(r.flowId).isEqualTo(3);
    assertThat(r.exceptionCode).isZero();
  }

  @Test
  void randomAndTruncatedBytesOnlyThrowWireException() {
    Random rnd = new Random(7);
    UserData ud = new UserData();
    DataAck ack = new DataAck();
    BufferProbe probe = new BufferProbe();
    FlowExceptionReport rep = new FlowExceptionReport();
    byte[] valid = HEX.parseHex("80020101050054430400020a0200010203");
    for (int i = 0; i < 20000; i++) {
      byte[] b;
      if (i % 2 == 0) {
        b = new byte[rnd.nextInt(40)];
        rnd.nextBytes(b);
        if (b.length > 0 && rnd.nextBoolean()) {
          b[0] |= (byte) 0x80; // exercise option parsing
        }
      } else {
        b = java.util.Arrays.copyOf(valid, rnd.nextInt(valid.length + 1));
        if (b.length > 0) {
          b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
      }
      int kind = i % 6;
      try {
        ByteBuffer in = ByteBuffer.wrap(b);
        switch (kind) {
          case 0 -> ud.parse(in);
          case 1 -> {
            ud.parse(ByteBuffer.wrap(valid));
            ud.parseNext(in);
          }
          case 2 -> ack.parseRanges(in);
          case 3 -> ack.parseBitmap(in);
          case 4 -> probe.parse(in);
          default -> rep.parse(in);
        }
      } catch (WireException expected) {
        // the only exception allowed
      }
    }
  }
}
