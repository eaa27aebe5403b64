package io.altocumulus.rtmfp.tc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Byte fixtures of the NetGroup join and member messages (RTMFP-WIRE §8.9). */
class NetGroupMessageTest {
  static final HexFormat HEX = HexFormat.of();
  static final String ID = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  /** SHA-256("abc"), FIPS 180-2 appendix B.1. */
  static final String SHA_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void joinWithAGroupIdAsLibrtmfpSendsIt() {
    byte[] m = HEX.parseHex("012115" + ID);
    assertThat(HEX.formatHex(NetGroupMessage.parseJoin(m, 0, m.length))).isEqualTo(ID);
    assertThat(HEX.formatHex(NetGroupMessage.joinWithId(HEX.parseHex(ID)))).isEqualTo("012115" + ID);
  }

  @Test
  void joinWithASpecifierIsHashedWithSha256() {
    byte[] m = HEX.parseHex("ff" + "010410616263" + "ee");
    assertThat(HEX.formatHex(NetGroupMessage.parseJoin(m, 1, 6))).isEqualTo(SHA_ABC);
    assertThat(HEX.formatHex(NetGroupMessage.joinWithSpecifier("abc".getBytes()))).isEqualTo("010410616263");
    assertThat(HEX.formatHex(NetGroupMessage.groupIdOfSpecifier("abc".getBytes()))).isEqualTo(SHA_ABC);
  }

  @Test
  void aLongSpecifierHasATwoByteLength() {
    byte[] spec = new byte[200];
    byte[] m = NetGroupMessage.joinWithSpecifier(spec);
    // L = 201 = VLU 81 49
    assertThat(HEX.formatHex(m, 0, 4)).isEqualTo("01814910");
    assertThat(m).hasSize(4 + 200);
    assertThat(NetGroupMessage.parseJoin(m, 0, m.length)).isEqualTo(NetGroupMessage.groupIdOfSpecifier(spec));
  }

  @Test
  void anyOtherMarkerCarriesThe32ByteIdItself() {
    byte[] m = HEX.parseHex("012101" + ID + "00");
    assertThat(HEX.formatHex(NetGroupMessage.parseJoin(m, 0, m.length))).isEqualTo(ID);
  }

  @Test
  void malformedJoinsAreWireExceptions() {
    String[] bad = {
        "", "01", "0101", "0B2115" + ID, // too short / wrong type
        "010010", // L = 0
        "012215" + ID, // L runs past the end
        "011115" + ID.substring(0, 32), // a 16-byte id
        "01ffffffffffffffffff", // VLU too long
        "01ff", // truncated VLU
        "01a0000010", // L = 0x1000 past the end
    };
    for (String b : bad) {
      byte[] m = HEX.parseHex(b);
      assertThatThrownBy(() -> NetGroupMessage.parseJoin(m, 0, m.length)).as(b)
          .isInstanceOfSatisfying(WireException.class, e -> assertThat(e.dropCause()).isEqualTo(DropCause.MALFORMED_MESSAGE));
    }
  }

  @Test
  void memberMessage() {
    byte[] m = NetGroupMessage.member(HEX.parseHex(ID));
    assertThat(HEX.formatHex(m)).isEqualTo("0b" + ID);
    assertThat(HEX.formatHex(NetGroupMessage.parseMember(m, 0, m.length))).isEqualTo(ID);
    assertThatThrownBy(() -> NetGroupMessage.parseMember(m, 0, 32)).isInstanceOf(WireException.class);
    byte[] wrong = HEX.parseHex("0c" + ID);
    assertThatThrownBy(() -> NetGroupMessage.parseMember(wrong, 0, 33)).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> NetGroupMessage.member(new byte[31])).isInstanceOf(IllegalArgumentException.class);
  }
}
