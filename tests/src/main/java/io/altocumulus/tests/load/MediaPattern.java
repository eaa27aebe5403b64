package io.altocumulus.tests.load;

import java.util.function.Consumer;

/**
 * A generated live stream at a target bitrate, shaped like an encoder's output: AAC (sequence
 * header {@code af 00}, then {@code af 01} frames every 1024 samples at 44.1 kHz, about 23 ms)
 * and H.264 (sequence header {@code 17 00}, keyframes {@code 17 01} every 2 s, inter frames
 * {@code 27 01} at 25 fps). Each frame carries a 4-byte sequence number per track right after its
 * FLV header, so a player can count what it lost whatever the server does to timestamps.
 */
public final class MediaPattern {
  public static final int FPS = 25;
  public static final int GOP_FRAMES = 50; // a keyframe every 2 s
  public static final int KEYFRAME_WEIGHT = 5; // a keyframe is 5 inter frames
  public static final int AUDIO_SEQ_OFFSET = 2; // af 01 | seq
  public static final int VIDEO_SEQ_OFFSET = 5; // 17|27 01 cts(3) | seq

  /** A frame due now: audio or video, FLV timestamp in ms, FLV tag body. */
  public record Frame(boolean audio, int timestamp, byte[] payload) {}

  private final int audioKbps;
  private final int videoKbps;
  private final int audioFrameBytes;
  private final int interFrameBytes;
  private final int keyFrameBytes;
  private long audioSeq;
  private long videoSeq;

  public MediaPattern(int bitrateKbps) {
    if (bitrateKbps < 16) {
      throw new IllegalArgumentException("bitrate below 16 kbit/s");
    }
    audioKbps = Math.min(64, bitrateKbps / 4);
    videoKbps = bitrateKbps - audioKbps;
    // bytes per AAC frame: kbit/s * 1000 / 8 * (1024 / 44100) s
    audioFrameBytes = Math.max(AUDIO_SEQ_OFFSET + 4, (int) Math.round(audioKbps * 1000.0 / 8 * 1024 / 44100));
    double gopBytes = videoKbps * 1000.0 / 8 * GOP_FRAMES / FPS;
    int inter = (int) Math.round(gopBytes / (GOP_FRAMES - 1 + KEYFRAME_WEIGHT));
    interFrameBytes = Math.max(VIDEO_SEQ_OFFSET + 4, inter);
    keyFrameBytes = Math.max(VIDEO_SEQ_OFFSET + 4, inter * KEYFRAME_WEIGHT);
  }

  public int audioKbps() {
    return audioKbps;
  }

  public int videoKbps() {
    return videoKbps;
  }

  public int audioFrameBytes() {
    return audioFrameBytes;
  }

  public int interFrameBytes() {
    return interFrameBytes;
  }

  public int keyFrameBytes() {
    return keyFrameBytes;
  }

  /** AAC sequence header: AudioSpecificConfig of AAC-LC, 44.1 kHz, stereo. */
  public static byte[] audioConfig() {
    return new byte[] {(byte) 0xaf, 0x00, 0x12, 0x10};
  }

  /** AVC sequence header: an AVCDecoderConfigurationRecord with one SPS and one PPS (baseline). */
  public static byte[] videoConfig() {
    byte[] sps = {0x67, 0x42, (byte) 0xc0, 0x1e, (byte) 0xd9, 0x01, 0x40, 0x16, (byte) 0xe8, 0x40};
    byte[] pps = {0x68, (byte) 0xce, 0x3c, (byte) 0x80};
    byte[] m = new byte[5 + 6 + 2 + sps.length + 1 + 2 + pps.length];
    int i = 0;
    m[i++] = 0x17;
    m[i++] = 0x00;
    i += 3; // composition time 0
    m[i++] = 0x01; // configurationVersion
    m[i++] = sps[1];
    m[i++] = sps[2];
    m[i++] = sps[3];
    m[i++] = (byte) 0xff; // lengthSizeMinusOne = 3
    m[i++] = (byte) 0xe1; // one SPS
    m[i++] = 0;
    m[i++] = (byte) sps.length;
    System.arraycopy(sps, 0, m, i, sps.length);
    i += sps.length;
    m[i++] = 1; // one PPS
    m[i++] = 0;
    m[i++] = (byte) pps.length;
    System.arraycopy(pps, 0, m, i, pps.length);
    return m;
  }

  /** Audio frame n's timestamp: 1024 samples at 44.1 kHz each. */
  static int audioTimestamp(long n) {
    return (int) (n * 1024 * 1000 / 44100);
  }

  static int videoTimestamp(long n) {
    return (int) (n * 1000 / FPS);
  }

  /** Emits, in timestamp order, every frame whose timestamp is at or before {@code elapsedMs}. */
  public void due(long elapsedMs, Consumer<Frame> out) {
    while (true) {
      int at = audioTimestamp(audioSeq);
      int vt = videoTimestamp(videoSeq);
      if (at > elapsedMs && vt > elapsedMs) {
        return;
      }
      if (at <= vt) {
        out.accept(new Frame(true, at, audioFrame(audioSeq++)));
      } else {
        out.accept(new Frame(false, vt, videoFrame(videoSeq++)));
      }
    }
  }

  byte[] audioFrame(long seq) {
    byte[] b = new byte[audioFrameBytes];
    b[0] = (byte) 0xaf;
    b[1] = 0x01;
    putSeq(b, AUDIO_SEQ_OFFSET, seq);
    fill(b, AUDIO_SEQ_OFFSET + 4, seq);
    return b;
  }

  byte[] videoFrame(long seq) {
    boolean key = seq % GOP_FRAMES == 0;
    byte[] b = new byte[key ? keyFrameBytes : interFrameBytes];
    b[0] = key ? (byte) 0x17 : (byte) 0x27;
    b[1] = 0x01;
    putSeq(b, VIDEO_SEQ_OFFSET, seq);
    fill(b, VIDEO_SEQ_OFFSET + 4, seq);
    return b;
  }

  private static void putSeq(byte[] b, int off, long seq) {
    b[off] = (byte) (seq >>> 24);
    b[off + 1] = (byte) (seq >>> 16);
    b[off + 2] = (byte) (seq >>> 8);
    b[off + 3] = (byte) seq;
  }

  private static void fill(byte[] b, int from, long seq) {
    for (int i = from; i < b.length; i++) {
      b[i] = (byte) (seq + i);
    }
  }

  /** The sequence number of a generated frame, or -1 for a sequence header or a foreign frame. */
  public static long sequenceOf(boolean audio, byte[] buf, int off, int len) {
    int at = audio ? AUDIO_SEQ_OFFSET : VIDEO_SEQ_OFFSET;
    if (len < at + 4 || buf[off + 1] != 0x01) {
      return -1;
    }
    return ((buf[off + at] & 0xFFL) << 24) | ((buf[off + at + 1] & 0xFFL) << 16)
        | ((buf[off + at + 2] & 0xFFL) << 8) | (buf[off + at + 3] & 0xFFL);
  }
}
