package io.altocumulus.rtmfp.wire.chunk;

import java.nio.ByteBuffer;

/**
 * IIKeying 0x38 (RFC 7016 §2.3.7, RTMFP-WIRE §4.4): {@code initiatorSessionId(4) | cookieLength
 * VLU | cookie | certLength VLU | certificate | skicLength VLU | SKIC | signature (rest)}.
 */
public record IIKeying(int initiatorSessionId, byte[] cookie, byte[] certificate, byte[] skic,
    byte[] signature) {
  public IIKeying {
    cookie = ChunkFields.orEmpty(cookie);
    certificate = ChunkFields.orEmpty(certificate);
    skic = ChunkFields.orEmpty(skic);
    signature = ChunkFields.orEmpty(signature);
  }

  public static IIKeying parse(ByteBuffer payload) {
    int isid = ChunkFields.int32(payload, "initiator session id");
    byte[] cookie = ChunkFields.vluBytes(payload, "cookie");
    byte[] cert = ChunkFields.vluBytes(payload, "certificate");
    byte[] skic = ChunkFields.vluBytes(payload, "SKIC");
    return new IIKeying(isid, cookie, cert, skic, ChunkFields.rest(payload));
  }

  public int encodedSize() {
    return 3 + 4 + ChunkFields.vluFieldSize(cookie) + ChunkFields.vluFieldSize(certificate)
        + ChunkFields.vluFieldSize(skic) + signature.length;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.IIKEYING, encodedSize() - 3);
    out.putInt(initiatorSessionId);
    ChunkFields.putVluBytes(out, cookie);
    ChunkFields.putVluBytes(out, certificate);
    ChunkFields.putVluBytes(out, skic);
    out.put(signature);
  }
}
