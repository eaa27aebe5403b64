package io.altocumulus.rtmfp.wire;

import io.altocumulus.rtmfp.DropCause;
import java.nio.ByteBuffer;

/**
 * Walks the chunks of a decrypted packet, {@code type(1) | length(2) | payload} (RFC 7016 §2.3,
 * RTMFP-WIRE §2.8), without allocating: each {@link #next()} sets the caller's buffer's position
 * and limit to the chunk payload. Stops at a padding type 0xFF or when fewer than 3 bytes remain
 * (RTMFP-WIRE §2.6). Reusable: call {@link #reset} per packet.
 *
 * <pre>
 *   it.reset(buffer, firstChunk, packetEnd);
 *   while (it.next()) { switch (it.type()) { ... parse from buffer ... } }
 * </pre>
 */
public final class ChunkIterator {
  private static final int PADDING = 0xFF;

  private ByteBuffer buf;
  private int next;
  private int end;
  private int type = -1;
  private int payloadOffset;
  private int payloadLength;

  /** Iterates {@code buf[start, end)} (absolute indexes); the buffer's limit is moved per chunk. */
  public ChunkIterator reset(ByteBuffer buf, int start, int end) {
    if (start < 0 || end > buf.capacity() || start > end) {
      throw new IllegalArgumentException("bad range " + start + ".." + end);
    }
    this.buf = buf;
    this.next = start;
    this.end = end;
    this.type = -1;
    return this;
  }

  /**
   * Advances to the next chunk and positions the buffer on its payload.
   *
   * @return false at the end of the chunks
   * @throws WireException {@link DropCause#MALFORMED_CHUNK} if a chunk length runs past the end
   */
  public boolean next() {
    if (end - next < 3) {
      type = -1;
      return false;
    }
    buf.limit(end); // absolute gets are bounded by the limit, which the last chunk narrowed
    int t = buf.get(next) & 0xFF;
    if (t == PADDING) {
      type = -1;
      next = end;
      return false;
    }
    int length = ((buf.get(next + 1) & 0xFF) << 8) | (buf.get(next + 2) & 0xFF);
    int start = next + 3;
    if (length > end - start) {
      type = -1;
      next = end;
      throw new WireException(DropCause.MALFORMED_CHUNK,
          "chunk 0x" + Integer.toHexString(t) + " of " + length + " bytes runs past the packet");
    }
    type = t;
    payloadOffset = start;
    payloadLength = length;
    next = start + length;
    buf.position(start);
    buf.limit(next);
    return true;
  }

  /** Type of the current chunk, or -1 before the first / after the last. */
  public int type() {
    return type;
  }

  /** Absolute index of the current payload in the buffer. */
  public int payloadOffset() {
    return payloadOffset;
  }

  public int payloadLength() {
    return payloadLength;
  }

  /** Puts the buffer back on the current payload (after a parser moved its position). */
  public ByteBuffer payload() {
    buf.limit(end);
    buf.position(payloadOffset);
    buf.limit(payloadOffset + payloadLength);
    return buf;
  }
}
