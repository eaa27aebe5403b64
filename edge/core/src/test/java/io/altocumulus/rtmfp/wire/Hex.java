package io.altocumulus.rtmfp.wire;

import java.util.HexFormat;

/** Test helper: hex fixtures written with spaces and repeats. */
public final class Hex {
  private Hex() {}

  /** Parses hex, ignoring whitespace. */
  public static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
  }

  public static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  public static String repeat(String hexByte, int n) {
    return hexByte.repeat(n);
  }

  public static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] r = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, r, o, p.length);
      o += p.length;
    }
    return r;
  }
}
