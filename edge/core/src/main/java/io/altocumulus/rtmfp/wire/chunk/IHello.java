package io.altocumulus.rtmfp.wire.chunk;

import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import java.nio.ByteBuffer;

/**
 * IHello 0x30 (RFC 7016 §2.3.2, RTMFP-WIRE §4.1): {@code epdLength VLU | EPD | tag (rest)}.
 * Flash sends a 16-byte tag.
 */
public record IHello(byte[] epd, byte[] tag) {
  public IHello {
    epd = ChunkFields.orEmpty(epd);
    tag = ChunkFields.orEmpty(tag);
  }

  public static IHello parse(ByteBuffer payload) {
    byte[] epd = ChunkFields.vluBytes(payload, "EPD");
    return new IHello(epd, ChunkFields.rest(payload));
  }

  public EndpointDiscriminator discriminator() {
    return EndpointDiscriminator.parse(epd);
  }

  public int encodedSize() {
    return 3 + ChunkFields.vluFieldSize(epd) + tag.length;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.IHELLO, encodedSize() - 3);
    ChunkFields.putVluBytes(out, epd);
    out.put(tag);
  }
}
