package io.altocumulus.rtmfp.amf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AmfOutputTest {
  @Test
  void rawWritesAreBigEndianAndGrow() {
    AmfOutput out = new AmfOutput(1);
    out.writeU8(0x14).writeU16(0x0102).writeI32(0x03040506).writeU32(0xFFFFFFFEL).writeDouble(1.0);
    assertThat(Hex.hex(out.toByteArray())).isEqualTo("14" + "0102" + "03040506" + "fffffffe" + "3ff0000000000000");
    out.setU8(0, 0x11);
    out.setU16(1, 0xBEEF);
    out.setU32(3, 0xCAFEBABEL);
    assertThat(Hex.hex(out.toByteArray())).startsWith("11beefcafebabe");
    for (int i = 0; i < 10_000; i++) {
      out.writeU8(i);
    }
    assertThat(out.size()).isEqualTo(19 + 10_000);
    ByteBuffer dst = ByteBuffer.allocate(out.size());
    out.writeTo(dst);
    assertThat(dst.position()).isEqualTo(out.size());
    byte[] storage = out.array();
    out.reset();
    assertThat(out.size()).isZero();
    out.writeU8(7);
    assertThat(out.array()).isSameAs(storage); // reused, no reallocation
    assertThat(out.toByteArray()).containsExactly(7);
  }

  @Test
  void utf8MatchesTheJdk() {
    String[] samples = {"", "ascii", "é", "€uro", "\uD83D\uDE00 emoji", "lone \uD800 high", "lone \uDC00 low", "\u07FF\u0800\uFFFF"};
    for (String s : samples) {
      AmfOutput out = new AmfOutput(1);
      int n = out.writeUtf8(s);
      byte[] jdk = s.getBytes(StandardCharsets.UTF_8);
      assertThat(out.toByteArray()).as(s).containsExactly(jdk);
      assertThat(n).isEqualTo(jdk.length).isEqualTo(AmfOutput.utf8Length(s));
    }
    AmfOutput out = new AmfOutput();
    out.writeUtf("hi");
    assertThat(Hex.hex(out.toByteArray())).isEqualTo("00026869");
  }
}
