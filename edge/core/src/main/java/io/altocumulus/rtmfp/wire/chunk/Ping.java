package io.altocumulus.rtmfp.wire.chunk;

import java.nio.ByteBuffer;

/** Ping 0x01 (RFC 7016 §2.3.9): any body; the reply echoes it (RTMFP-WIRE §11 #7). */
public record Ping(byte[] body) {
  public Ping {
    body = ChunkFields.orEmpty(body);
  }

  public static Ping parse(ByteBuffer payload) {
    return new Ping(ChunkFields.rest(payload));
  }

  public int encodedSize() {
    return 3 + body.length;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.PING, body.length);
    out.put(body);
  }
}
