package io.altocumulus.rtmfp.wire.chunk;

import io.altocumulus.rtmfp.wire.Vlu;
import java.nio.ByteBuffer;

/**
 * Flow Exception Report 0x5E (RFC 7016 §2.3.16): the receiver of a flow rejects it; the sender
 * stops sending on it (RTMFP-WIRE §5).
 */
public final class FlowExceptionReport {
  public long flowId;
  public long exceptionCode;

  public long flowId() {
    return flowId;
  }

  public long exceptionCode() {
    return exceptionCode;
  }

  /** Parses the payload ({@code flowId VLU, exceptionCode VLU}). */
  public void parse(ByteBuffer in) {
    flowId = Vlu.read(in);
    exceptionCode = Vlu.read(in);
  }

  /** Bytes of the whole chunk. */
  public static int size(long flowId, long exceptionCode) {
    return 3 + Vlu.size(flowId) + Vlu.size(exceptionCode);
  }

  /** Writes the whole chunk. */
  public static void write(ByteBuffer out, long flowId, long exceptionCode) {
    out.put((byte) ChunkType.FLOW_EXCEPTION_REPORT);
    out.putShort((short) (Vlu.size(flowId) + Vlu.size(exceptionCode)));
    Vlu.write(out, flowId);
    Vlu.write(out, exceptionCode);
  }
}
