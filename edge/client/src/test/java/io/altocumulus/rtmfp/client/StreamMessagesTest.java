package io.altocumulus.rtmfp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamMessagesTest {
  static final HexFormat HEX = HexFormat.of();

  static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  @Test
  void publishCommandAmf0Client() {
    // 14 ts=0 | 02 0007 "publish" | 00 <0.0> | 05 | 02 0004 "live"
    assertThat(hex(StreamMessages.command(0, "publish", 0, "live")))
        .isEqualTo("1400000000" + "0200077075626c697368" + "000000000000000000" + "05" + "0200046c697665");
  }

  @Test
  void publishCommandAmf3ClientHasFormatByte() {
    assertThat(hex(StreamMessages.command(3, "publish", 0, "live")))
        .isEqualTo("1100000000" + "00" + "0200077075626c697368" + "000000000000000000" + "05" + "0200046c697665");
  }

  @Test
  void playWithStartParsesBackAsTheServerReadsIt() {
    byte[] m = StreamMessages.command(3, "play", 0, "cam", -3000.0);
    TcCommand c = TcCommand.parse(m, 0, m.length, AmfContext.DEFAULT);
    assertThat(c.name()).isEqualTo("play");
    assertThat(c.transactionId()).isZero();
    assertThat(c.commandObject()).isNull();
    assertThat(c.args()).containsExactly("cam", -3000.0);
  }

  @Test
  void receiveVideoBoolean() {
    byte[] m = StreamMessages.command(0, "receiveVideo", 0, false);
    assertThat(hex(m)).endsWith("05" + "0100");
  }

  @Test
  void audioMessage() {
    byte[] m = StreamMessages.media(0x08, 0x01020304, new byte[] {(byte) 0xaf, 0x01, 0x21}, 0, 3);
    assertThat(hex(m)).isEqualTo("0801020304af0121");
  }

  @Test
  void videoMessageSlice() {
    byte[] m = StreamMessages.media(0x09, 40, new byte[] {9, 0x27, 0x01, 9}, 1, 2);
    assertThat(hex(m)).isEqualTo("09000000282701");
  }

  @Test
  void setBufferLength() {
    assertThat(hex(StreamMessages.setBufferLength(1, 100))).isEqualTo("04" + "00000000" + "0003" + "00000001" + "00000064");
    assertThat(hex(StreamMessages.setBufferLength(0x0a0b0c0dL, 3000))).isEqualTo("0400000000000" + "30a0b0c0d00000bb8");
  }

  @Test
  void dataMessageAmf3AndAmf0() {
    // 0F ts 00 | 02 0005 "hello" | 00 <1.0>
    assertThat(hex(StreamMessages.data(3, 0, "hello", 1.0)))
        .isEqualTo("0f00000000" + "00" + "02000568656c6c6f" + "003ff0000000000000");
    assertThat(hex(StreamMessages.data(0, 7, "hello", 1.0)))
        .isEqualTo("1200000007" + "02000568656c6c6f" + "003ff0000000000000");
  }

  @Test
  void setDataFrameRoundTrip() {
    Map<String, Object> md = new LinkedHashMap<>();
    md.put("width", 640.0);
    md.put("audiocodecid", 10.0);
    for (int enc : new int[] {0, 3}) {
      byte[] m = StreamMessages.data(enc, 0, "@setDataFrame", "onMetaData", md);
      StreamMessages.Data d = StreamMessages.parseData(m, 0, m.length);
      assertThat(d.handler()).isEqualTo("@setDataFrame");
      assertThat(d.values()).hasSize(2);
      assertThat(d.values().get(0)).isEqualTo("onMetaData");
      assertThat(ClientNetConnection.member(d.values().get(1), "width")).isEqualTo(640.0);
    }
  }

  @Test
  void parseDataRejectsGarbageWithWireException() {
    assertThatThrownBy(() -> StreamMessages.parseData(new byte[] {0x0f, 0, 0}, 0, 3)).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> StreamMessages.parseData(new byte[] {0x0f, 0, 0, 0, 0, 1, 2}, 0, 7))
        .isInstanceOf(WireException.class);
    assertThatThrownBy(() -> StreamMessages.parseData(new byte[] {0x12, 0, 0, 0, 0, 2, 0, 9, 'a'}, 0, 9))
        .isInstanceOf(WireException.class);
    assertThatThrownBy(() -> StreamMessages.parseData(new byte[] {0x14, 0, 0, 0, 0}, 0, 5))
        .isInstanceOf(WireException.class);
  }
}
