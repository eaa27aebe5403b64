package io.altocumulus.rtmfp.wire.chunk;

import java.nio.ByteBuffer;

/** Session Close Acknowledgement 0x4C (RFC 7016 §2.3.18): empty. Any payload is ignored on receipt. */
public record SessionCloseAck() {
  public static final SessionCloseAck INSTANCE = new SessionCloseAck();

  public static SessionCloseAck parse(ByteBuffer payload) {
    payload.position(payload.limit());
    return INSTANCE;
  }

  public int encodedSize() {
    return 3;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.SESSION_CLOSE_ACK, 0);
  }
}
