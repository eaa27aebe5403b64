package io.altocumulus.rtmfp.amf;

import static io.altocumulus.rtmfp.amf.Hex.bytes;
import static io.altocumulus.rtmfp.amf.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Amf3CodecTest {

  static byte[] write(Object... values) {
    AmfOutput out = new AmfOutput(8);
    Amf3Writer w = new Amf3Writer(out);
    for (Object v : values) {
      w.writeValue(v);
    }
    return out.toByteArray();
  }

  static Object read(byte[] b) {
    Amf3Reader r = new Amf3Reader(ByteBuffer.wrap(b));
    Object v = r.readValue();
    assertThat(r.hasRemaining()).as("trailing bytes").isFalse();
    return v;
  }

  static Object roundTrip(Object v) {
    Object back = read(write(v));
    assertThat(Amf.deepEquals(v, back)).as("round trip of %s gave %s", Amf.describe(v), Amf.describe(back)).isTrue();
    return back;
  }

  @ParameterizedTest
  @CsvSource({
      "0, 00", "127, 7f", "128, 8100", "16383, ff7f", "16384, 818000", "2097151, ffff7f",
      "2097152, 80c08000", "268435455, bfffffff", "536870911, ffffffff"})
  void u29Boundaries(int value, String hexBytes) {
    AmfOutput out = new AmfOutput();
    new Amf3Writer(out).writeU29(value);
    assertThat(hex(out.toByteArray())).isEqualTo(hexBytes);
    Amf3Reader r = new Amf3Reader(ByteBuffer.wrap(bytes(hexBytes)));
    assertThat(r.readU29()).isEqualTo(value);
    assertThat(r.hasRemaining()).isFalse();
  }

  @Test
  void u29OutOfRangeIsRefusedByWriter() {
    Amf3Writer w = new Amf3Writer(new AmfOutput());
    assertThatThrownBy(() -> w.writeU29(0x20000000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.writeU29(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
      "1, 0401", "0, 0400", "-1, 04ffffffff", "268435455, 04bfffffff", "-268435456, 04c0808000",
      "128, 048100"})
  void integers(int value, String hexBytes) {
    assertThat(hex(write(value))).isEqualTo(hexBytes);
    assertThat(read(bytes(hexBytes))).isEqualTo(value);
  }

  @Test
  void integersOutsideTwentyNineBitsBecomeDoubles() {
    assertThat(hex(write(268435456))).isEqualTo("05" + "41b0000000000000");
    assertThat(read(write(268435456))).isEqualTo(268435456.0);
    assertThat(read(write(-268435457))).isEqualTo(-268435457.0);
    assertThat(read(write(Integer.MAX_VALUE))).isEqualTo((double) Integer.MAX_VALUE);
  }

  @Test
  void knownEncodings() {
    assertThat(hex(write("hi"))).isEqualTo("06056869");
    assertThat(hex(write(""))).isEqualTo("0601");
    assertThat(hex(write((Object) null))).isEqualTo("01");
    assertThat(hex(write(Amf.UNDEFINED))).isEqualTo("00");
    assertThat(hex(write(true, false))).isEqualTo("0302");
    assertThat(hex(write(1.5))).isEqualTo("053ff8000000000000");
    assertThat(hex(write(new byte[] {1, 2}))).isEqualTo("0c050102");
    assertThat(hex(write(new AmfDate(0)))).isEqualTo("08010000000000000000");
    // anonymous object {a: 1}: traits 0b (dynamic, 0 sealed), class "", "a", 1, end
    assertThat(hex(write(Map.of("a", 1)))).isEqualTo("0a0b01" + "0361" + "0401" + "01");
    // dense array [1, 2]
    assertThat(hex(write(List.of(1, 2)))).isEqualTo("0905010401" + "0402");
  }

  @Test
  void roundTripsEveryType() {
    roundTrip(null);
    roundTrip(Amf.UNDEFINED);
    assertThat(read(write(Amf.UNDEFINED))).isSameAs(Amf.UNDEFINED);
    roundTrip(true);
    roundTrip(false);
    roundTrip(0);
    roundTrip(-5);
    roundTrip(Amf.AMF3_INT_MAX);
    roundTrip(Amf.AMF3_INT_MIN);
    roundTrip(3.25);
    roundTrip(Double.NaN);
    roundTrip(Double.NEGATIVE_INFINITY);
    roundTrip("");
    roundTrip("héllo wörld ✓ \uD83D\uDE00");
    roundTrip("x".repeat(70_000));
    roundTrip(new byte[0]);
    roundTrip(new byte[] {0, -1, 127});
    roundTrip(new AmfDate(1.7e12));
    roundTrip(new AmfXml("<a/>", true));
    roundTrip(new AmfXml("<b>e4x</b>", false));

    AmfArray arr = AmfArray.of(1, "two", 3.0, null);
    arr.associative().put("k", "v");
    arr.associative().put("n", 7);
    roundTrip(arr);
    roundTrip(new AmfArray());

    AmfObject anon = new AmfObject();
    anon.put("name", "bob").put("age", 42).put("nested", AmfArray.of(true));
    roundTrip(anon);

    AmfObject typed = new AmfObject("com.example.Point");
    typed.setDynamic(false);
    typed.sealed().put("x", 1.5);
    typed.sealed().put("y", -2);
    roundTrip(typed);

    AmfObject typedDynamic = new AmfObject("com.example.Bag");
    typedDynamic.setDynamic(true);
    typedDynamic.sealed().put("s", "sealed");
    typedDynamic.dynamicProperties().put("d", "dyn");
    roundTrip(typedDynamic);

    AmfDictionary dict = new AmfDictionary(true);
    dict.entries().put("str", 1);
    dict.entries().put(2, "int key");
    dict.entries().put(new AmfObject().put("o", 1), List.of());
    Object back = read(write(dict));
    assertThat(back).isInstanceOf(AmfDictionary.class);
    AmfDictionary d = (AmfDictionary) back;
    assertThat(d.weakKeys()).isTrue();
    assertThat(d.entries()).hasSize(3);
    assertThat(d.entries().get("str")).isEqualTo(1);
    assertThat(d.entries().get(2)).isEqualTo("int key");
    // a List reads back as an AmfArray, so compare the object-key entry loosely
    Map.Entry<Object, Object> third = new ArrayList<>(d.entries().entrySet()).get(2);
    assertThat(((AmfObject) third.getKey()).get("o")).isEqualTo(1);
    assertThat(((AmfArray) third.getValue()).dense()).isEmpty();

    AmfVector vi = new AmfVector(AmfVector.Kind.INT, true, null);
    vi.values().addAll(List.of(1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE));
    roundTrip(vi);
    AmfVector vu = new AmfVector(AmfVector.Kind.UINT, false, null);
    vu.values().addAll(List.of(0L, 4294967295L, 7L));
    roundTrip(vu);
    AmfVector vd = new AmfVector(AmfVector.Kind.DOUBLE, false, null);
    vd.values().addAll(List.of(1.5, -0.0, Double.MAX_VALUE));
    roundTrip(vd);
    AmfVector vo = new AmfVector(AmfVector.Kind.OBJECT, false, "com.example.Point");
    vo.values().addAll(List.of("a", 1, new AmfObject().put("z", 0)));
    roundTrip(vo);
  }

  @Test
  void vectorBytes() {
    AmfVector vi = new AmfVector(AmfVector.Kind.INT, false, null);
    vi.values().addAll(List.of(1, -1));
    assertThat(hex(write(vi))).isEqualTo("0d" + "05" + "00" + "00000001" + "ffffffff");
    AmfVector vo = new AmfVector(AmfVector.Kind.OBJECT, true, "");
    vo.values().add(true);
    assertThat(hex(write(vo))).isEqualTo("10" + "03" + "01" + "01" + "03");
  }

  @Test
  void writerEmitsStringReferences() {
    // "hi" then "hi" again: the second is a reference to string 0 (06 00)
    assertThat(hex(write("hi", "hi", "", ""))).isEqualTo("06056869" + "0600" + "0601" + "0601");
    // member names and values share the table
    AmfObject o = new AmfObject().put("hi", "hi");
    assertThat(hex(write(o))).isEqualTo("0a0b01" + "056869" + "0600" + "01");
  }

  @Test
  void readerResolvesStringReferences() {
    Amf3Reader r = new Amf3Reader(ByteBuffer.wrap(bytes("06056869 0600 0601 0600")));
    assertThat(r.readValue()).isEqualTo("hi");
    assertThat(r.readValue()).isEqualTo("hi");
    assertThat(r.readValue()).isEqualTo("");
    assertThat(r.readValue()).isEqualTo("hi"); // "" does not take an index
  }

  @Test
  void writerEmitsObjectReferencesByIdentity() {
    AmfObject shared = new AmfObject().put("a", 1);
    List<Object> list = List.of(shared, shared);
    byte[] b = write(list);
    // array (object 0), object (object 1) inline, then "0a 02" = reference to object 1
    assertThat(hex(b)).isEqualTo("0905" + "01" + "0a0b01" + "0361" + "0401" + "01" + "0a02");
    AmfArray back = (AmfArray) read(b);
    assertThat(back.dense().get(0)).isSameAs(back.dense().get(1));

    // equal but distinct objects are written twice (trait reference for the second)
    AmfObject other = new AmfObject().put("a", 1);
    byte[] b2 = write(List.of(shared, other));
    assertThat(hex(b2)).isEqualTo("0905" + "01" + "0a0b01" + "0361" + "0401" + "01"
        + "0a01" + "00" + "0401" + "01");
    AmfArray back2 = (AmfArray) read(b2);
    assertThat(back2.dense().get(0)).isNotSameAs(back2.dense().get(1));
  }

  @Test
  void cyclesRoundTripThroughReferences() {
    AmfObject self = new AmfObject();
    self.put("me", self);
    AmfObject back = (AmfObject) read(write(self));
    assertThat(back.get("me")).isSameAs(back);

    AmfArray a = new AmfArray();
    a.dense().add(a);
    AmfArray backA = (AmfArray) read(write(a));
    assertThat(backA.dense().get(0)).isSameAs(backA);
  }

  @Test
  void traitReferencesForTypedObjects() {
    AmfObject p1 = new AmfObject("P").setDynamic(false);
    p1.sealed().put("x", 1);
    AmfObject p2 = new AmfObject("P").setDynamic(false);
    p2.sealed().put("x", 2);
    byte[] b = write(List.of(p1, p2));
    // traits: 1 sealed, not dynamic = (1<<4)|3 = 0x13; second object uses trait ref 0 = 0x01
    assertThat(hex(b)).isEqualTo("0905" + "01" + "0a13" + "0350" + "0378" + "0401"
        + "0a01" + "0402");
    AmfArray back = (AmfArray) read(b);
    AmfObject q2 = (AmfObject) back.dense().get(1);
    assertThat(q2.className()).isEqualTo("P");
    assertThat(q2.sealed()).containsExactly(Map.entry("x", 2));
    assertThat(q2.isDynamic()).isFalse();
  }

  @Test
  void readerResolvesHandWrittenReferences() {
    // [ {a:"s"}, {a:ref"s"} via trait ref, ref to object 1, date, ref to date ]
    byte[] b = bytes("090b01" + "0a0b01 0361 06037301" + "0a01 00 0602 01"
        + "0a02" + "08 01 0000000000000000" + "0806");
    AmfArray a = (AmfArray) read(b);
    assertThat(a.dense()).hasSize(5);
    AmfObject o1 = (AmfObject) a.dense().get(0);
    AmfObject o2 = (AmfObject) a.dense().get(1);
    assertThat(o1.get("a")).isEqualTo("s");
    assertThat(o2.get("a")).isEqualTo("s");
    assertThat(a.dense().get(2)).isSameAs(o1);
    assertThat(a.dense().get(4)).isSameAs(a.dense().get(3));
  }

  @Test
  void arrayCollectionIsBuiltIn() {
    AmfObject ac = AmfObject.externalized(AmfContext.ARRAY_COLLECTION, AmfArray.of(1, 2));
    byte[] b = write(ac);
    assertThat(hex(b)).startsWith("0a07" + "43" + Hex.ascii(AmfContext.ARRAY_COLLECTION) + "0905");
    AmfObject back = (AmfObject) roundTrip(ac);
    assertThat(back.isExternalizable()).isTrue();
    assertThat(((AmfArray) back.externalData()).dense()).containsExactly(1, 2);

    AmfObject proxy = AmfObject.externalized(AmfContext.OBJECT_PROXY, new AmfObject().put("k", "v"));
    roundTrip(proxy);
    // two of a kind: the second uses the externalizable trait by reference
    byte[] twice = write(List.of(proxy, AmfObject.externalized(AmfContext.OBJECT_PROXY, null)));
    assertThat(hex(twice)).endsWith("0a01" + "01");
  }

  @Test
  void customExternalizer() {
    AmfExternalizer pair = new AmfExternalizer() {
      @Override
      public Object readExternal(String className, Amf3Reader in) {
        return new int[] {in.readI32(), in.readU16()};
      }

      @Override
      public void writeExternal(Object value, Amf3Writer out) {
        int[] v = (int[]) ((AmfObject) value).externalData();
        out.output().writeI32(v[0]).writeU16(v[1]);
      }
    };
    AmfContext ctx = new AmfContext().register("my.Pair", pair);
    AmfOutput out = new AmfOutput();
    new Amf3Writer(out, ctx).writeValue(AmfObject.externalized("my.Pair", new int[] {7, 9}));
    assertThat(hex(out.toByteArray())).isEqualTo("0a07" + "0f" + Hex.ascii("my.Pair") + "00000007" + "0009");
    Object back = new Amf3Reader(ByteBuffer.wrap(out.toByteArray()), ctx).readValue();
    assertThat((int[]) back).containsExactly(7, 9);

    // without the externalizer the body length is unknown: refused
    assertThatThrownBy(() -> read(out.toByteArray()))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.MALFORMED_AMF))
        .hasMessageContaining("my.Pair");
    // nor can it be written
    assertThatThrownBy(() -> write(AmfObject.externalized("my.Pair", null)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void externalizerFailureBecomesWireException() {
    AmfContext ctx = new AmfContext().register("bad.X", new AmfExternalizer() {
      @Override
      public Object readExternal(String className, Amf3Reader in) {
        throw new IllegalStateException("boom");
      }

      @Override
      public void writeExternal(Object value, Amf3Writer out) {}
    });
    byte[] b = bytes("0a07" + "0b" + Hex.ascii("bad.X"));
    assertThatThrownBy(() -> new Amf3Reader(ByteBuffer.wrap(b), ctx).readValue())
        .isInstanceOf(WireException.class).hasMessageContaining("boom");
  }

  @Test
  void frozenDefaultContext() {
    assertThatThrownBy(() -> AmfContext.DEFAULT.register("x", null))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void convenienceReads() {
    Amf3Reader r = new Amf3Reader(ByteBuffer.wrap(write("name", 5, 2.5)));
    assertThat(r.readString()).isEqualTo("name");
    assertThat(r.readNumber()).isEqualTo(5.0);
    assertThat(r.readNumber()).isEqualTo(2.5);
    assertThat(r.hasRemaining()).isFalse();
    Amf3Reader bad = new Amf3Reader(ByteBuffer.wrap(write(5)));
    assertThatThrownBy(bad::readString).isInstanceOf(WireException.class);
  }

  @Test
  void writerConvenience() {
    AmfOutput out = new AmfOutput();
    Amf3Writer w = new Amf3Writer(out);
    w.writeString("a");
    w.writeNumber(1);
    w.writeNull();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("k", true);
    w.writeObject(m);
    assertThat(hex(out.toByteArray())).isEqualTo("060361" + "053ff0000000000000" + "01" + "0a0b01" + "036b" + "03" + "01");
    w.reset();
    out.reset();
    w.writeString("a");
    assertThat(hex(out.toByteArray())).isEqualTo("060361"); // table was reset
  }

  @Test
  void writerRefusesUnknownTypesAndDeepNesting() {
    assertThatThrownBy(() -> write(new Object())).isInstanceOf(IllegalArgumentException.class);
    Object deep = null;
    for (int i = 0; i < 100; i++) {
      deep = List.of(deep == null ? 0 : deep);
    }
    Object d = deep;
    assertThatThrownBy(() -> write(d)).isInstanceOf(IllegalArgumentException.class);
  }
}
