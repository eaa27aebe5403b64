package io.altocumulus.rtmfp.amf;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * AMF0 encoder (AMF0 spec §2) with two modes:
 *
 * <ul>
 *   <li>{@link Mode#PURE}: AMF0 only, for objectEncoding-0 clients (REAL-CLIENTS.md §5). Integers
 *       become numbers; byte arrays, dictionaries, vectors and externalizable objects cannot be
 *       written (IllegalArgumentException).
 *   <li>{@link Mode#AMF3_SWITCH} ("Cumulus style", RTMFP-WIRE §8.4): null, undefined, booleans and
 *       non-Integer numbers in AMF0; strings, Integers and every complex value as AMF3 behind the
 *       0x11 marker (for example the Integer 1 is {@code 11 04 01}).
 * </ul>
 *
 * <p>In both modes {@link #writeString}, {@link #writeNumber}, {@link #writeNull} and
 * {@link #writeObject} write pure AMF0 (command names, transaction ids and the info objects of
 * {@code _result}/{@code _error}/{@code onStatus} are AMF0 in Cumulus too); inside
 * {@link #writeObject}, string members are AMF0 strings and other members follow
 * {@link #writeValue}. Objects and arrays written again (by identity) become AMF0 references.
 */
public final class Amf0Writer extends AmfWriter {
  public enum Mode {
    /** AMF0 only. */
    PURE,
    /** Complex values, strings and Integers as AMF3 behind 0x11 (Cumulus's writer). */
    AMF3_SWITCH
  }

  private final Mode mode;
  private final IdentityHashMap<Object, Integer> references = new IdentityHashMap<>();
  private Amf3Writer amf3;

  public Amf0Writer(AmfOutput out, Mode mode) {
    this(out, mode, AmfContext.DEFAULT);
  }

  public Amf0Writer(AmfOutput out, Mode mode, AmfContext ctx) {
    super(out, ctx);
    this.mode = Objects.requireNonNull(mode);
  }

  public Mode mode() {
    return mode;
  }

  @Override
  public void reset() {
    references.clear();
    if (amf3 != null) {
      amf3.reset();
    }
    depth = 0;
  }

  /** AMF0 string (0x02), or long string (0x0C) above 65535 UTF-8 bytes. */
  @Override
  public void writeString(String s) {
    int n = AmfOutput.utf8Length(s);
    if (n <= 0xFFFF) {
      out.writeU8(Amf.AMF0_STRING).writeU16(n);
    } else {
      out.writeU8(Amf.AMF0_LONG_STRING).writeI32(n);
    }
    out.writeUtf8(s);
  }

  /** AMF0 number (0x00). */
  @Override
  public void writeNumber(double d) {
    out.writeU8(Amf.AMF0_NUMBER).writeDouble(d);
  }

  @Override
  public void writeNull() {
    out.writeU8(Amf.AMF0_NULL);
  }

  @Override
  public void writeUndefined() {
    out.writeU8(Amf.AMF0_UNDEFINED);
  }

  @Override
  public void writeBoolean(boolean b) {
    out.writeU8(Amf.AMF0_BOOLEAN).writeU8(b ? 1 : 0);
  }

  /** PURE: an AMF0 number; AMF3_SWITCH: {@code 11} + AMF3 integer (double if out of range). */
  @Override
  public void writeInteger(int i) {
    if (mode == Mode.PURE) {
      writeNumber(i);
    } else {
      switchToAmf3().writeInteger(i);
    }
  }

  /** Writes {@code 11} then {@code v} in AMF3, whatever the mode. */
  public void writeAmf3(Object v) {
    switchToAmf3().writeValue(v);
  }

  private Amf3Writer switchToAmf3() {
    out.writeU8(Amf.AMF0_AVMPLUS);
    if (amf3 == null) {
      amf3 = new Amf3Writer(out, ctx);
    } else if (!ctx.shareAmf3TablesAcrossSwitches()) {
      amf3.reset();
    }
    amf3.depth = depth;
    return amf3;
  }

  /** Pure AMF0 anonymous object (0x03 … 00 00 09); see the class comment for the members. */
  @Override
  public void writeObject(Map<String, ?> members) {
    if (!referenceOnly(members)) {
      out.writeU8(Amf.AMF0_OBJECT);
      writeMembers(members);
    }
  }

  @Override
  public void writeValue(Object v) {
    if (writeScalar(v)) {
      return;
    }
    if (mode == Mode.AMF3_SWITCH) {
      switchToAmf3().writeValue(v);
    } else {
      writePureComplex(v);
    }
  }

  private void writePureComplex(Object v) {
    if (v instanceof CharSequence s) {
      writeString(s.toString());
    } else if (v instanceof Character c) {
      writeString(c.toString());
    } else if (v instanceof AmfObject o) {
      if (o.isExternalizable()) {
        throw new IllegalArgumentException("externalizable " + o.className() + " has no AMF0 form");
      }
      if (o.className() == null) {
        if (!referenceOnly(o)) {
          out.writeU8(Amf.AMF0_OBJECT);
          writeMembers(o.sealed(), o.dynamicProperties());
        }
      } else {
        if (referenceOnly(o)) {
          return;
        }
        out.writeU8(Amf.AMF0_TYPED_OBJECT).writeUtf(o.className());
        writeMembers(o.sealed(), o.dynamicProperties());
      }
    } else if (v instanceof AmfArray a) {
      if (a.associative().isEmpty()) {
        writeStrictArray(a, a.dense());
      } else {
        if (referenceOnly(a)) {
          return;
        }
        out.writeU8(Amf.AMF0_ECMA_ARRAY).writeI32(a.dense().size() + a.associative().size());
        enter();
        for (int i = 0; i < a.dense().size(); i++) {
          out.writeUtf(Integer.toString(i));
          writeMember(a.dense().get(i));
        }
        for (Map.Entry<String, Object> e : a.associative().entrySet()) {
          writeKey(e.getKey());
          writeMember(e.getValue());
        }
        out.writeU16(0).writeU8(Amf.AMF0_OBJECT_END);
        exit();
      }
    } else if (v instanceof List<?> l) {
      writeStrictArray(l, l);
    } else if (v instanceof Object[] arr) {
      writeStrictArray(arr, Arrays.asList(arr));
    } else if (v instanceof Map<?, ?> m) {
      if (!referenceOnly(m)) {
        out.writeU8(Amf.AMF0_OBJECT);
        writeMembers(m);
      }
    } else if (v instanceof AmfDate d) {
      out.writeU8(Amf.AMF0_DATE).writeDouble(d.epochMillis()).writeU16(d.timezone());
    } else if (v instanceof AmfXml x) {
      out.writeU8(Amf.AMF0_XML_DOCUMENT).writeI32(AmfOutput.utf8Length(x.xml()));
      out.writeUtf8(x.xml());
    } else {
      throw new IllegalArgumentException("no pure AMF0 encoding for " + v.getClass().getName()
          + " (use Mode.AMF3_SWITCH)");
    }
  }

  private void writeStrictArray(Object identity, List<?> items) {
    if (referenceOnly(identity)) {
      return;
    }
    out.writeU8(Amf.AMF0_STRICT_ARRAY).writeI32(items.size());
    enter();
    for (Object item : items) {
      writeValue(item);
    }
    exit();
  }

  /** Emits {@code 07 idx} and returns true when {@code v} was written before; else registers it. */
  private boolean referenceOnly(Object v) {
    Integer idx = references.get(v);
    if (idx != null) {
      out.writeU8(Amf.AMF0_REFERENCE).writeU16(idx);
      return true;
    }
    if (references.size() <= 0xFFFF) {
      references.put(v, references.size());
    }
    return false;
  }

  @SafeVarargs
  private void writeMembers(Map<?, ?>... parts) {
    enter();
    for (Map<?, ?> part : parts) {
      for (Map.Entry<?, ?> e : part.entrySet()) {
        writeKey(String.valueOf(e.getKey()));
        writeMember(e.getValue());
      }
    }
    out.writeU16(0).writeU8(Amf.AMF0_OBJECT_END);
    exit();
  }

  private void writeKey(String key) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException("AMF0 member names cannot be empty");
    }
    out.writeUtf(key);
  }

  /** Object members: strings stay AMF0 (as in Cumulus info objects), the rest per writeValue. */
  private void writeMember(Object v) {
    if (v instanceof CharSequence s) {
      writeString(s.toString());
    } else {
      writeValue(v);
    }
  }
}
