package io.altocumulus.rtmfp.wire.chunk;

import io.altocumulus.rtmfp.wire.Vlu;
import java.nio.ByteBuffer;

/**
 * Buffer Probe 0x18 (RFC 7016 §2.3.15): asks the receiver of a flow to send an acknowledgement
 * with its current buffer, so a sender stopped by a zero receive window learns when it opens.
 */
public final class BufferProbe {
  public long flowId;

  public long flowId() {
    return flowId;
  }

  /** Parses the payload ({@code flowId VLU}). */
  public void parse(ByteBuffer in) {
    flowId = Vlu.read(in);
  }

  /** Bytes of the whole chunk. */
  public static int size(long flowId) {
    return 3 + Vlu.size(flowId);
  }

  /** Writes the whole chunk. */
  public static void write(ByteBuffer out, long flowId) {
    out.put((byte) ChunkType.BUFFER_PROBE);
    out.putShort((short) Vlu.size(flowId));
    Vlu.write(out, flowId);
  }
}
