package io.altocumulus.rtmfp.wire.chunk;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.PeerAddress;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Redirect 0x71 (RFC 7016 §2.3.5, RTMFP-WIRE §4.10): {@code tagLength VLU | tagEcho | address*}
 * to the end of the chunk. Each address needs origin 1 or 2 (REAL-CLIENTS §6).
 */
public record Redirect(byte[] tag, List<PeerAddress> addresses) {
  /** More addresses than this in one redirect is refused. */
  public static final int MAX_ADDRESSES = 64;

  public Redirect {
    tag = ChunkFields.orEmpty(tag);
    addresses = List.copyOf(addresses);
  }

  public static Redirect parse(ByteBuffer payload) {
    byte[] tag = ChunkFields.vluBytes(payload, "tag");
    List<PeerAddress> list = new ArrayList<>(4);
    while (payload.hasRemaining()) {
      if (list.size() == MAX_ADDRESSES) {
        throw new WireException(DropCause.MALFORMED_CHUNK, "too many redirect addresses");
      }
      list.add(PeerAddress.parse(payload));
    }
    return new Redirect(tag, list);
  }

  public int encodedSize() {
    int n = 3 + ChunkFields.vluFieldSize(tag);
    for (PeerAddress a : addresses) {
      n += a.encodedSize();
    }
    return n;
  }

  public void serialize(ByteBuffer out) {
    ChunkFields.header(out, ChunkType.REDIRECT, encodedSize() - 3);
    ChunkFields.putVluBytes(out, tag);
    for (PeerAddress a : addresses) {
      a.serialize(out);
    }
  }
}
