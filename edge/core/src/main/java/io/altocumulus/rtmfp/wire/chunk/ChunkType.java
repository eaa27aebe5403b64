package io.altocumulus.rtmfp.wire.chunk;

/** Chunk type codes (RFC 7016 §2.3, RTMFP-WIRE §4–5). */
public final class ChunkType {
  private ChunkType() {}

  public static final int PING = 0x01;
  public static final int SESSION_CLOSE_REQUEST = 0x0C;
  public static final int FORWARDED_IHELLO = 0x0F;
  public static final int USER_DATA = 0x10;
  public static final int NEXT_USER_DATA = 0x11;
  public static final int BUFFER_PROBE = 0x18;
  public static final int IHELLO = 0x30;
  public static final int IIKEYING = 0x38;
  public static final int PING_REPLY = 0x41;
  public static final int SESSION_CLOSE_ACK = 0x4C;
  public static final int DATA_ACK_BITMAP = 0x50;
  public static final int DATA_ACK_RANGES = 0x51;
  public static final int FLOW_EXCEPTION_REPORT = 0x5E;
  public static final int RHELLO = 0x70;
  public static final int REDIRECT = 0x71;
  public static final int RIKEYING = 0x78;
  public static final int RHELLO_COOKIE_CHANGE = 0x79;
  /** ECN report (RFC 7016 §2.3.16): tolerated and skipped (REAL-CLIENTS.md §9). */
  public static final int ECN_REPORT = 0xEC;
  /** Padding: parsing stops here (RTMFP-WIRE §2.6). */
  public static final int PADDING = 0xFF;
}
