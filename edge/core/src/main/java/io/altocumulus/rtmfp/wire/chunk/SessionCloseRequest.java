package io.altocumulus.rtmfp.wire.chunk;

import java.nio.ByteBuffer;

/** Session Close Request 0x0C (RFC 7016 §2.3.17): empty; answered with 0x4C (RTMFP-WIRE §11 #9). Any payload is ignored on receipt. */
public record SessionCloseRequest() {
  public static final SessionCloseRequest INSTANCE = new SessionCloseRequest();

  public static SessionCloseRequest parse(ByteBuffer payload) {
    payload.position(payload.limit());
    return INSTANCE;
  }

  public int encodedSize() {
    return 3;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.SESSION_CLOSE_REQUEST, 0);
  }
}
