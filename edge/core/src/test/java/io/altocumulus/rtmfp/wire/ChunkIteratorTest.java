package io.altocumulus.rtmfp.wire;

import static io.altocumulus.rtmfp.wire.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ChunkIteratorTest {
  @Test
  void walksChunksAndStopsAtPadding() {
    byte[] b = bytes("aa 01 0002 0506 0c 0000 41 0001 07 ff 0000 01 0000");
    ByteBuffer buf = ByteBuffer.wrap(b);
    ChunkIterator it = new ChunkIterator().reset(buf, 1, b.length);
    assertThat(it.next()).isTrue();
    assertThat(it.type()).isEqualTo(0x01);
    assertThat(buf.position()).isEqualTo(4);
    assertThat(buf.remaining()).isEqualTo(2);
    buf.get(); // a parser that reads only part of the payload
    assertThat(it.next()).isTrue();
    assertThat(it.type()).isEqualTo(0x0c);
    assertThat(buf.remaining()).isZero();
    assertThat(it.next()).isTrue();
    assertThat(it.type()).isEqualTo(0x41);
    assertThat(buf.get()).isEqualTo((byte) 7);
    assertThat(it.next()).isFalse();
    assertThat(it.type()).isEqualTo(-1);
    assertThat(it.next()).isFalse();
  }

  @Test
  void stopsWhenFewerThanThreeBytesRemain() {
    byte[] b = bytes("01 0000 4c 00");
    ChunkIterator it = new ChunkIterator().reset(ByteBuffer.wrap(b), 0, b.length);
    assertThat(it.next()).isTrue();
    assertThat(it.next()).isFalse();
  }

  @Test
  void lengthPastTheEndIsMalformed() {
    byte[] b = bytes("01 0000 10 0005 0102");
    ChunkIterator it = new ChunkIterator().reset(ByteBuffer.wrap(b), 0, b.length);
    assertThat(it.next()).isTrue();
    assertThatThrownBy(it::next).isInstanceOfSatisfying(WireException.class,
        e -> assertThat(e.dropCause()).isEqualTo(DropCause.MALFORMED_CHUNK));
    assertThat(it.next()).isFalse();
  }

  @Test
  void endBoundIsRespected() {
    byte[] b = bytes("01 0001 aa 01 0001 bb");
    ChunkIterator it = new ChunkIterator().reset(ByteBuffer.wrap(b), 0, 5);
    assertThat(it.next()).isTrue();
    assertThat(it.payload().remaining()).isEqualTo(1);
    assertThat(it.next()).isFalse();
  }
}
