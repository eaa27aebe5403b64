package io.altocumulus.rtmfp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RTMFP-WIRE §12 V1: RFC VLU encodings. */
class VectorsV1Test {
  @ParameterizedTest
  @CsvSource({"0,00", "127,7f", "128,8100", "255,817f", "300,822c", "16383,ff7f", "16384,818000",
      "2097151,ffff7f", "2097152,81808000"})
  void vlu(long value, String hex) {
    ByteBuffer out = ByteBuffer.allocate(10);
    Vlu.write(out, value);
    out.flip();
    byte[] written = new byte[out.remaining()];
    out.get(written);
    assertThat(Hex.hex(written)).isEqualTo(hex);
    assertThat(Vlu.size(value)).isEqualTo(hex.length() / 2);
    assertThat(Vlu.read(ByteBuffer.wrap(Hex.bytes(hex)))).isEqualTo(value);
  }
}
