package io.altocumulus.rtmfp.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumTest {
  /** RFC 1071 one 16-bit word at a time, odd byte as the low byte (the definition). */
  private static int reference(byte[] buf, int off, int len) {
    long sum = 0;
    int end = off + len;
    int i = off;
    for (; i + 1 < end; i += 2) {
      sum += ((buf[i] & 0xFF) << 8) | (buf[i + 1] & 0xFF);
    }
    if (i < end) {
      sum += buf[i] & 0xFF;
    }
    sum = (sum >>> 16) + (sum & 0xFFFF);
    sum += sum >>> 16;
    return (int) (~sum & 0xFFFF);
  }

  @Test
  void smallKnownValues() {
    assertThat(Checksum.compute(new byte[0], 0, 0)).isEqualTo(0xFFFF);
    assertThat(Checksum.compute(new byte[] {0x12, 0x34}, 0, 2)).isEqualTo(~0x1234 & 0xFFFF);
    // odd byte is the low byte of its word
    assertThat(Checksum.compute(new byte[] {0x12, 0x34, 0x56}, 0, 3)).isEqualTo(~(0x1234 + 0x56) & 0xFFFF);
    // RFC 1071 §3 example words 0001 f203 f4f5 f6f7: sum folds to ddf2
    byte[] rfc = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
    assertThat(Checksum.compute(rfc, 0, 8)).isEqualTo(~0xddf2 & 0xFFFF);
  }

  @Test
  void matchesWordAtATimeDefinitionAtAnyOffsetAndLength() {
    SplittableRandom r = new SplittableRandom(7);
    byte[] buf = new byte[2100];
    for (int n = 0; n < 5000; n++) {
      r.nextBytes(buf);
      int off = r.nextInt(40);
      int len = r.nextInt(buf.length - off + 1);
      assertThat(Checksum.compute(buf, off, len)).as("off %d len %d", off, len).isEqualTo(reference(buf, off, len));
    }
  }

  @Test
  void allOnesAndAllZerosKeepTheirOnesComplementForms() {
    for (int len : new int[] {1, 2, 7, 8, 9, 16, 1192, 1203, 2048}) {
      byte[] ff = new byte[len];
      Arrays.fill(ff, (byte) 0xFF);
      assertThat(Checksum.compute(ff, 0, len)).as("0xFF x %d", len).isEqualTo(reference(ff, 0, len));
      assertThat(Checksum.compute(new byte[len], 0, len)).isEqualTo(0xFFFF);
    }
  }
}
