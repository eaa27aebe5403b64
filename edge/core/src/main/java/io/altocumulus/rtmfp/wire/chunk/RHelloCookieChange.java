package io.altocumulus.rtmfp.wire.chunk;

import java.nio.ByteBuffer;

/**
 * RHello Cookie Change 0x79 (RFC 7016 §2.3.6): {@code oldCookieLength VLU | oldCookie |
 * newCookie (rest)}. Cumulus neither sends nor accepts it (RTMFP-WIRE §4.11).
 */
public record RHelloCookieChange(byte[] oldCookie, byte[] newCookie) {
  public RHelloCookieChange {
    oldCookie = ChunkFields.orEmpty(oldCookie);
    newCookie = ChunkFields.orEmpty(newCookie);
  }

  public static RHelloCookieChange parse(ByteBuffer payload) {
    byte[] old = ChunkFields.vluBytes(payload, "old cookie");
    return new RHelloCookieChange(old, ChunkFields.rest(payload));
  }

  public int encodedSize() {
    return 3 + ChunkFields.vluFieldSize(oldCookie) + newCookie.length;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.RHELLO_COOKIE_CHANGE, encodedSize() - 3);
    ChunkFields.putVluBytes(out, oldCookie);
    out.put(newCookie);
  }
}
