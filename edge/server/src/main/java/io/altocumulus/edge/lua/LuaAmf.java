package io.altocumulus.edge.lua;

import io.altocumulus.rtmfp.amf.Amf;
import io.altocumulus.rtmfp.amf.Amf0Reader;
import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.Amf3Reader;
import io.altocumulus.rtmfp.amf.Amf3Writer;
import io.altocumulus.rtmfp.amf.AmfArray;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.amf.AmfDate;
import io.altocumulus.rtmfp.amf.AmfDictionary;
import io.altocumulus.rtmfp.amf.AmfExternalizer;
import io.altocumulus.rtmfp.amf.AmfObject;
import io.altocumulus.rtmfp.amf.AmfOutput;
import io.altocumulus.rtmfp.amf.AmfVector;
import io.altocumulus.rtmfp.amf.AmfXml;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcMessage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The AMF ↔ Lua mapping of CUMULUS-FEATURES §5.17 over the core's AMF value model
 * ({@code io.altocumulus.rtmfp.amf}): Date ↔ {@code __time}, ByteArray ↔ {@code __raw},
 * Dictionary ↔ {@code __size}, typed objects ↔ {@code __type} (+ {@code onTypedObject}),
 * externalizable ↔ {@code __writeExternal}. A table seen twice maps to the same Java object, so
 * the AMF writers emit a reference. Lua thread only.
 */
public final class LuaAmf {
  private static final LuaString TIME = LuaString.valueOf("__time");
  private static final LuaString RAW = LuaString.valueOf("__raw");
  private static final LuaString SIZE = LuaString.valueOf("__size");
  private static final LuaString TYPE = LuaString.valueOf("__type");
  private static final LuaString WRITE_EXTERNAL = LuaString.valueOf("__writeExternal");
  private static final LuaString READ_EXTERNAL = LuaString.valueOf("__readExternal");

  private LuaAmf() {}

  // ---- AMF to Lua ----

  public static LuaValue toLua(LuaHost host, Object v) {
    return toLua(host, v, new IdentityHashMap<>());
  }

