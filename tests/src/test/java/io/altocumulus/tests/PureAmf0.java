package io.altocumulus.tests;

import java.nio.ByteBuffer;

/** Checks that a Flash-profile message contains only AMF0, no 0x11 switch to AMF3 anywhere. */
final class PureAmf0 {
  private PureAmf0() {}

  static boolean isPure(byte[] message) {
    int type = message[0] & 0xFF;
    if (type != 0x14) {
      return type != 0x11 && type != 0x0F; // the AMF3-extended types are not pure AMF0
    }
    ByteBuffer in = ByteBuffer.wrap(message, 5, message.length - 5);
    try {
      while (in.hasRemaining()) {
        if (!value(in)) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean value(ByteBuffer in) {
    int marker = in.get() & 0xFF;
    switch (marker) {
      case 0x00 -> in.getDouble();
      case 0x01 -> in.get();
      case 0x02 -> skip(in, in.getShort() & 0xFFFF);
      case 0x03 -> {
        return members(in);
      }
      case 0x05, 0x06 -> { }
      case 0x07 -> in.getShort();
      case 0x08 -> {
        in.getInt();
        return members(in);
      }
      case 0x0A -> {
        int n = in.getInt();
        for (int i = 0; i < n; i++) {
          if (!value(in)) {
            return false;
          }
        }
      }
      case 0x0B -> {
        in.getDouble();
        in.getShort();
      }
      case 0x0C -> skip(in, in.getInt());
      default -> {
        return false; // 0x11 (AMF3 switch) or anything unexpected
      }
    }
    return true;
  }

  private static void skip(ByteBuffer in, int n) {
    in.position(in.position() + n);
  }

  private static boolean members(ByteBuffer in) {
    while (true) {
      int len = in.getShort() & 0xFFFF;
      if (len == 0) {
        return (in.get() & 0xFF) == 0x09;
      }
      skip(in, len);
      if (!value(in)) {
        return false;
      }
    }
  }
}
