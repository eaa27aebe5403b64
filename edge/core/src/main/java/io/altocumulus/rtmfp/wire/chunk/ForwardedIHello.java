package io.altocumulus.rtmfp.wire.chunk;

import io.altocumulus.rtmfp.wire.PeerAddress;
import java.nio.ByteBuffer;

/**
 * Forwarded IHello 0x0F (RFC 7016 §2.3.3, RTMFP-WIRE §6.3): {@code epdLength VLU | EPD |
 * replyAddress | tag (rest)}, sent to the target peer inside its session.
 */
public record ForwardedIHello(byte[] epd, PeerAddress replyAddress, byte[] tag) {
  public ForwardedIHello {
    epd = ChunkFields.orEmpty(epd);
    tag = ChunkFields.orEmpty(tag);
    if (replyAddress == null) {
      throw new IllegalArgumentException("reply address required");
    }
  }

  public static ForwardedIHello parse(ByteBuffer payload) {
    byte[] epd = ChunkFields.vluBytes(payload, "EPD");
    PeerAddress reply = PeerAddress.parse(payload);
    return new ForwardedIHello(epd, reply, ChunkFields.rest(payload));
  }

  public int encodedSize() {
    return 3 + ChunkFields.vluFieldSize(epd) + replyAddress.encodedSize() + tag.length;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.FORWARDED_IHELLO, encodedSize() - 3);
    ChunkFields.putVluBytes(out, epd);
    replyAddress.serialize(out);
    out.put(tag);
  }
}
