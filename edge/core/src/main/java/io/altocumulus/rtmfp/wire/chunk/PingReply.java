package io.altocumulus.rtmfp.wire.chunk;

import java.nio.ByteBuffer;

/** Ping Reply 0x41 (RFC 7016 §2.3.10): the body of the ping it answers. */
public record PingReply(byte[] body) {
  public PingReply {
    body = ChunkFields.orEmpty(body);
  }

  public static PingReply parse(ByteBuffer payload) {
    return new PingReply(ChunkFields.rest(payload));
  }

  public int encodedSize() {
    return 3 + body.length;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.PING_REPLY, body.length);
    out.put(body);
  }
}
