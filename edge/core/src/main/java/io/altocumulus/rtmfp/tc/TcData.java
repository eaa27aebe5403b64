package io.altocumulus.rtmfp.tc;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.amf.Amf0Reader;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A data message (RTMFP-WIRE §8.2): 0x0F (format byte 0, then AMF0 with AMF3 switches) or 0x12
 * (AMF0): a handler name, then values. {@code NetStream.send}, {@code @setDataFrame}, onMetaData.
 */
public record TcData(String handler, List<Object> values) {

  /** Parses a whole message (type byte first). Throws WireException for anything malformed. */
  public static TcData parse(byte[] buf, int off, int len, AmfContext ctx) {
    if (len < TcMessage.HEADER) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "data message too short");
    }
    int type = buf[off] & 0xFF;
    int start = off + TcMessage.HEADER;
    if (type == TcMessage.AMF3_DATA) {
      if (len < TcMessage.HEADER + 1 || buf[start] != 0) {
        throw new WireException(DropCause.MALFORMED_MESSAGE, "AMF3 data message without format byte 0");
      }
      start++;
    } else if (type != TcMessage.AMF0_DATA) {
      throw new WireException(DropCause.MALFORMED_MESSAGE, "not a data message: 0x" + Integer.toHexString(type));
    }
    Amf0Reader in = new Amf0Reader(ByteBuffer.wrap(buf, start, off + len - start), ctx);
    String handler = in.readString();
    List<Object> values = new ArrayList<>();
    while (in.hasRemaining()) {
      values.add(in.readValue());
    }
    return new TcData(handler, Collections.unmodifiableList(values));
  }
}
