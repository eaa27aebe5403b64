package io.altocumulus.rtmfp.tc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.amf.AmfObject;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TcMessagesTest {
  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void setKeepaliveIsVectorV8() {
    assertThat(TcMessage.setKeepalive(15_000, 10_000)).isEqualTo(hex("04 00000000 0029 00003a98 00002710"));
  }

  @Test
  void streamBeginCarriesTheStreamId() {
    assertThat(TcMessage.streamBegin(1)).isEqualTo(hex("04 00000000 0000 00000001"));
  }

  @Test
  void connectResultIsVectorV7() {
    // RTMFP-WIRE §12 V7: the connect _result as Cumulus writes it (144 bytes).
    LinkedHashMap<String, Object> extra = new LinkedHashMap<>();
    extra.put("objectEncoding", 3.0);
    byte[] m = TcCommand.encode("_result", 1, Amf0Writer.Mode.AMF3_SWITCH,
        TcCommand.info("status", "NetConnection.Connect.Success", "Connection succeeded", extra));
    assertThat(m).isEqualTo(hex("14 00000000 02 0007 5f726573756c74 00 3ff0000000000000 05 03 0005 6c6576656c 02 0006"
        + " 737461747573 0004 636f6465 02 001d 4e6574436f6e6e656374696f6e2e436f6e6e6563742e53756363657373 000b"
        + " 6465736372697074696f6e 02 0014 436f6e6e656374696f6e20737563636565646564 000e 6f626a656374456e636f64696e67"
        + " 00 4008000000000000 0000 09"));
  }

  @Test
  void commandsParseFromBothTypes() {
    byte[] amf0 = TcCommand.encode(TcMessage.AMF0_COMMAND, "call", 5, Amf0Writer.Mode.PURE, "a", 2.0);
    byte[] amf3 = TcCommand.encode(TcMessage.AMF3_COMMAND, "call", 5, Amf0Writer.Mode.AMF3_SWITCH, "a", 2.0);
    assertThat(amf3[5]).isEqualTo((byte) 0); // RFC 7425 §5.3.3 format byte
    for (byte[] m : new byte[][] {amf0, amf3}) {
      TcCommand c = TcCommand.parse(m, 0, m.length, AmfContext.DEFAULT);
      assertThat(c.name()).isEqualTo("call");
      assertThat(c.transactionId()).isEqualTo(5.0);
      assertThat(c.commandObject()).isNull();
      assertThat(c.args()).containsExactly("a", 2.0);
    }
  }

  @Test
  void infoObjectsAreObjects() {
    byte[] m = TcCommand.encode("_error", 3, Amf0Writer.Mode.PURE,
        TcCommand.info("error", "NetConnection.Call.Failed", "", Map.of()));
    TcCommand c = TcCommand.parse(m, 0, m.length, AmfContext.DEFAULT);
    AmfObject info = (AmfObject) c.args().get(0);
    assertThat(info.get("level")).isEqualTo("error");
    assertThat(info.has("description")).isFalse(); // omitted when empty (RTMFP-WIRE §8.4)
  }

  @Test
  void malformedCommandsAreRefusedWithACause() {
    assertThatThrownBy(() -> TcCommand.parse(new byte[] {0x14, 0, 0}, 0, 3, AmfContext.DEFAULT))
        .isInstanceOf(WireException.class)
        .extracting(e -> ((WireException) e).dropCause()).isEqualTo(DropCause.MALFORMED_MESSAGE);
    byte[] noFormat = hex("11 00000000 01 02 0001 61");
    assertThatThrownBy(() -> TcCommand.parse(noFormat, 0, noFormat.length, AmfContext.DEFAULT))
        .isInstanceOf(WireException.class);
    byte[] badAmf = hex("14 00000000 02 7f7f 41");
    assertThatThrownBy(() -> TcCommand.parse(badAmf, 0, badAmf.length, AmfContext.DEFAULT))
        .isInstanceOf(WireException.class)
        .extracting(e -> ((WireException) e).dropCause()).isEqualTo(DropCause.MALFORMED_AMF);
  }

  @Test
  void metadataKinds() {
    assertThat(TcMetadata.encode(0)).isEqualTo(hex("54 43 04 00"));
    assertThat(TcMetadata.parse(hex("54 43 04 00")).isNetConnection()).isTrue();
    assertThat(TcMetadata.parse(hex("54 43 04 01")).streamId()).isEqualTo(1);
    // Flags 0x05 (network-order intent) accepted too (RTMFP-WIRE §11 row 17).
    assertThat(TcMetadata.parse(hex("54 43 05 02")).streamId()).isEqualTo(2);
    assertThat(TcMetadata.parse(hex("47 43")).kind()).isEqualTo(TcMetadata.Kind.GROUP);
    assertThatThrownBy(() -> TcMetadata.parse(hex("54 43 00 01"))).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> TcMetadata.parse(hex("58"))).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> TcMetadata.parse(hex("54 43 04 ff"))).isInstanceOf(WireException.class);
  }
}
