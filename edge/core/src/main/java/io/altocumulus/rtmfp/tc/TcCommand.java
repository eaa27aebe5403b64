package io.altocumulus.rtmfp.tc;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.amf.Amf0Reader;
import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.amf.AmfOutput;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RPC-style command message (RFC 7425 §5.3.1–5.3.3, RTMFP-WIRE §8.2): name, transaction id,
 * command object, arguments. Read from type 0x14 (AMF0) or 0x11 (AMF3 format byte, then AMF0 with
 * AMF3 switches); always written as 0x14 with timestamp 0, as Cumulus and Flash servers do.
 */
public record TcCommand(String name, double transactionId, Object commandObject, List<Object> args) {

  /** Parses a whole message (type byte first). Throws WireException for anything malformed. */
  public static TcCommand parse(byte[] buf, int off, int len, AmfContext ctx) {
    if (len < TcMessage.HEADER) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "command message too short");
    }
    int type = buf[off] & 0xFF;
    int start = off + TcMessage.HEADER;
    if (type == TcMessage.AMF3_COMMAND) {
      // RFC 7425 §5.3.3: one format byte, 0, before the AMF0 body.
      if (len < TcMessage.HEADER + 1 || buf[start] != 0) {
        throw new WireException(DropCause.MALFORMED_MESSAGE, "AMF3 command without format byte 0");
      }
      start++;
    } else if (type != TcMessage.AMF0_COMMAND) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "not a command message: 0x" + Integer.toHexString(type));
    }
    Amf0Reader in = new Amf0Reader(ByteBuffer.wrap(buf, start, off + len - start), ctx);
    String name = in.readString();
    double txid = in.readNumber();
    Object commandObject = in.hasRemaining() ? in.readValue() : null;
    List<Object> args = new ArrayList<>();
    while (in.hasRemaining()) {
      args.add(in.readValue());
    }
    return new TcCommand(name, txid, commandObject, Collections.unmodifiableList(args));
  }

  /**
   * Encodes a 0x14 command: {@code name, txid, null, args...}. Info objects (Maps) are written as
   * pure AMF0 objects; other values per {@code mode} (PURE for objectEncoding-0 clients,
   * REAL-CLIENTS.md §5).
   */
  public static byte[] encode(String name, double transactionId, Amf0Writer.Mode mode, Object... args) {
    return encode(TcMessage.AMF0_COMMAND, name, transactionId, mode, args);
  }

  /**
   * As {@link #encode(String, double, Amf0Writer.Mode, Object...)} with the message type given:
   * 0x14, or 0x11 (an AMF3-extended command: format byte 0, then the same body; RFC 7425 §5.3.3).
   */
  public static byte[] encode(int type, String name, double transactionId, Amf0Writer.Mode mode, Object... args) {
    return encodeWith(AmfContext.DEFAULT, type, name, transactionId, mode, args);
  }

  /**
   * As {@link #encode(int, String, double, Amf0Writer.Mode, Object...)} with the AMF context whose
   * externalizable types the values may hold (the Lua host's {@code __writeExternal} classes).
   */
  public static byte[] encodeWith(AmfContext ctx, int type, String name, double transactionId, Amf0Writer.Mode mode,
      Object... args) {
    if (type != TcMessage.AMF0_COMMAND && type != TcMessage.AMF3_COMMAND) {
      throw new IllegalArgumentException("command type 0x" + Integer.toHexString(type));
    }
    AmfOutput out = new AmfOutput(64);
    out.writeU8(type).writeI32(0);
    if (type == TcMessage.AMF3_COMMAND) {
      out.writeU8(0);
    }
    Amf0Writer w = new Amf0Writer(out, mode, ctx);
    w.writeString(name);
    w.writeNumber(transactionId);
    w.writeNull();
    for (Object a : args) {
      if (a instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, ?> members = (Map<String, ?>) m;
        w.writeObject(members);
      } else {
        w.writeValue(a);
      }
    }
    return out.toByteArray();
  }

  /**
   * A data message (RTMFP-WIRE §8.2): {@code handler, args...} as 0x0F (format byte 0, AMF0 with AMF3
   * switches) for AMF3 clients, or as pure AMF0 type 0x12 for objectEncoding-0 clients.
   */
  public static byte[] encodeData(Amf0Writer.Mode mode, String handler, Object... args) {
    AmfOutput out = new AmfOutput(64);
    if (mode == Amf0Writer.Mode.PURE) {
      out.writeU8(TcMessage.AMF0_DATA).writeI32(0);
    } else {
      out.writeU8(TcMessage.AMF3_DATA).writeI32(0).writeU8(0);
    }
    Amf0Writer w = new Amf0Writer(out, mode);
    w.writeString(handler);
    for (Object a : args) {
      w.writeValue(a);
    }
    return out.toByteArray();
  }

  /** An info object: level, code, description (omitted when empty), then extra members (RTMFP-WIRE §8.4). */
  public static Map<String, Object> info(String level, String code, String description, Map<String, ?> extra) {
    LinkedHashMap<String, Object> m = new LinkedHashMap<>();
    m.put("level", level);
    m.put("code", code);
    if (description != null && !description.isEmpty()) {
      m.put("description", description);
    }
    if (extra != null) {
      m.putAll(extra);
    }
    return m;
  }
}
