package io.altocumulus.rtmfp.amf;

import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * AMF3 decoder (AMF3 spec §1.3.1 U29, §3). Keeps the string, object and trait reference tables
 * of one message; {@link #resetReferences()} starts a new one. Not thread-safe.
 */
public final class Amf3Reader extends AmfReader {
  private static final String[] NO_NAMES = new String[0];

  private record Traits(String className, boolean dynamic, boolean externalizable, String[] sealed) {}

  private final ArrayList<String> strings = new ArrayList<>();
  private final ArrayList<Object> objects = new ArrayList<>();
  private final ArrayList<Traits> traits = new ArrayList<>();

  public Amf3Reader(ByteBuffer in) {
    this(in, AmfContext.DEFAULT);
  }

  public Amf3Reader(ByteBuffer in, AmfContext ctx) {
    super(in, ctx, null);
  }

  /** For an AMF0 reader's 0x11 switch: same buffer, same budget. */
  Amf3Reader(ByteBuffer in, AmfContext ctx, Budget budget) {
    super(in, ctx, budget);
  }

  /** Clears the string, object and trait tables. */
  public void resetReferences() {
    strings.clear();
    objects.clear();
    traits.clear();
  }

  @Override
  public Object readValue() {
    return readValue(readU8());
  }

  @Override
  public String readString() {
    int m = readU8();
    if (m != Amf.AMF3_STRING) {
      throw Amf.malformed("expected AMF3 string, got marker 0x" + Integer.toHexString(m));
    }
    budget.element();
    return readStringBody();
  }

  @Override
  public double readNumber() {
    int m = readU8();
    budget.element();
    if (m == Amf.AMF3_INTEGER) {
      return readInteger();
    }
    if (m == Amf.AMF3_DOUBLE) {
      return readDouble();
    }
    throw Amf.malformed("expected AMF3 number, got marker 0x" + Integer.toHexString(m));
  }

  /** Reads a U29 (AMF3 spec §1.3.1): 1 to 4 bytes, the 4th contributing 8 bits. */
  public int readU29() {
    int v = 0;
    for (int i = 0; i < 3; i++) {
      int b = readU8();
      v = (v << 7) | (b & 0x7F);
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    return (v << 8) | readU8();
  }

  /** U29 sign-extended from 29 bits (AMF3 integer-type). */
  int readInteger() {
    return (readU29() << 3) >> 3;
  }

  /** Reads the value after {@code marker}. */
  Object readValue(int marker) {
    budget.element();
    switch (marker) {
      case Amf.AMF3_UNDEFINED:
        return Amf.UNDEFINED;
      case Amf.AMF3_NULL:
        return null;
      case Amf.AMF3_FALSE:
        return Boolean.FALSE;
      case Amf.AMF3_TRUE:
        return Boolean.TRUE;
      case Amf.AMF3_INTEGER:
        return readInteger();
      case Amf.AMF3_DOUBLE:
        return readDouble();
      case Amf.AMF3_STRING:
        return readStringBody();
      case Amf.AMF3_XML_DOC:
      case Amf.AMF3_XML:
        return readXml(marker == Amf.AMF3_XML_DOC);
      case Amf.AMF3_DATE:
        return readDate();
      case Amf.AMF3_ARRAY:
        return readArray();
      case Amf.AMF3_OBJECT:
        return readObject();
      case Amf.AMF3_BYTE_ARRAY:
        return readByteArray();
      case Amf.AMF3_VECTOR_INT:
        return readVector(AmfVector.Kind.INT);
      case Amf.AMF3_VECTOR_UINT:
        return readVector(AmfVector.Kind.UINT);
      case Amf.AMF3_VECTOR_DOUBLE:
        return readVector(AmfVector.Kind.DOUBLE);
      case Amf.AMF3_VECTOR_OBJECT:
        return readVector(AmfVector.Kind.OBJECT);
      case Amf.AMF3_DICTIONARY:
        return readDictionary();
      default:
        throw Amf.malformed("unknown AMF3 marker 0x" + Integer.toHexString(marker));
    }
  }

  /** A UTF-8-vr (AMF3 spec §1.3.2): a string reference or an inline string; "" is never stored. */
  public String readStringBody() {
    int u = readU29();
    if ((u & 1) == 0) {
      int idx = u >>> 1;
      if (idx >= strings.size()) {
        throw Amf.malformed("AMF3 string reference " + idx + " out of " + strings.size());
      }
      return strings.get(idx);
    }
    String s = readUtf8(u >>> 1);
    if (!s.isEmpty()) {
      strings.add(s);
    }
    return s;
  }

  private Object objectRef(int idx) {
    if (idx >= objects.size()) {
      throw Amf.malformed("AMF3 object reference " + idx + " out of " + objects.size());
    }
    return objects.get(idx);
  }

  private Object readXml(boolean legacy) {
    int u = readU29();
    if ((u & 1) == 0) {
      return objectRef(u >>> 1);
    }
    AmfXml x = new AmfXml(readUtf8(u >>> 1), legacy);
    objects.add(x);
    return x;
  }

  private Object readDate() {
    int u = readU29();
    if ((u & 1) == 0) {
      return objectRef(u >>> 1);
    }
    AmfDate d = new AmfDate(readDouble(), 0);
    objects.add(d);
    return d;
  }

  private Object readByteArray() {
    int u = readU29();
    if ((u & 1) == 0) {
      return objectRef(u >>> 1);
    }
    byte[] b = readBytes(u >>> 1);
    objects.add(b);
    return b;
  }

  private Object readArray() {
    int u = readU29();
    if ((u & 1) == 0) {
      return objectRef(u >>> 1);
    }
    int count = u >>> 1;
    checkCount(count, 1, "AMF3 array");
    AmfArray a = new AmfArray(count);
    objects.add(a);
    budget.enter();
    for (String key = readStringBody(); !key.isEmpty(); key = readStringBody()) {
      a.associative().put(key, readValue());
    }
    for (int i = 0; i < count; i++) {
      a.dense().add(readValue());
    }
    budget.exit();
    return a;
  }

  private Object readObject() {
    int u = readU29();
    if ((u & 1) == 0) {
      return objectRef(u >>> 1);
    }
    Traits t;
    if ((u & 2) == 0) {
      int idx = u >>> 2;
      if (idx >= traits.size()) {
        throw Amf.malformed("AMF3 trait reference " + idx + " out of " + traits.size());
      }
      t = traits.get(idx);
    } else if ((u & 4) != 0) {
      t = new Traits(readStringBody(), false, true, NO_NAMES);
      traits.add(t);
    } else {
      int n = u >>> 4;
      checkCount(n, 2, "AMF3 sealed member");
      String className = readStringBody();
      String[] names = n == 0 ? NO_NAMES : new String[n];
      for (int i = 0; i < n; i++) {
        names[i] = readStringBody();
      }
      t = new Traits(className, (u & 8) != 0, false, names);
      traits.add(t);
    }
    if (t.externalizable()) {
      return readExternal(t.className());
    }
    AmfObject o = new AmfObject(t.className());
    o.setDynamic(t.dynamic());
    objects.add(o);
    budget.enter();
    for (String name : t.sealed()) {
      o.sealed().put(name, readValue());
    }
    if (t.dynamic()) {
      for (String key = readStringBody(); !key.isEmpty(); key = readStringBody()) {
        o.dynamicProperties().put(key, readValue());
      }
    }
    budget.exit();
    return o;
  }

  private Object readExternal(String className) {
    AmfExternalizer ext = ctx.externalizer(className);
    if (ext == null) {
      throw Amf.malformed("externalizable AMF3 class '" + className
          + "' has no registered externalizer; its length is unknown");
    }
    // The slot is taken before the body (references inside see null until it is read).
    int slot = objects.size();
    objects.add(null);
    budget.enter();
    Object v;
    try {
      v = ext.readExternal(className, this);
    } catch (WireException e) {
      throw e;
    } catch (RuntimeException e) {
      throw Amf.malformed("externalizer of '" + className + "' failed: " + e);
    }
    budget.exit();
    objects.set(slot, v);
    return v;
  }

  private Object readVector(AmfVector.Kind kind) {
    int u = readU29();
    if ((u & 1) == 0) {
      return objectRef(u >>> 1);
    }
    int count = u >>> 1;
    boolean fixed = readU8() != 0;
    String typeName = kind == AmfVector.Kind.OBJECT ? readStringBody() : null;
    int each = kind == AmfVector.Kind.DOUBLE ? 8 : kind == AmfVector.Kind.OBJECT ? 1 : 4;
    checkCount(count, each, "AMF3 vector");
    AmfVector v = new AmfVector(kind, fixed, typeName, count);
    objects.add(v);
    budget.enter();
    for (int i = 0; i < count; i++) {
      switch (kind) {
        case INT -> v.values().add(readI32());
        case UINT -> v.values().add(readU32());
        case DOUBLE -> v.values().add(readDouble());
        default -> v.values().add(readValue());
      }
    }
    budget.exit();
    return v;
  }

  private Object readDictionary() {
    int u = readU29();
    if ((u & 1) == 0) {
      return objectRef(u >>> 1);
    }
    int count = u >>> 1;
    boolean weak = readU8() != 0;
    checkCount(count, 2, "AMF3 dictionary");
    AmfDictionary d = new AmfDictionary(weak);
    objects.add(d);
    budget.enter();
    for (int i = 0; i < count; i++) {
      Object key = readValue();
      d.entries().put(key, readValue());
    }
    budget.exit();
    return d;
  }
}
