package io.altocumulus.rtmfp.tc;

/**
 * Message types inside Flash-profile flows (RFC 7425 §5.3, RTMFP-WIRE §8.2). Most messages are
 * {@code type(1) timestamp(4) body}; the NetGroup raw message has no timestamp.
 */
public final class TcMessage {
  private TcMessage() {}

  public static final int USER_CONTROL = 0x04;
  public static final int AUDIO = 0x08;
  public static final int VIDEO = 0x09;
  public static final int AMF3_DATA = 0x0F;
  public static final int AMF3_COMMAND = 0x11;
  public static final int AMF0_DATA = 0x12;
  public static final int AMF0_COMMAND = 0x14;
  public static final int GROUP_RAW = 0x01;

  /** Bytes before the body of a timestamped message. */
  public static final int HEADER = 5;

  // User control events (RFC 7425 §5.2, §5.3.4; RTMFP-WIRE §8.3).
  public static final int UC_STREAM_BEGIN = 0x0000;
  public static final int UC_SET_BUFFER_LENGTH = 0x0003;
  public static final int UC_FLOW_SYNC = 0x0022;
  public static final int UC_SET_KEEPALIVE = 0x0029;

  /** A user control message (type 0x04, timestamp 0): the event, then 32-bit values. */
  public static byte[] userControl(int event, int... values) {
    byte[] m = new byte[HEADER + 2 + 4 * values.length];
    m[0] = USER_CONTROL;
    putShort(m, 5, event);
    for (int i = 0; i < values.length; i++) {
      putInt(m, 7 + 4 * i, values[i]);
    }
    return m;
  }

  /** Set Keepalive (RFC 7425 §5.3.4): server and peer keepalive periods in ms. */
  public static byte[] setKeepalive(int serverPeriodMs, int peerPeriodMs) {
    return userControl(UC_SET_KEEPALIVE, serverPeriodMs, peerPeriodMs);
  }

  /** Stream Begin for a stream id, the answer to Set Buffer Length (RTMFP-WIRE §8.3). */
  public static byte[] streamBegin(int streamId) {
    return userControl(UC_STREAM_BEGIN, streamId);
  }

  /** Set Buffer Length, sent by a player on its NetConnection flow (RTMFP-WIRE §8.3). */
  public static byte[] setBufferLength(int streamId, int bufferMs) {
    return userControl(UC_SET_BUFFER_LENGTH, streamId, bufferMs);
  }

  /**
   * Flow Sync (RFC 7425 §5.2, RTMFP-WIRE §8.8): sent on each of {@code count} flows that belong
   * together, so the receiver delivers them from the same point.
   */
  public static byte[] flowSync(int syncId, int count) {
    return userControl(UC_FLOW_SYNC, syncId, count);
  }

  /** The 5-byte header of a timestamped message: type, then the timestamp in ms. */
  public static byte[] header(int type, int timestamp) {
    byte[] h = new byte[HEADER];
    h[0] = (byte) type;
    putInt(h, 1, timestamp);
    return h;
  }

  static void putShort(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  public static int getInt(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
  }

  public static int getShort(byte[] b, int off) {
    return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
  }
}
