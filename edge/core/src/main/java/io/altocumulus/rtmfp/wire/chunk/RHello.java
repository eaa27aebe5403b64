package io.altocumulus.rtmfp.wire.chunk;

import java.nio.ByteBuffer;

/**
 * RHello 0x70 (RFC 7016 §2.3.4, RTMFP-WIRE §4.2): {@code tagLength VLU | tagEcho | cookieLength
 * VLU | cookie | responderCertificate (rest)}.
 */
public record RHello(byte[] tag, byte[] cookie, byte[] certificate) {
  public RHello {
    tag = ChunkFields.orEmpty(tag);
    cookie = ChunkFields.orEmpty(cookie);
    certificate = ChunkFields.orEmpty(certificate);
  }

  public static RHello parse(ByteBuffer payload) {
    byte[] tag = ChunkFields.vluBytes(payload, "tag");
    byte[] cookie = ChunkFields.vluBytes(payload, "cookie");
    return new RHello(tag, cookie, ChunkFields.rest(payload));
  }

  public int encodedSize() {
    return 3 + ChunkFields.vluFieldSize(tag) + ChunkFields.vluFieldSize(cookie) + certificate.length;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.RHELLO, encodedSize() - 3);
    ChunkFields.putVluBytes(out, tag);
    ChunkFields.putVluBytes(out, cookie);
    out.put(certificate);
  }
}
