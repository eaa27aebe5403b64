package io.altocumulus.edge.stream;

import io.altocumulus.rtmfp.tc.TcMessage;

/**
 * One audio or video message of a publication (RTMFP-WIRE §8.8): the payload is copied once out
 * of the publisher's packet and then shared, never modified, by every player (encode once).
 */
final class MediaMessage {
  final int type;
  final int time;
  final byte[] payload;

  MediaMessage(int type, int time, byte[] payload) {
    this.type = type;
    this.time = time;
    this.payload = payload;
  }

  boolean isAudio() {
    return type == TcMessage.AUDIO;
  }

  /** AAC sequence header: codec 10 in the high nibble, AACPacketType 0 (RTMFP-WIRE §8.8). */
  boolean isAudioConfig() {
    return type == TcMessage.AUDIO && payload.length >= 2 && (payload[0] & 0xF0) == 0xA0 && payload[1] == 0;
  }

  /** AVC sequence header: keyframe + codec 7, AVCPacketType 0. */
  boolean isVideoConfig() {
    return type == TcMessage.VIDEO && payload.length >= 2 && (payload[0] & 0xFF) == 0x17 && payload[1] == 0;
  }

  /** Frame type 1 in the high nibble: a keyframe, where a player may start. */
  boolean isKeyframe() {
    return type == TcMessage.VIDEO && payload.length >= 1 && (payload[0] & 0xF0) == 0x10;
  }
}
