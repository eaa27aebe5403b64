package io.altocumulus.rtmfp.amf;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** AMF markers, the undefined value and helpers shared by the AMF0 and AMF3 codecs. */
public final class Amf {
  private Amf() {}

  /** The AMF "undefined" value (AMF0 0x06, AMF3 0x00). A singleton: compare with {@code ==}. */
  public static final Undefined UNDEFINED = new Undefined();

  /** Type of {@link #UNDEFINED}. */
  public static final class Undefined {
    private Undefined() {}

    @Override
    public String toString() {
      return "undefined";
    }
  }

  // AMF0 type markers (AMF0 spec §2.1).
  public static final int AMF0_NUMBER = 0x00;
  public static final int AMF0_BOOLEAN = 0x01;
  public static final int AMF0_STRING = 0x02;
  public static final int AMF0_OBJECT = 0x03;
  public static final int AMF0_MOVIECLIP = 0x04;
  public static final int AMF0_NULL = 0x05;
  public static final int AMF0_UNDEFINED = 0x06;
  public static final int AMF0_REFERENCE = 0x07;
  public static final int AMF0_ECMA_ARRAY = 0x08;
  public static final int AMF0_OBJECT_END = 0x09;
  public static final int AMF0_STRICT_ARRAY = 0x0A;
  public static final int AMF0_DATE = 0x0B;
  public static final int AMF0_LONG_STRING = 0x0C;
  public static final int AMF0_UNSUPPORTED = 0x0D;
  public static final int AMF0_RECORDSET = 0x0E;
  public static final int AMF0_XML_DOCUMENT = 0x0F;
  public static final int AMF0_TYPED_OBJECT = 0x10;
  /** "avmplus object": the next value is AMF3 (AMF0 spec §3.1, RTMFP-WIRE §8.4). */
  public static final int AMF0_AVMPLUS = 0x11;

  // AMF3 type markers (AMF3 spec §3.1).
  public static final int AMF3_UNDEFINED = 0x00;
  public static final int AMF3_NULL = 0x01;
  public static final int AMF3_FALSE = 0x02;
  public static final int AMF3_TRUE = 0x03;
  public static final int AMF3_INTEGER = 0x04;
  public static final int AMF3_DOUBLE = 0x05;
  public static final int AMF3_STRING = 0x06;
  public static final int AMF3_XML_DOC = 0x07;
  public static final int AMF3_DATE = 0x08;
  public static final int AMF3_ARRAY = 0x09;
  public static final int AMF3_OBJECT = 0x0A;
  public static final int AMF3_XML = 0x0B;
  public static final int AMF3_BYTE_ARRAY = 0x0C;
  public static final int AMF3_VECTOR_INT = 0x0D;
  public static final int AMF3_VECTOR_UINT = 0x0E;
  public static final int AMF3_VECTOR_DOUBLE = 0x0F;
  public static final int AMF3_VECTOR_OBJECT = 0x10;
  public static final int AMF3_DICTIONARY = 0x11;

  /** Largest AMF3 integer: 2^28 - 1 (AMF3 spec §3.6). */
  public static final int AMF3_INT_MAX = 0x0FFFFFFF;
  /** Smallest AMF3 integer: -2^28. */
  public static final int AMF3_INT_MIN = -0x10000000;
  /** Largest U29 value. */
  public static final int U29_MAX = 0x1FFFFFFF;

  static WireException malformed(String message) {
    return new WireException(DropCause.MALFORMED_AMF, message);
  }

  /**
   * Structural equality over the AMF value model, safe on cyclic graphs (a pair already under
   * comparison counts as equal). Integer and Double are different types here (AMF3 keeps them
   * apart); byte arrays compare by content; maps compare in iteration order.
   */
  public static boolean deepEquals(Object a, Object b) {
    return deepEquals(a, b, new IdentityHashMap<>());
  }

