package io.altocumulus.rtmfp.client;

import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.amf.AmfOutput;
import io.altocumulus.rtmfp.tc.TcData;
import io.altocumulus.rtmfp.tc.TcMessage;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.List;
import java.util.Map;

/**
 * The Flash-profile messages a NetStream client sends and reads (RTMFP-WIRE §8.2, §8.3, §8.6),
 * built as Flash builds them: commands are 0x14 for objectEncoding 0 and 0x11 (format byte 0) for
 * objectEncoding 3, strings and numbers in plain AMF0; data is 0x12 (AMF0) or 0x0F (format byte 0).
 */
public final class StreamMessages {
  private StreamMessages() {}

  /** A command as a Flash client sends it: {@code name, txid, null, args...}. */
  public static byte[] command(int objectEncoding, String name, double txid, Object... args) {
    int type = objectEncoding == 3 ? TcMessage.AMF3_COMMAND : TcMessage.AMF0_COMMAND;
    AmfOutput out = new AmfOutput(64);
    out.writeU8(type).writeI32(0);
    if (type == TcMessage.AMF3_COMMAND) {
      out.writeU8(0); // RFC 7425 §5.3.3 format byte
    }
    Amf0Writer w = writer(out, objectEncoding);
    w.writeString(name);
    w.writeNumber(txid);
    w.writeNull();
    for (Object a : args) {
      writeArg(w, a);
    }
    return out.toByteArray();
  }

  /**
   * A data message ({@code NetStream.send}, {@code @setDataFrame}): {@code 12 ts body} for
   * objectEncoding 0, {@code 0F ts 00 body} for 3 (RTMFP-WIRE §8.2). Body: handler name, values.
   */
  public static byte[] data(int objectEncoding, int timestamp, String handler, Object... args) {
    AmfOutput out = new AmfOutput(64);
    if (objectEncoding == 3) {
      out.writeU8(TcMessage.AMF3_DATA).writeI32(timestamp).writeU8(0);
    } else {
      out.writeU8(TcMessage.AMF0_DATA).writeI32(timestamp);
    }
    Amf0Writer w = writer(out, objectEncoding);
    w.writeString(handler);
    for (Object a : args) {
      writeArg(w, a);
    }
    return out.toByteArray();
  }

  /** Audio (0x08) or video (0x09): {@code type, timestamp (4), FLV tag body} (RTMFP-WIRE §8.8). */
  public static byte[] media(int type, int timestamp, byte[] payload, int off, int len) {
    byte[] m = new byte[TcMessage.HEADER + len];
    m[0] = (byte) type;
    putInt(m, 1, timestamp);
    System.arraycopy(payload, off, m, TcMessage.HEADER, len);
    return m;
  }

  /** Set Buffer Length, sent on the NetConnection flow: {@code 04 00000000 0003 streamId ms} (RTMFP-WIRE §8.3). */
  public static byte[] setBufferLength(long streamId, int ms) {
    return TcMessage.setBufferLength((int) streamId, ms);
  }

  /** A parsed data message: handler name and values. */
  public record Data(String handler, List<Object> values) {}

  /** Parses a 0x0F or 0x12 data message (type byte first); WireException if malformed. */
  public static Data parseData(byte[] buf, int off, int len) {
    TcData d = TcData.parse(buf, off, len, AmfContext.DEFAULT);
    return new Data(d.handler(), d.values());
  }

  private static Amf0Writer writer(AmfOutput out, int objectEncoding) {
    return new Amf0Writer(out, objectEncoding == 0 ? Amf0Writer.Mode.PURE : Amf0Writer.Mode.AMF3_SWITCH);
  }

  /** Flash writes strings, numbers and booleans of commands in AMF0, objects as AMF0 objects. */
  private static void writeArg(Amf0Writer w, Object a) {
    if (a instanceof CharSequence s) {
      w.writeString(s.toString());
    } else if (a instanceof Number n) {
      w.writeNumber(n.doubleValue());
    } else if (a instanceof Boolean b) {
      w.writeBoolean(b);
    } else if (a instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, ?> members = (Map<String, ?>) m;
      w.writeObject(members);
    } else {
      w.writeValue(a);
    }
  }

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
