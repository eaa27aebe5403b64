package io.altocumulus.rtmfp.amf;

import static io.altocumulus.rtmfp.amf.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AmfMalformedTest {

  static AbstractThrowableAssert<?, ?> amf3Fails(byte[] b, AmfContext ctx) {
    return assertThatThrownBy(() -> {
      Amf3Reader r = new Amf3Reader(ByteBuffer.wrap(b), ctx);
      while (r.hasRemaining()) {
        r.readValue();
      }
    }).isInstanceOfSatisfying(WireException.class,
        e -> assertThat(e.dropCause()).isEqualTo(DropCause.MALFORMED_AMF));
  }

  static AbstractThrowableAssert<?, ?> amf0Fails(byte[] b, AmfContext ctx) {
    return assertThatThrownBy(() -> {
      Amf0Reader r = new Amf0Reader(ByteBuffer.wrap(b), ctx);
      while (r.hasRemaining()) {
        r.readValue();
      }
    }).isInstanceOfSatisfying(WireException.class,
        e -> assertThat(e.dropCause()).isEqualTo(DropCause.MALFORMED_AMF));
  }

  static byte[] repeat(String hex, int n, String tail) {
    return bytes(hex.repeat(n) + tail);
  }

  @Test
  void amf3DepthLimit() {
    // 100 nested arrays [[[…]]]: 09 03 01 = dense count 1, no associative part
    byte[] deep = repeat("090301", 100, "01");
    amf3Fails(deep, AmfContext.DEFAULT).hasMessageContaining("deeper than 64");
    AmfContext lenient = new AmfContext(AmfLimits.DEFAULT.withMaxDepth(200));
    Object v = new Amf3Reader(ByteBuffer.wrap(deep), lenient).readValue();
    assertThat(v).isInstanceOf(AmfArray.class);
    // exactly at the limit passes
    byte[] sixtyFour = repeat("090301", 64, "01");
    assertThat(new Amf3Reader(ByteBuffer.wrap(sixtyFour)).readValue()).isInstanceOf(AmfArray.class);
    amf3Fails(repeat("090301", 65, "01"), AmfContext.DEFAULT);
  }

  @Test
  void amf0DepthLimitIncludingTheSwitch() {
    // 70 nested AMF0 objects {a: {a: …}}
    byte[] deep = bytes("03000161".repeat(70) + "05" + "000009".repeat(70));
    amf0Fails(deep, AmfContext.DEFAULT).hasMessageContaining("deeper");
    // 40 AMF0 levels then 40 AMF3 levels behind the switch: the budget is shared
    byte[] mixed = bytes("03000161".repeat(40) + "11" + "090301".repeat(40) + "01" + "000009".repeat(40));
    amf0Fails(mixed, AmfContext.DEFAULT).hasMessageContaining("deeper");
    AmfContext lenient = new AmfContext(AmfLimits.DEFAULT.withMaxDepth(100));
    assertThat(new Amf0Reader(ByteBuffer.wrap(mixed), lenient).readValue()).isInstanceOf(AmfObject.class);
  }

  @Test
  void truncatedInputIsMalformedAtEveryCut() {
    AmfObject o = new AmfObject("T").setDynamic(true);
    o.sealed().put("s", "sealed");
    o.put("d", AmfArray.of(1, 2.5, "x", new byte[] {9, 9}, new AmfDate(3)));
    AmfVector v = new AmfVector(AmfVector.Kind.INT, false, null);
    v.values().add(5);
    o.put("v", v);
    AmfOutput out3 = new AmfOutput();
    new Amf3Writer(out3).writeValue(o);
    byte[] full3 = out3.toByteArray();
    for (int cut = 0; cut < full3.length; cut++) {
      byte[] prefix = Arrays.copyOf(full3, cut);
      if (cut == 0) {
        assertThatThrownBy(() -> new Amf3Reader(ByteBuffer.wrap(prefix)).readValue()).isInstanceOf(WireException.class);
      } else {
        amf3Fails(prefix, AmfContext.DEFAULT);
      }
    }
    AmfOutput out0 = new AmfOutput();
    Amf0Writer w0 = new Amf0Writer(out0, Amf0Writer.Mode.PURE);
    w0.writeString("cmd");
    w0.writeNumber(1);
    w0.writeValue(new AmfObject().put("a", "b").put("c", AmfArray.of(1.0, new AmfDate(2))));
    byte[] full0 = out0.toByteArray();
    // every cut inside the last value (the string and number end at index 15)
    for (int cut = 16; cut < full0.length; cut++) {
      amf0Fails(Arrays.copyOf(full0, cut), AmfContext.DEFAULT).hasMessageContaining("truncated");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "0602",            // string reference 1, empty table
      "0a00",            // object reference 0, empty table
      "0a01",            // trait reference 0, no traits
      "0904 01 0904",    // array ref inside: 09 04 = object reference 2 (only 1 object)
      "0806",            // date reference 3
      "0c00",            // byte array reference 0
      "0d00", "1100",    // vector / dictionary references
  })
  void amf3BadReferences(String hex) {
    amf3Fails(bytes(hex), AmfContext.DEFAULT).hasMessageContaining("reference");
  }

  @Test
  void amf0BadReference() {
    amf0Fails(bytes("070000"), AmfContext.DEFAULT).hasMessageContaining("reference");
    amf0Fails(bytes("0a00000001 070001"), AmfContext.DEFAULT).hasMessageContaining("reference");
  }

  @ParameterizedTest
  @ValueSource(strings = {"12", "7f", "ff", "13"})
  void amf3BadMarkers(String hex) {
    amf3Fails(bytes(hex), AmfContext.DEFAULT).hasMessageContaining("marker");
  }

  @ParameterizedTest
  @ValueSource(strings = {"04", "0e", "09", "12", "ff", "03 0001 61 09"})
  void amf0BadMarkers(String hex) {
    amf0Fails(bytes(hex), AmfContext.DEFAULT);
  }

  @Test
  void hugeOrNegativeLengthsAreRefusedBeforeAllocation() {
    // AMF0 long string / XML / strict array with 0xFFFFFFFF (negative as int32)
    amf0Fails(bytes("0c ffffffff 00"), AmfContext.DEFAULT).hasMessageContaining("exceeds");
    amf0Fails(bytes("0f 80000000"), AmfContext.DEFAULT);
    amf0Fails(bytes("0a ffffffff 05"), AmfContext.DEFAULT).hasMessageContaining("exceeds");
    amf0Fails(bytes("0a 00001000 05"), AmfContext.DEFAULT).hasMessageContaining("truncated");
    // AMF3 max U29 lengths
    amf3Fails(bytes("06 ffffffff"), AmfContext.DEFAULT).hasMessageContaining("exceeds");
    amf3Fails(bytes("0c ffffffff"), AmfContext.DEFAULT);
    amf3Fails(bytes("09 ffffffff 01"), AmfContext.DEFAULT);
    amf3Fails(bytes("0d 8101 00 00000000"), AmfContext.DEFAULT).hasMessageContaining("truncated");
    amf3Fails(bytes("0f 8101 00 00000000"), AmfContext.DEFAULT).hasMessageContaining("truncated");
    amf3Fails(bytes("11 8101 00 0101"), AmfContext.DEFAULT).hasMessageContaining("truncated");
    amf3Fails(bytes("0a ffffff 01"), AmfContext.DEFAULT); // 2^25 sealed names
  }

  @Test
  void sizeLimits() {
    AmfContext small = new AmfContext(AmfLimits.DEFAULT.withMaxStringBytes(4).withMaxArrayLength(2)
        .withMaxElements(10).withMaxMessageBytes(64));
    amf3Fails(bytes("06 0b 6161616161"), small).hasMessageContaining("exceeds 4");
    amf0Fails(bytes("02 0005 6161616161"), small).hasMessageContaining("exceeds 4");
    amf3Fails(bytes("09 07 01 01 01 01"), small).hasMessageContaining("exceeds 2");
    amf3Fails(bytes("01".repeat(11)), small).hasMessageContaining("more than 10");
    assertThatThrownBy(() -> new Amf0Reader(ByteBuffer.wrap(new byte[65]), small))
        .isInstanceOf(WireException.class).hasMessageContaining("exceeds 64");
  }

  @Test
  void nothingToReadIsMalformed() {
    assertThatThrownBy(() -> new Amf0Reader(ByteBuffer.allocate(0)).readValue())
        .isInstanceOf(WireException.class);
    assertThatThrownBy(() -> new Amf3Reader(ByteBuffer.allocate(0)).readString())
        .isInstanceOf(WireException.class);
  }
}
