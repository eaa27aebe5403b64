package io.altocumulus.edge.lua;

import io.altocumulus.rtmfp.amf.Amf3Reader;
import io.altocumulus.rtmfp.amf.Amf3Writer;
import io.altocumulus.rtmfp.amf.AmfOutput;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The byte reader and writer given to {@code __readExternal}/{@code __writeExternal}
 * (CUMULUS-FEATURES §5.16): IDataInput/IDataOutput, big-endian, valid only during the call.
 */
final class LuaBytes {
  private LuaBytes() {}

  private static LuaString bytes(byte[] b) {
    return LuaString.valueOf(b);
  }

  static final class Reader extends LuaBinding {
    private final Amf3Reader in;

    Reader(LuaHost host, Amf3Reader in) {
      super(host);
      this.in = in;
    }

    private static LuaFunction m(String name, java.util.function.BiFunction<Reader, Varargs, Varargs> f) {
      return method(Reader.class, name, (r, a) -> {
        try {
          return f.apply(r, a);
        } catch (LuaError e) {
          throw e;
        } catch (RuntimeException e) {
          throw new LuaError(name + ": " + e.getMessage());
        }
      });
    }

    private static final LuaFunction READ_BOOLEAN = m("readBoolean", (r, a) -> LuaValue.valueOf(r.in.readBoolean()));
    private static final LuaFunction READ_BYTE = m("readByte", (r, a) -> LuaValue.valueOf((byte) r.in.readU8()));
    private static final LuaFunction READ_UBYTE = m("readUnsignedByte", (r, a) -> LuaValue.valueOf(r.in.readU8()));
    private static final LuaFunction READ_SHORT = m("readShort", (r, a) -> LuaValue.valueOf(r.in.readS16()));
    private static final LuaFunction READ_USHORT = m("readUnsignedShort", (r, a) -> LuaValue.valueOf(r.in.readU16()));
    private static final LuaFunction READ_INT = m("readInt", (r, a) -> LuaValue.valueOf(r.in.readI32()));
    private static final LuaFunction READ_UINT = m("readUnsignedInt", (r, a) -> LuaValue.valueOf((double) r.in.readU32()));
    private static final LuaFunction READ_DOUBLE = m("readDouble", (r, a) -> LuaValue.valueOf(r.in.readDouble()));
    private static final LuaFunction READ_FLOAT = m("readFloat", (r, a) -> LuaValue.valueOf(r.in.readFloat()));
    private static final LuaFunction READ_BYTES = m("readBytes", (r, a) -> bytes(r.in.readBytes(a.checkint(1))));
    private static final LuaFunction READ_UTF = m("readUTF", (r, a) -> LuaValue.valueOf(r.in.readUtf()));
    private static final LuaFunction READ_UTF_BYTES = m("readUTFBytes", (r, a) -> LuaValue.valueOf(r.in.readUtf8(a.checkint(1))));
    private static final LuaFunction READ_MULTI = m("readMultiByte", (r, a) ->
        LuaValue.valueOf(new String(r.in.readBytes(a.checkint(1)), Charset.forName(a.optjstring(2, "utf-8")))));
    private static final LuaFunction READ_AMF = m("readAMF", (r, a) -> {
      int n = a.optint(1, 1);
      List<LuaValue> out = new ArrayList<>();
      for (int i = 0; i < n && r.in.hasRemaining(); i++) {
        out.add(r.host.toLua(r.in.readValue()));
      }
      return LuaValue.varargsOf(out.toArray(new LuaValue[0]));
    });

    @Override
    protected LuaValue index(String key) {
      return switch (key) {
        case "readBoolean" -> READ_BOOLEAN;
        case "readByte" -> READ_BYTE;
        case "readUnsignedByte" -> READ_UBYTE;
        case "readShort" -> READ_SHORT;
        case "readUnsignedShort" -> READ_USHORT;
        case "readInt" -> READ_INT;
        case "readUnsignedInt" -> READ_UINT;
        case "readDouble" -> READ_DOUBLE;
        case "readFloat" -> READ_FLOAT;
        case "readBytes" -> READ_BYTES;
        case "readUTF" -> READ_UTF;
        case "readUTFBytes" -> READ_UTF_BYTES;
        case "readMultiByte" -> READ_MULTI;
        case "readAMF" -> READ_AMF;
        default -> null;
      };
    }
  }

  static final class Writer extends LuaBinding {
    private final Amf3Writer amf;
    private final AmfOutput out;

    Writer(LuaHost host, Amf3Writer amf) {
      super(host);
      this.amf = amf;
      this.out = amf.output();
    }

    private static LuaFunction m(String name, java.util.function.BiConsumer<Writer, Varargs> f) {
      return method(Writer.class, name, (w, a) -> {
        f.accept(w, a);
        return LuaValue.NONE;
      });
    }

    private static final LuaFunction WRITE_BOOLEAN = m("writeBoolean", (w, a) -> w.out.writeU8(a.arg1().toboolean() ? 1 : 0));
    private static final LuaFunction WRITE_BYTE = m("writeByte", (w, a) -> w.out.writeU8(a.checkint(1)));
    private static final LuaFunction WRITE_SHORT = m("writeShort", (w, a) -> w.out.writeU16(a.checkint(1)));
    private static final LuaFunction WRITE_INT = m("writeInt", (w, a) -> w.out.writeI32((int) a.checklong(1)));
    private static final LuaFunction WRITE_DOUBLE = m("writeDouble", (w, a) -> w.out.writeDouble(a.checkdouble(1)));
    private static final LuaFunction WRITE_FLOAT = m("writeFloat", (w, a) -> w.out.writeFloat((float) a.checkdouble(1)));
    private static final LuaFunction WRITE_BYTES = m("writeBytes", (w, a) -> {
      LuaString s = a.checkstring(1);
      byte[] b = new byte[s.rawlen()];
      s.copyInto(0, b, 0, b.length);
      w.out.writeBytes(b);
    });
    private static final LuaFunction WRITE_UTF = m("writeUTF", (w, a) -> w.out.writeUtf(a.checkjstring(1)));
    private static final LuaFunction WRITE_UTF_BYTES = m("writeUTFBytes", (w, a) -> w.out.writeUtf8(a.checkjstring(1)));
    private static final LuaFunction WRITE_MULTI = m("writeMultiByte", (w, a) ->
        w.out.writeBytes(a.checkjstring(1).getBytes(Charset.forName(a.optjstring(2, "utf-8")))));
    private static final LuaFunction WRITE_AMF = m("writeAMF", (w, a) -> {
      for (int i = 1; i <= a.narg(); i++) {
        w.amf.writeValue(w.host.fromLua(a.arg(i)));
      }
    });

    @Override
    protected LuaValue index(String key) {
      return switch (key) {
        case "writeBoolean" -> WRITE_BOOLEAN;
        case "writeByte", "writeUnsignedByte" -> WRITE_BYTE;
        case "writeShort", "writeUnsignedShort" -> WRITE_SHORT;
        case "writeInt", "writeUnsignedInt" -> WRITE_INT;
        case "writeDouble" -> WRITE_DOUBLE;
        case "writeFloat" -> WRITE_FLOAT;
        case "writeBytes" -> WRITE_BYTES;
        case "writeUTF" -> WRITE_UTF;
        case "writeUTFBytes" -> WRITE_UTF_BYTES;
        case "writeMultiByte" -> WRITE_MULTI;
        case "writeAMF" -> WRITE_AMF;
        default -> null;
      };
    }
  }
}
