package io.altocumulus.rtmfp.amf;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMF3 encoder (AMF3 spec §3). Emits references for repeated non-empty strings, for values
 * written again by identity (objects, arrays, maps, lists, dictionaries, vectors, byte arrays,
 * dates, XML) and for repeated traits. Tables live until {@link #reset()}. Not thread-safe.
 *
 * <p>Java mapping: Integer/Short/Byte → integer when in [-2^28, 2^28), else double; other
 * Numbers → double; CharSequence → string; Map → anonymous dynamic object (keys via
 * String.valueOf); List and Object[] → dense array.
 */
public final class Amf3Writer extends AmfWriter {
  private record TraitKey(String className, boolean dynamic, boolean externalizable, List<String> sealed) {}

  private final HashMap<String, Integer> strings = new HashMap<>();
  private final IdentityHashMap<Object, Integer> objects = new IdentityHashMap<>();
  private final HashMap<TraitKey, Integer> traits = new HashMap<>();

  public Amf3Writer(AmfOutput out) {
    this(out, AmfContext.DEFAULT);
  }

  public Amf3Writer(AmfOutput out, AmfContext ctx) {
    super(out, ctx);
  }

  @Override
  public void reset() {
    strings.clear();
    objects.clear();
    traits.clear();
    depth = 0;
  }

  /** Writes a U29 in [0, 2^29) (AMF3 spec §1.3.1). */
  public void writeU29(int v) {
    if (v < 0 || v > Amf.U29_MAX) {
      throw new IllegalArgumentException("U29 out of range: " + v);
    }
    if (v < 0x80) {
      out.writeU8(v);
    } else if (v < 0x4000) {
      out.writeU8(v >>> 7 | 0x80).writeU8(v & 0x7F);
    } else if (v < 0x200000) {
      out.writeU8(v >>> 14 | 0x80).writeU8(v >>> 7 & 0x7F | 0x80).writeU8(v & 0x7F);
    } else {
      out.writeU8(v >>> 22 | 0x80).writeU8(v >>> 15 & 0x7F | 0x80)
          .writeU8(v >>> 8 & 0x7F | 0x80).writeU8(v & 0xFF);
    }
  }

  @Override
  public void writeNull() {
    out.writeU8(Amf.AMF3_NULL);
  }

  @Override
  public void writeUndefined() {
    out.writeU8(Amf.AMF3_UNDEFINED);
  }

  @Override
  public void writeBoolean(boolean b) {
    out.writeU8(b ? Amf.AMF3_TRUE : Amf.AMF3_FALSE);
  }

  /** An integer in [-2^28, 2^28) as AMF3 integer, otherwise as a double. */
  @Override
  public void writeInteger(int i) {
    if (i >= Amf.AMF3_INT_MIN && i <= Amf.AMF3_INT_MAX) {
      out.writeU8(Amf.AMF3_INTEGER);
      writeU29(i & Amf.U29_MAX);
    } else {
      writeNumber(i);
    }
  }

  /** Always an AMF3 double (0x05). */
  @Override
  public void writeNumber(double d) {
    out.writeU8(Amf.AMF3_DOUBLE).writeDouble(d);
  }

  @Override
  public void writeString(String s) {
    out.writeU8(Amf.AMF3_STRING);
    writeStringBody(s);
  }

  /** A UTF-8-vr: a reference when this non-empty string was written before. */
  public void writeStringBody(String s) {
    if (s.isEmpty()) {
      out.writeU8(0x01);
      return;
    }
    Integer idx = strings.get(s);
    if (idx != null) {
      writeU29(idx << 1);
      return;
    }
    if (strings.size() <= Amf.U29_MAX >>> 1) {
      strings.put(s, strings.size());
    }
    writeInlineUtf8(s);
  }

  private void writeInlineUtf8(String s) {
    int n = AmfOutput.utf8Length(s);
    if (n > Amf.U29_MAX >>> 1) {
      throw new IllegalArgumentException("string of " + n + " bytes too long for AMF3");
    }
    writeU29(n << 1 | 1);
    out.writeUtf8(s);
  }

  @Override
  public void writeObject(Map<String, ?> members) {
    writeValue(members);
  }

  /** True when {@code v} was written before (a reference was emitted); else registers it. */
  private boolean reference(Object v) {
    Integer idx = objects.get(v);
    if (idx != null) {
      writeU29(idx << 1);
      return true;
    }
    if (objects.size() <= Amf.U29_MAX >>> 1) {
      objects.put(v, objects.size());
    }
    return false;
  }

  @Override
  public void writeValue(Object v) {
    if (writeScalar(v)) {
      return;
    }
    if (v instanceof CharSequence s) {
      writeString(s.toString());
    } else if (v instanceof AmfObject o) {
      writeAmfObject(o);
    } else if (v instanceof AmfArray a) {
      out.writeU8(Amf.AMF3_ARRAY);
      if (!reference(a)) {
        writeArrayBody(a.dense(), a.associative());
      }
    } else if (v instanceof List<?> l) {
      out.writeU8(Amf.AMF3_ARRAY);
      if (!reference(l)) {
        writeArrayBody(l, Map.of());
      }
    } else if (v instanceof Object[] arr) {
      out.writeU8(Amf.AMF3_ARRAY);
      if (!reference(arr)) {
        writeArrayBody(Arrays.asList(arr), Map.of());
      }
    } else if (v instanceof byte[] b) {
      out.writeU8(Amf.AMF3_BYTE_ARRAY);
      if (!reference(b)) {
        writeU29(checkLen(b.length) << 1 | 1);
        out.writeBytes(b);
      }
    } else if (v instanceof AmfDate d) {
      out.writeU8(Amf.AMF3_DATE);
      if (!reference(d)) {
        out.writeU8(0x01).writeDouble(d.epochMillis());
      }
    } else if (v instanceof AmfXml x) {
      out.writeU8(x.legacyXmlDocument() ? Amf.AMF3_XML_DOC : Amf.AMF3_XML);
      if (!reference(x)) {
        writeInlineUtf8(x.xml());
      }
    } else if (v instanceof AmfDictionary d) {
      writeDictionary(d);
    } else if (v instanceof AmfVector vec) {
      writeVector(vec);
    } else if (v instanceof Map<?, ?> m) {
      out.writeU8(Amf.AMF3_OBJECT);
      if (!reference(m)) {
        writeTraits(new TraitKey("", true, false, List.of()));
        enter();
        writeDynamicMembers(m);
        exit();
      }
    } else if (v instanceof Character c) {
      writeString(c.toString());
    } else {
      throw new IllegalArgumentException("no AMF3 encoding for " + v.getClass().getName());
    }
  }

  private static int checkLen(int n) {
    if (n > Amf.U29_MAX >>> 1) {
      throw new IllegalArgumentException("length " + n + " too long for AMF3");
    }
    return n;
  }

  private void writeArrayBody(List<?> dense, Map<String, ?> assoc) {
    writeU29(checkLen(dense.size()) << 1 | 1);
    enter();
    for (Map.Entry<String, ?> e : assoc.entrySet()) {
      if (e.getKey().isEmpty()) {
        continue; // "" ends the associative part on the wire; it cannot be a key
      }
      writeStringBody(e.getKey());
      writeValue(e.getValue());
    }
    out.writeU8(0x01);
    for (Object item : dense) {
      writeValue(item);
    }
    exit();
  }

  private void writeDynamicMembers(Map<?, ?> m) {
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (key.isEmpty()) {
        continue; // "" ends the dynamic members on the wire
      }
      writeStringBody(key);
      writeValue(e.getValue());
    }
    out.writeU8(0x01);
  }

  /** Writes U29O-traits (inline or reference). The object marker and its reference check precede. */
  private void writeTraits(TraitKey key) {
    Integer idx = traits.get(key);
    if (idx != null) {
      writeU29(idx << 2 | 0x01);
      return;
    }
    if (traits.size() <= Amf.U29_MAX >>> 2) {
      traits.put(key, traits.size());
    }
    if (key.externalizable()) {
      writeU29(0x07);
    } else {
      int n = key.sealed().size();
      if (n > Amf.U29_MAX >>> 4) {
        throw new IllegalArgumentException("too many sealed members: " + n);
      }
      writeU29(n << 4 | (key.dynamic() ? 0x08 : 0) | 0x03);
    }
    writeStringBody(key.className());
    for (String name : key.sealed()) {
      writeStringBody(name);
    }
  }

  private void writeAmfObject(AmfObject o) {
    out.writeU8(Amf.AMF3_OBJECT);
    if (reference(o)) {
      return;
    }
    String className = o.className() == null ? "" : o.className();
    if (o.isExternalizable()) {
      AmfExternalizer ext = ctx.externalizer(className);
      if (ext == null) {
        throw new IllegalArgumentException("no externalizer registered for '" + className + "'");
      }
      writeTraits(new TraitKey(className, false, true, List.of()));
      enter();
      ext.writeExternal(o, this);
      exit();
      return;
    }
    boolean dynamic = o.isDynamic() || !o.dynamicProperties().isEmpty();
    writeTraits(new TraitKey(className, dynamic, false, List.copyOf(o.sealed().keySet())));
    enter();
    for (Object value : o.sealed().values()) {
      writeValue(value);
    }
    if (dynamic) {
      writeDynamicMembers(o.dynamicProperties());
    }
    exit();
  }

  private void writeDictionary(AmfDictionary d) {
    out.writeU8(Amf.AMF3_DICTIONARY);
    if (reference(d)) {
      return;
    }
    writeU29(checkLen(d.entries().size()) << 1 | 1);
    out.writeU8(d.weakKeys() ? 1 : 0);
    enter();
    for (Map.Entry<Object, Object> e : d.entries().entrySet()) {
      writeValue(e.getKey());
      writeValue(e.getValue());
    }
    exit();
  }

  private void writeVector(AmfVector v) {
    out.writeU8(v.kind().marker);
    if (reference(v)) {
      return;
    }
    List<Object> values = v.values();
    writeU29(checkLen(values.size()) << 1 | 1);
    out.writeU8(v.fixed() ? 1 : 0);
    if (v.kind() == AmfVector.Kind.OBJECT) {
      writeStringBody(v.typeName());
    }
    enter();
    for (Object item : values) {
      switch (v.kind()) {
        case INT -> out.writeI32(number(item).intValue());
        case UINT -> out.writeU32(number(item).longValue());
        case DOUBLE -> out.writeDouble(number(item).doubleValue());
        default -> writeValue(item);
      }
    }
    exit();
  }

  private static Number number(Object item) {
    if (item instanceof Number n) {
      return n;
    }
    throw new IllegalArgumentException("numeric vector item is not a Number: " + item);
  }
}
