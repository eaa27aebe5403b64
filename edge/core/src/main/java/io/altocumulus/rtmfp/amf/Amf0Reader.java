package io.altocumulus.rtmfp.amf;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Map;

/**
 * AMF0 decoder (AMF0 spec §2) with the 0x11 switch to AMF3 (AMF0 spec §3.1, RTMFP-WIRE §8.4).
 * Objects, typed objects, ECMA and strict arrays enter the AMF0 reference table (0x07) as they
 * start, so self-references work. One instance reads one message; not thread-safe.
 *
 * <p>Mapping: anonymous object → {@link AmfObject} with dynamic members; typed object →
 * {@link AmfObject} with a class name and sealed members; ECMA array → {@link AmfArray} (in-order
 * "0","1",… keys go to the dense part); strict array → dense {@link AmfArray}; XML document →
 * {@link AmfXml} with legacyXmlDocument=true; "unsupported" (0x0D) → {@link Amf#UNDEFINED}.
 */
public final class Amf0Reader extends AmfReader {
  private final ArrayList<Object> references = new ArrayList<>();
  private Amf3Reader amf3;

  public Amf0Reader(ByteBuffer in) {
    this(in, AmfContext.DEFAULT);
  }

  public Amf0Reader(ByteBuffer in, AmfContext ctx) {
    super(in, ctx, null);
  }

  @Override
  public Object readValue() {
    return readValue(readU8());
  }

  /**
   * Reads a string value: AMF0 string or long string, or an AMF3 string behind the 0x11 switch.
   */
  @Override
  public String readString() {
    int m = readU8();
    switch (m) {
      case Amf.AMF0_STRING:
        budget.element();
        return readUtf();
      case Amf.AMF0_LONG_STRING:
        budget.element();
        return readUtf8(readU32());
      case Amf.AMF0_AVMPLUS:
        return switchToAmf3().readString();
      default:
        throw Amf.malformed("expected AMF0 string, got marker 0x" + Integer.toHexString(m));
    }
  }

  /** Reads a number: AMF0 number, or an AMF3 integer/double behind the 0x11 switch. */
  @Override
  public double readNumber() {
    int m = readU8();
    if (m == Amf.AMF0_NUMBER) {
      budget.element();
      return readDouble();
    }
    if (m == Amf.AMF0_AVMPLUS) {
      return switchToAmf3().readNumber();
    }
    throw Amf.malformed("expected AMF0 number, got marker 0x" + Integer.toHexString(m));
  }

  private Amf3Reader switchToAmf3() {
    if (amf3 == null) {
      amf3 = new Amf3Reader(in, ctx, budget);
    } else if (!ctx.shareAmf3TablesAcrossSwitches()) {
      amf3.resetReferences();
    }
    return amf3;
  }

  private Object readValue(int marker) {
    if (marker == Amf.AMF0_AVMPLUS) {
      return switchToAmf3().readValue();
    }
    budget.element();
    switch (marker) {
      case Amf.AMF0_NUMBER:
        return readDouble();
      case Amf.AMF0_BOOLEAN:
        return readU8() != 0;
      case Amf.AMF0_STRING:
        return readUtf();
      case Amf.AMF0_LONG_STRING:
        return readUtf8(readU32());
      case Amf.AMF0_NULL:
        return null;
      case Amf.AMF0_UNDEFINED:
      case Amf.AMF0_UNSUPPORTED:
        return Amf.UNDEFINED;
      case Amf.AMF0_REFERENCE: {
        int idx = readU16();
        if (idx >= references.size()) {
          throw Amf.malformed("AMF0 reference " + idx + " out of " + references.size());
        }
        return references.get(idx);
      }
      case Amf.AMF0_OBJECT: {
        AmfObject o = new AmfObject();
        references.add(o);
        readMembers(o.dynamicProperties());
        return o;
      }
      case Amf.AMF0_TYPED_OBJECT: {
        AmfObject o = new AmfObject(readUtf());
        o.setDynamic(false);
        references.add(o);
        readMembers(o.sealed());
        return o;
      }
      case Amf.AMF0_ECMA_ARRAY:
        return readEcmaArray();
      case Amf.AMF0_STRICT_ARRAY: {
        long count = readU32();
        checkCount(count, 1, "AMF0 strict array");
        AmfArray a = new AmfArray((int) count);
        references.add(a);
        budget.enter();
        for (int i = 0; i < count; i++) {
          a.dense().add(readValue());
        }
        budget.exit();
        return a;
      }
      case Amf.AMF0_DATE: {
        double ms = readDouble();
        return new AmfDate(ms, readS16());
      }
      case Amf.AMF0_XML_DOCUMENT:
        return new AmfXml(readUtf8(readU32()), true);
      case Amf.AMF0_OBJECT_END:
        throw Amf.malformed("AMF0 object-end marker outside an object");
      default:
        throw Amf.malformed("unsupported AMF0 marker 0x" + Integer.toHexString(marker));
    }
  }

  private Object readEcmaArray() {
    readU32(); // associative count: a hint only, the end marker is authoritative
    AmfArray a = new AmfArray();
    references.add(a);
    budget.enter();
    for (;;) {
      String key = readUtf();
      int m = readU8();
      if (key.isEmpty() && m == Amf.AMF0_OBJECT_END) {
        break;
      }
      Object v = readValue(m);
      if (key.equals(denseKey(a.dense().size()))) {
        a.dense().add(v);
      } else {
        a.associative().put(key, v);
      }
    }
    budget.exit();
    return a;
  }

  private static String denseKey(int i) {
    return i < SMALL.length ? SMALL[i] : Integer.toString(i);
  }

  private static final String[] SMALL = new String[64];

  static {
    for (int i = 0; i < SMALL.length; i++) {
      SMALL[i] = Integer.toString(i);
    }
  }

  /** Members until the empty name followed by object-end (AMF0 spec §2.5). */
  private void readMembers(Map<String, Object> into) {
    budget.enter();
    for (;;) {
      String key = readUtf();
      int m = readU8();
      if (key.isEmpty() && m == Amf.AMF0_OBJECT_END) {
        break;
      }
      into.put(key, readValue(m));
    }
    budget.exit();
  }
}
