package io.altocumulus.rtmfp.amf;

import static io.altocumulus.rtmfp.amf.Hex.bytes;
import static io.altocumulus.rtmfp.amf.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Amf0CodecTest {
  /** RTMFP-WIRE §12 V7: the connect _result message (type, timestamp, AMF0 body). */
  static final String V7 = "14 00000000 02 0007 5f726573756c74 00 3ff0000000000000 05 03"
      + " 0005 6c6576656c 02 0006 737461747573"
      + " 0004 636f6465 02 001d 4e6574436f6e6e656374696f6e2e436f6e6e6563742e53756363657373"
      + " 000b 6465736372697074696f6e 02 0014 436f6e6e656374696f6e20737563636565646564"
      + " 000e 6f626a656374456e636f64696e67 00 4008000000000000 0000 09";

  static byte[] write(Amf0Writer.Mode mode, Object... values) {
    AmfOutput out = new AmfOutput(8);
    Amf0Writer w = new Amf0Writer(out, mode);
    for (Object v : values) {
      w.writeValue(v);
    }
    return out.toByteArray();
  }

  static Object read(byte[] b) {
    Amf0Reader r = new Amf0Reader(ByteBuffer.wrap(b));
    Object v = r.readValue();
    assertThat(r.hasRemaining()).as("trailing bytes").isFalse();
    return v;
  }

  static Object roundTrip(Amf0Writer.Mode mode, Object v) {
    Object back = read(write(mode, v));
    assertThat(Amf.deepEquals(v, back)).as("%s round trip of %s gave %s", mode, Amf.describe(v), Amf.describe(back)).isTrue();
    return back;
  }

  @ParameterizedTest
  @EnumSource(Amf0Writer.Mode.class)
  void v7ConnectResultBytes(Amf0Writer.Mode mode) {
    AmfOutput out = new AmfOutput();
    out.writeU8(0x14).writeI32(0); // message header written into the same buffer (RTMFP-WIRE §8.2)
    Amf0Writer w = new Amf0Writer(out, mode);
    w.writeString("_result");
    w.writeNumber(1);
    w.writeNull();
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("level", "status");
    info.put("code", "NetConnection.Connect.Success");
    info.put("description", "Connection succeeded");
    info.put("objectEncoding", 3.0);
    w.writeObject(info);
    assertThat(hex(out.toByteArray())).isEqualTo(hex(bytes(V7)));
    assertThat(out.size()).isEqualTo(144);
  }

  @Test
  void v7ReadsBack() {
    ByteBuffer buf = ByteBuffer.wrap(bytes(V7));
    buf.position(5);
    Amf0Reader r = new Amf0Reader(buf);
    assertThat(r.readString()).isEqualTo("_result");
    assertThat(r.readNumber()).isEqualTo(1.0);
    assertThat(r.readValue()).isNull();
    AmfObject info = (AmfObject) r.readValue();
    assertThat(info.className()).isNull();
    assertThat(info.dynamicProperties()).containsExactly(
        Map.entry("level", "status"),
        Map.entry("code", "NetConnection.Connect.Success"),
        Map.entry("description", "Connection succeeded"),
        Map.entry("objectEncoding", 3.0));
    assertThat(r.hasRemaining()).isFalse();
  }

  @Test
  void v8CreateStreamResultCumulusStyle() {
    AmfOutput out = new AmfOutput();
    out.writeU8(0x14).writeI32(0);
    Amf0Writer w = new Amf0Writer(out, Amf0Writer.Mode.AMF3_SWITCH);
    w.writeString("_result");
    w.writeNumber(2);
    w.writeNull();
    w.writeValue(1);
    assertThat(hex(out.toByteArray())).isEqualTo(
        hex(bytes("14 00000000 02 0007 5f726573756c74 00 4000000000000000 05 11 04 01")));
  }

  @Test
  void createStreamResultPureAmf0() {
    assertThat(hex(write(Amf0Writer.Mode.PURE, 1))).isEqualTo("003ff0000000000000");
  }

  @Test
  void v9ValuesBehindTheSwitch() {
    byte[] b = write(Amf0Writer.Mode.AMF3_SWITCH, "hi", 3);
    assertThat(hex(b)).isEqualTo("1106056869" + "110403");
    Amf0Reader r = new Amf0Reader(ByteBuffer.wrap(b));
    assertThat(r.readString()).isEqualTo("hi");
    assertThat(r.readValue()).isEqualTo(3);
  }

  @Test
  void cumulusModeKeepsSimpleValuesInAmf0() {
    assertThat(hex(write(Amf0Writer.Mode.AMF3_SWITCH, null, Amf.UNDEFINED, true, 2.5)))
        .isEqualTo("05" + "06" + "0101" + "004004000000000000");
  }

  @Test
  void switchInsideAmf0IsRead() {
    // AMF0 string, then 0x11 + AMF3 integer 1, then 0x11 + AMF3 object {a: "hi"}, then AMF0 number
    byte[] b = bytes("02 0003 616263" + "11 04 01" + "11 0a0b01 0361 06056869 01" + "00 4000000000000000");
    Amf0Reader r = new Amf0Reader(ByteBuffer.wrap(b));
    assertThat(r.readValue()).isEqualTo("abc");
    assertThat(r.readNumber()).isEqualTo(1.0);
    AmfObject o = (AmfObject) r.readValue();
    assertThat(o.get("a")).isEqualTo("hi");
    assertThat(r.readNumber()).isEqualTo(2.0);
    assertThat(r.hasRemaining()).isFalse();
  }

  @Test
  void switchedValuesHaveTheirOwnAmf3TablesByDefault() {
    // second switched value: "06 00" would be a reference to "hi" only with shared tables
    byte[] b = bytes("11 06 05 6869" + "11 06 00");
    Amf0Reader fresh = new Amf0Reader(ByteBuffer.wrap(b));
    assertThat(fresh.readValue()).isEqualTo("hi");
    assertThatThrownBy(fresh::readValue).isInstanceOf(WireException.class);

    AmfContext shared = new AmfContext().shareAmf3TablesAcrossSwitches(true);
    Amf0Reader r = new Amf0Reader(ByteBuffer.wrap(b), shared);
    assertThat(r.readValue()).isEqualTo("hi");
    assertThat(r.readValue()).isEqualTo("hi");

    AmfOutput out = new AmfOutput();
    Amf0Writer w = new Amf0Writer(out, Amf0Writer.Mode.AMF3_SWITCH, shared);
    w.writeValue("hi");
    w.writeValue("hi");
    assertThat(hex(out.toByteArray())).isEqualTo("1106056869" + "110600");
    assertThat(hex(write(Amf0Writer.Mode.AMF3_SWITCH, "hi", "hi"))).isEqualTo("1106056869" + "1106056869");
  }

  @Test
  void amf0ObjectReferences() {
    AmfObject shared = new AmfObject().put("a", 1.0);
    byte[] b = write(Amf0Writer.Mode.PURE, List.of(shared, shared));
    // strict array (ref 0), object (ref 1), then 07 0001
    assertThat(hex(b)).isEqualTo("0a00000002" + "03 0001 61 003ff0000000000000 000009".replace(" ", "") + "070001");
    AmfArray back = (AmfArray) read(b);
    assertThat(back.dense().get(1)).isSameAs(back.dense().get(0));

    AmfObject self = new AmfObject();
    self.put("me", self);
    AmfObject selfBack = (AmfObject) read(write(Amf0Writer.Mode.PURE, self));
    assertThat(selfBack.get("me")).isSameAs(selfBack);

    // hand-written: object {x: ref 0}
    AmfObject o = (AmfObject) read(bytes("03 0001 78 070000 000009"));
    assertThat(o.get("x")).isSameAs(o);
  }

  @Test
  void knownPureEncodings() {
    assertThat(hex(write(Amf0Writer.Mode.PURE, "hi"))).isEqualTo("0200026869");
    assertThat(hex(write(Amf0Writer.Mode.PURE, new AmfDate(1.0, 0)))).isEqualTo("0b3ff00000000000000000");
    assertThat(hex(write(Amf0Writer.Mode.PURE, new AmfXml("<a/>", true)))).isEqualTo("0f00000004" + Hex.ascii("<a/>"));
    AmfObject typed = new AmfObject("T").setDynamic(false);
    typed.sealed().put("v", true);
    assertThat(hex(write(Amf0Writer.Mode.PURE, typed))).isEqualTo("10000154" + "000176" + "0101" + "000009");
    AmfArray ecma = AmfArray.of("x");
    ecma.associative().put("k", null);
    assertThat(hex(write(Amf0Writer.Mode.PURE, ecma)))
        .isEqualTo("0800000002" + "000130" + "02000178" + "00016b" + "05" + "000009");
    String big = "é".repeat(40_000);
    assertThat(hex(write(Amf0Writer.Mode.PURE, big))).startsWith("0c00013880");
  }

  @Test
  void roundTripsEveryPureType() {
    Amf0Writer.Mode m = Amf0Writer.Mode.PURE;
    roundTrip(m, null);
    assertThat(read(write(m, Amf.UNDEFINED))).isSameAs(Amf.UNDEFINED);
    roundTrip(m, true);
    roundTrip(m, false);
    roundTrip(m, 2.5);
    roundTrip(m, Double.NaN);
    assertThat(read(write(m, 7))).isEqualTo(7.0); // pure AMF0 has no integer type
    roundTrip(m, "");
    roundTrip(m, "ünïcødé \uD83D\uDE00");
    roundTrip(m, "y".repeat(70_000));
    roundTrip(m, new AmfDate(1.6e12, 0));
    roundTrip(m, new AmfXml("<r><c/></r>", true));
    AmfObject anon = new AmfObject().put("a", "b").put("n", 1.0).put("o", new AmfObject().put("deep", false));
    roundTrip(m, anon);
    AmfObject typed = new AmfObject("com.example.T").setDynamic(false);
    typed.sealed().put("f", "g");
    roundTrip(m, typed);
    AmfArray dense = AmfArray.of(1.0, "s", null);
    roundTrip(m, dense);
    AmfArray mixed = AmfArray.of(1.0, 2.0);
    mixed.associative().put("name", "x");
    mixed.associative().put("5", "not dense");
    roundTrip(m, mixed);
    roundTrip(m, new AmfArray());
  }

  @Test
  void roundTripsEveryTypeBehindTheSwitch() {
    Amf0Writer.Mode m = Amf0Writer.Mode.AMF3_SWITCH;
    roundTrip(m, null);
    roundTrip(m, true);
    roundTrip(m, 2.5);
    roundTrip(m, 7);
    roundTrip(m, "str");
    roundTrip(m, new byte[] {1, 2, 3});
    roundTrip(m, new AmfDate(5.0));
    roundTrip(m, new AmfXml("<x/>", false));
    roundTrip(m, new AmfObject().put("k", AmfArray.of(1, 2)).put("s", "s"));
    AmfDictionary d = new AmfDictionary(false);
    d.entries().put("a", 1);
    roundTrip(m, d);
    AmfVector v = new AmfVector(AmfVector.Kind.DOUBLE, false, null);
    v.values().add(1.0);
    roundTrip(m, v);
    roundTrip(m, AmfObject.externalized(AmfContext.ARRAY_COLLECTION, AmfArray.of("q")));
  }

  @Test
  void pureModeRefusesAmf3OnlyTypes() {
    assertThatThrownBy(() -> write(Amf0Writer.Mode.PURE, new byte[1])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> write(Amf0Writer.Mode.PURE, new AmfDictionary())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> write(Amf0Writer.Mode.PURE, AmfObject.externalized(AmfContext.OBJECT_PROXY, null)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ecmaArrayDenseKeysAndUnsupportedMarker() {
    // ECMA array with count hint 9 (wrong on purpose): "0"->a, "x"->b, "1"->c
    AmfArray a = (AmfArray) read(bytes("08 00000009 0001 30 020001 61 0001 78 020001 62 0001 31 020001 63 000009"));
    assertThat(a.dense()).containsExactly("a", "c");
    assertThat(a.associative()).containsExactly(Map.entry("x", "b"));
    assertThat(read(bytes("0d"))).isSameAs(Amf.UNDEFINED);
  }

  @Test
  void readStringAndNumberRefuseOtherTypes() {
    assertThatThrownBy(() -> new Amf0Reader(ByteBuffer.wrap(bytes("05"))).readString())
        .isInstanceOfSatisfying(WireException.class, e -> assertThat(e.dropCause()).isEqualTo(DropCause.MALFORMED_AMF));
    assertThatThrownBy(() -> new Amf0Reader(ByteBuffer.wrap(bytes("0200016a"))).readNumber())
        .isInstanceOf(WireException.class);
    assertThat(new Amf0Reader(ByteBuffer.wrap(bytes("0c00000001 6a"))).readString()).isEqualTo("j");
    assertThat(new Amf0Reader(ByteBuffer.wrap(bytes("11 05 4000000000000000"))).readNumber()).isEqualTo(2.0);
  }
}
