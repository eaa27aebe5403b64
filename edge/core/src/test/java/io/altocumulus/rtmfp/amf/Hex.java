package io.altocumulus.rtmfp.amf;

import java.util.HexFormat;

final class Hex {
  private Hex() {}

  /** Parses hex with optional spaces. */
  static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static String ascii(String s) {
    return HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