  private static boolean deepEquals(Object a, Object b, IdentityHashMap<Object, Object> seen) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null || a.getClass() != b.getClass() && !(a instanceof Map && b instanceof Map) && !(a instanceof List && b instanceof List)) {
      return false;
    }
    if (a instanceof byte[] x) {
      return Arrays.equals(x, (byte[]) b);
    }
    boolean container = a instanceof AmfObject || a instanceof AmfArray || a instanceof AmfDictionary
        || a instanceof AmfVector || a instanceof Map || a instanceof List;
    if (!container) {
      return a.equals(b);
    }
    if (seen.get(a) == b) {
      return true;
    }
    seen.put(a, b);
    if (a instanceof AmfObject x) {
      AmfObject y = (AmfObject) b;
      return java.util.Objects.equals(x.className(), y.className())
          && x.isExternalizable() == y.isExternalizable()
          && x.isDynamic() == y.isDynamic()
          && deepEquals(x.sealed(), y.sealed(), seen)
          && deepEquals(x.dynamicProperties(), y.dynamicProperties(), seen)
          && deepEquals(x.externalData(), y.externalData(), seen);
    }
    if (a instanceof AmfArray x) {
      AmfArray y = (AmfArray) b;
      return deepEquals(x.dense(), y.dense(), seen)
          && deepEquals(x.associative(), y.associative(), seen);
    }
    if (a instanceof AmfDictionary x) {
      AmfDictionary y = (AmfDictionary) b;
      return x.weakKeys() == y.weakKeys() && deepEquals(x.entries(), y.entries(), seen);
    }
    if (a instanceof AmfVector x) {
      AmfVector y = (AmfVector) b;
      return x.kind() == y.kind() && x.fixed() == y.fixed()
          && java.util.Objects.equals(x.typeName(), y.typeName())
          && deepEquals(x.values(), y.values(), seen);
    }
    if (a instanceof List<?> x) {
      List<?> y = (List<?>) b;
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!deepEquals(x.get(i), y.get(i), seen)) {
          return false;
        }
      }
      return true;
    }
    Map<?, ?> x = (Map<?, ?>) a;
    Map<?, ?> y = (Map<?, ?>) b;
    if (x.size() != y.size()) {
      return false;
    }
    Iterator<? extends Map.Entry<?, ?>> i = x.entrySet().iterator();
    Iterator<? extends Map.Entry<?, ?>> j = y.entrySet().iterator();
    while (i.hasNext()) {
      Map.Entry<?, ?> e = i.next();
      Map.Entry<?, ?> f = j.next();
      if (!deepEquals(e.getKey(), f.getKey(), seen) || !deepEquals(e.getValue(), f.getValue(), seen)) {
        return false;
      }
    }
    return true;
  }

  /** Longest rendering {@link #describe} builds (then "…"). */
  static final int DESCRIBE_MAX_CHARS = 1024;

  /**
   * A short rendering of a value for logs: containers are cut at depth 4 and the whole at about
   * {@value #DESCRIBE_MAX_CHARS} characters. The length bound matters: references let a few
   * hundred bytes of AMF name one value thousands of times (found by AmfFuzzTest: 316 bytes
   * rendered as 100 KB; a few KB of nested references would never finish).
   */
  public static String describe(Object v) {
    StringBuilder sb = new StringBuilder();
    describe(v, sb, 0);
    return sb.toString();
  }

  /** True once the rendering is at its bound; marks the cut once. */
  private static boolean full(StringBuilder sb) {
    if (sb.length() < DESCRIBE_MAX_CHARS) {
      return false;
    }
    if (sb.charAt(sb.length() - 1) != '…') {
      sb.append('…');
    }
    return true;
  }

  private static void describe(Object v, StringBuilder sb, int depth) {
    if (full(sb)) {
      return;
    }
    if (depth > 4) {
      sb.append("…");
      return;
    }
    if (v instanceof String s) {
      sb.append('"').append(s.length() > 64 ? s.substring(0, 64) + "…" : s).append('"');
    } else if (v instanceof byte[] b) {
      sb.append("bytes[").append(b.length).append(']');
    } else if (v instanceof AmfObject o) {
      sb.append(o.className() == null ? "" : o.className()).append('{');
      if (o.isExternalizable()) {
        sb.append("ext=");
        describe(o.externalData(), sb, depth + 1);
      }
      describeMap(o.sealed(), sb, depth);
      if (!o.sealed().isEmpty() && !o.dynamicProperties().isEmpty()) {
        sb.append(", ");
      }
      describeMap(o.dynamicProperties(), sb, depth);
      sb.append('}');
    } else if (v instanceof AmfArray a) {
      sb.append('[');
      for (int i = 0; i < a.dense().size() && !full(sb); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        describe(a.dense().get(i), sb, depth + 1);
      }
      if (!a.associative().isEmpty()) {
        sb.append(a.dense().isEmpty() ? "" : ", ");
        describeMap(a.associative(), sb, depth);
      }
      sb.append(']');
    } else if (v instanceof AmfDictionary d) {
      sb.append("Dictionary").append(d.weakKeys() ? "(weak)" : "").append('{');
      describeMap(d.entries(), sb, depth);
      sb.append('}');
    } else if (v instanceof AmfVector vec) {
      sb.append("Vector.<").append(vec.kind()).append(">[");
      for (int i = 0; i < vec.values().size() && !full(sb); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        describe(vec.values().get(i), sb, depth + 1);
      }
      sb.append(']');
    } else {
      sb.append(v);
    }
  }

  private static void describeMap(Map<?, ?> m, StringBuilder sb, int depth) {
    boolean first = true;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (full(sb)) {
        return;
      }
      if (!first) {
        sb.append(", ");
      }
      first = false;
      describe(e.getKey(), sb, depth + 1);
      sb.append(": ");
      describe(e.getValue(), sb, depth + 1);
    }
  }
}
