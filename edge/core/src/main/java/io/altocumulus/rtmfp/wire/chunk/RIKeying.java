package io.altocumulus.rtmfp.wire.chunk;

import java.nio.ByteBuffer;

/**
 * RIKeying 0x78 (RFC 7016 §2.3.8, RTMFP-WIRE §4.7): {@code responderSessionId(4) | skrcLength
 * VLU | SKRC | signature (rest)}. Flash-profile servers sign with the single byte 0x58.
 */
public record RIKeying(int responderSessionId, byte[] skrc, byte[] signature) {
  /** The one-byte signature Flash and Cumulus send (RTMFP-WIRE §4.7). */
  public static final byte[] FLASH_SIGNATURE = {0x58};

  public RIKeying {
    skrc = ChunkFields.orEmpty(skrc);
    signature = ChunkFields.orEmpty(signature);
  }

  public static RIKeying parse(ByteBuffer payload) {
    int rsid = ChunkFields.int32(payload, "responder session id");
    byte[] skrc = ChunkFields.vluBytes(payload, "SKRC");
    return new RIKeying(rsid, skrc, ChunkFields.rest(payload));
  }

  public int encodedSize() {
    return 3 + 4 + ChunkFields.vluFieldSize(skrc) + signature.length;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.RIKEYING, encodedSize() - 3);
    out.putInt(responderSessionId);
    ChunkFields.putVluBytes(out, skrc);
    out.put(signature);
  }
}
