package io.altocumulus.edge.stream;

import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.AmfOutput;
import java.util.List;

/**
 * A data message of a publication (NetStream.send, onMetaData): decoded once, encoded at most once
 * per encoding and shared by all players of that encoding (AMF0 players get pure AMF0,
 * REAL-CLIENTS.md §5). Encodings are built lazily from any loop; a race only builds the same
 * bytes twice.
 */
final class DataMessage {
  final String handler;
  final List<Object> args;
  private volatile byte[] amf0;
  private volatile byte[] amf3;

  DataMessage(String handler, List<Object> args) {
    this.handler = handler;
    // Not List.copyOf: AMF null is a legitimate argument.
    this.args = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(args));
  }

  /** The AMF values {@code handler, args...} in the given mode (no message header). */
  byte[] body(Amf0Writer.Mode mode) {
    byte[] b = mode == Amf0Writer.Mode.PURE ? amf0 : amf3;
    if (b == null) {
      AmfOutput out = new AmfOutput(64);
      Amf0Writer w = new Amf0Writer(out, mode);
      w.writeString(handler);
      for (Object a : args) {
        w.writeValue(a);
      }
      b = out.toByteArray();
      if (mode == Amf0Writer.Mode.PURE) {
        amf0 = b;
      } else {
        amf3 = b;
      }
    }
    return b;
  }
}