  private static LuaValue toLua(LuaHost host, Object v, IdentityHashMap<Object, LuaTable> seen) {
    if (v == null || v == Amf.UNDEFINED) {
      return LuaValue.NIL;
    }
    if (v instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    if (v instanceof Integer i) {
      return LuaValue.valueOf(i);
    }
    if (v instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    if (v instanceof String s) {
      return LuaValue.valueOf(s);
    }
    if (v instanceof AmfXml x) {
      return LuaValue.valueOf(x.xml());
    }
    if (v instanceof AmfObject o && o.externalData() instanceof LuaTableRef r) {
      return r.table();
    }
    LuaTable known = seen.get(v);
    if (known != null) {
      return known;
    }
    LuaTable t = new LuaTable();
    seen.put(v, t);
    if (v instanceof byte[] b) {
      t.rawset(RAW, LuaString.valueOf(b));
    } else if (v instanceof AmfDate d) {
      date(t, d.epochMillis());
    } else if (v instanceof AmfArray a) {
      int i = 1;
      for (Object item : a.dense()) {
        t.rawset(i++, toLua(host, item, seen));
      }
      a.associative().forEach((k, x) -> t.rawset(k, toLua(host, x, seen)));
    } else if (v instanceof AmfDictionary d) {
      d.entries().forEach((k, x) -> putKey(t, toLua(host, k, seen), toLua(host, x, seen)));
      t.rawset(SIZE, LuaValue.valueOf(d.entries().size()));
      if (d.weakKeys()) {
        LuaTable mt = new LuaTable();
        mt.rawset(LuaValue.MODE, LuaValue.valueOf("k"));
        t.setmetatable(mt);
      }
    } else if (v instanceof AmfVector vec) {
      int i = 1;
      for (Object item : vec.values()) {
        t.rawset(i++, toLua(host, item, seen));
      }
    } else if (v instanceof AmfObject o) {
      o.sealed().forEach((k, x) -> t.rawset(k, toLua(host, x, seen)));
      o.dynamicProperties().forEach((k, x) -> t.rawset(k, toLua(host, x, seen)));
      if (o.isExternalizable() && o.externalData() != null) {
        LuaValue data = toLua(host, o.externalData(), seen);
        if (data.istable()) {
          for (LuaValue k = data.next(LuaValue.NIL).arg1(); !k.isnil(); k = data.next(k).arg1()) {
            t.rawset(k, data.rawget(k));
          }
        }
      }
      if (o.className() != null) {
        t.rawset(TYPE, LuaValue.valueOf(o.className()));
        if (host != null) {
          host.onTypedObject(o.className(), t);
        }
      }
    } else if (v instanceof Map<?, ?> m) {
      m.forEach((k, x) -> putKey(t, toLua(host, k, seen), toLua(host, x, seen)));
    } else if (v instanceof List<?> l) {
      int i = 1;
      for (Object item : l) {
        t.rawset(i++, toLua(host, item, seen));
      }
    } else {
      return LuaValue.valueOf(String.valueOf(v));
    }
    return t;
  }

  /**
   * A Lua table holds no nil or NaN key, but an AMF3 Dictionary may carry either (a null key, a
   * NaN double): such an entry is left out. Stored anyway, LuaJ accepts the NaN key and then fails
   * on {@code next} (found by LuaAmfFuzzTest).
   */
  private static void putKey(LuaTable t, LuaValue k, LuaValue v) {
    if (k.isnil() || (k.type() == LuaValue.TNUMBER && Double.isNaN(k.todouble()))) {
      return;
    }
    t.rawset(k, v);
  }

  /** {__time=ms, year, month, day, yday, wday, hour, min, sec, msec, isdst} in local time. */
  static void date(LuaTable t, double ms) {
    t.rawset(TIME, LuaValue.valueOf(ms));
    ZonedDateTime z = Instant.ofEpochMilli((long) ms).atZone(ZoneId.systemDefault());
    t.rawset("year", z.getYear());
    t.rawset("month", z.getMonthValue());
    t.rawset("day", z.getDayOfMonth());
    t.rawset("yday", z.getDayOfYear());
    t.rawset("wday", z.getDayOfWeek().getValue() % 7 + 1);
    t.rawset("hour", z.getHour());
    t.rawset("min", z.getMinute());
    t.rawset("sec", z.getSecond());
    t.rawset("msec", (int) Math.floorMod((long) ms, 1000L));
    t.rawset("isdst", LuaValue.valueOf(z.getZone().getRules().isDaylightSavings(z.toInstant())));
  }

  // ---- Lua to AMF ----

  public static Object fromLua(LuaHost host, LuaValue v) {
    return fromLua(host, v, new IdentityHashMap<>());
  }

  private static Object fromLua(LuaHost host, LuaValue v, IdentityHashMap<LuaValue, Object> seen) {
    switch (v.type()) {
      case LuaValue.TBOOLEAN:
        return v.toboolean();
      case LuaValue.TNUMBER: {
        double d = v.todouble();
        if (d == Math.rint(d) && d >= Amf.AMF3_INT_MIN && d <= Amf.AMF3_INT_MAX && !(d == 0 && 1 / d < 0)) {
          return (int) d;
        }
        return d;
      }
      case LuaValue.TSTRING:
        return v.tojstring();
      case LuaValue.TTABLE:
        return table(host, (LuaTable) v, seen);
      default:
        return null;
    }
  }

  private static Object table(LuaHost host, LuaTable t, IdentityHashMap<LuaValue, Object> seen) {
    Object known = seen.get(t);
    if (known != null) {
      return known;
    }
    LuaValue time = t.rawget(TIME);
    if (!time.isnil()) {
      AmfDate d = new AmfDate(time.todouble());
      seen.put(t, d);
      return d;
    }
    LuaValue raw = t.rawget(RAW);
    if (raw.isstring()) {
      LuaString s = raw.checkstring();
      byte[] b = new byte[s.rawlen()];
      s.copyInto(0, b, 0, b.length);
      seen.put(t, b);
      return b;
    }
    if (!t.rawget(SIZE).isnil()) {
      AmfDictionary d = new AmfDictionary(isWeak(t));
      seen.put(t, d);
      for (LuaValue k = t.next(LuaValue.NIL).arg1(); !k.isnil(); k = t.next(k).arg1()) {
        if (!k.raweq(SIZE)) {
          d.entries().put(fromLua(host, k, seen), fromLua(host, t.rawget(k), seen));
        }
      }
      return d;
    }
    LuaValue type = t.get(TYPE);
    if (type.isstring()) {
      String className = type.tojstring();
      if (t.get(WRITE_EXTERNAL).isfunction() && host != null) {
        AmfObject o = AmfObject.externalized(className, t);
        host.registerExternal(className);
        seen.put(t, o);
        return o;
      }
      AmfObject o = new AmfObject(className);
      seen.put(t, o);
      members(host, t, o, seen);
      return o;
    }
    int n = t.rawlen();
    if (n > 0 || t.next(LuaValue.NIL).arg1().isnil()) {
      AmfArray a = new AmfArray();
      seen.put(t, a);
      for (int i = 1; i <= n; i++) {
        a.dense().add(fromLua(host, t.rawget(i), seen));
      }
      for (LuaValue k = t.next(LuaValue.NIL).arg1(); !k.isnil(); k = t.next(k).arg1()) {
        if (k.isinttype() && k.toint() >= 1 && k.toint() <= n) {
          continue;
        }
        if (k.type() == LuaValue.TSTRING || k.type() == LuaValue.TNUMBER) {
          a.associative().put(k.tojstring(), fromLua(host, t.rawget(k), seen));
        }
      }
      return a;
    }
    AmfObject o = new AmfObject();
    seen.put(t, o);
    members(host, t, o, seen);
    return o;
  }

  private static void members(LuaHost host, LuaTable t, AmfObject o, IdentityHashMap<LuaValue, Object> seen) {
    for (LuaValue k = t.next(LuaValue.NIL).arg1(); !k.isnil(); k = t.next(k).arg1()) {
      if (k.raweq(TYPE)) {
        continue;
      }
      LuaValue x = t.rawget(k);
      if (x.isfunction() || k.type() != LuaValue.TSTRING && k.type() != LuaValue.TNUMBER) {
        continue; // methods and odd keys have no AMF form
      }
      String name = k.tojstring();
      if (o.className() != null) {
        o.sealed().put(name, fromLua(host, x, seen));
      } else {
        o.put(name, fromLua(host, x, seen));
      }
    }
  }

  private static boolean isWeak(LuaTable t) {
    LuaValue mt = t.getmetatable();
    return mt != null && mt.rawget(LuaValue.MODE).isstring() && mt.rawget(LuaValue.MODE).tojstring().contains("k");
  }

  // ---- binary AMF (cumulus:toAMF / toAMF0 / fromAMF) ----

  /** Encodes values as Cumulus does: AMF0 with the AMF3 switch, or pure AMF0 ({@code amf0}). */
  public static byte[] encode(LuaHost host, Varargs values, boolean amf0) {
    AmfOutput out = new AmfOutput(64);
    Amf0Writer w = new Amf0Writer(out, amf0 ? Amf0Writer.Mode.PURE : Amf0Writer.Mode.AMF3_SWITCH, host.amfContext());
    for (int i = 1; i <= values.narg(); i++) {
      w.writeValue(fromLua(host, values.arg(i)));
    }
    return out.toByteArray();
  }

  /** Decodes all the AMF0 values of {@code data} (AMF3 behind switches). */
  public static Varargs decode(LuaHost host, byte[] data) {
    Amf0Reader in = new Amf0Reader(ByteBuffer.wrap(data), host.amfContext());
    List<LuaValue> out = new ArrayList<>();
    while (in.hasRemaining()) {
      out.add(toLua(host, in.readValue()));
    }
    return LuaValue.varargsOf(out.toArray(new LuaValue[0]));
  }

  /**
   * A command message {@code name, txid, null, args...} as the client's encoding wants, with the
   * host's AMF context (externalizable types with {@code __writeExternal}).
   */
  public static byte[] command(LuaHost host, String name, double txid, Amf0Writer.Mode mode, Object... args) {
    return TcCommand.encodeWith(host.amfContext(), TcMessage.AMF0_COMMAND, name, txid, mode, args);
  }


  /** The externalizer of Lua types: {@code __writeExternal(self, writer)} / {@code __readExternal(self, reader)}. */
  static final class LuaExternalizer implements AmfExternalizer {
    private final LuaHost host;

    LuaExternalizer(LuaHost host) {
      this.host = host;
    }

    @Override
    public Object readExternal(String className, Amf3Reader in) {
      LuaTable t = new LuaTable();
      t.rawset(TYPE, LuaValue.valueOf(className));
      host.onTypedObject(className, t);
      LuaValue fn = t.get(READ_EXTERNAL);
      if (!fn.isfunction()) {
        throw new IllegalStateException("no __readExternal for " + className);
      }
      LuaBytes.Reader r = new LuaBytes.Reader(host, in);
      try {
        host.invoke(fn, LuaValue.varargsOf(t, r.table()));
      } finally {
        r.unlink();
      }
      return AmfObject.externalized(className, new LuaTableRef(t));
    }

    @Override
    public void writeExternal(Object value, Amf3Writer out) {
      AmfObject o = (AmfObject) value;
      LuaTable t = (LuaTable) o.externalData();
      LuaBytes.Writer w = new LuaBytes.Writer(host, out);
      try {
        host.invoke(t.get(WRITE_EXTERNAL), LuaValue.varargsOf(t, w.table()));
      } finally {
        w.unlink();
      }
    }
  }

  /** An externalized object read by Lua: converting it back gives the very table. */
  record LuaTableRef(LuaTable table) {}
}
