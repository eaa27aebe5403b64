package io.altocumulus.rtmfp.wire;

import static io.altocumulus.rtmfp.wire.Hex.bytes;
import static io.altocumulus.rtmfp.wire.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The EPD forms of REAL-CLIENTS §7 and RTMFP-WIRE §4.1. */
class EndpointDiscriminatorTest {
  static byte[] urlEpd(String url) {
    byte[] u = url.getBytes(StandardCharsets.US_ASCII);
    return Hex.concat(new byte[] {(byte) (u.length + 1), 0x0a}, u);
  }

  @Test
  void fullUrl() {
    EndpointDiscriminator d = EndpointDiscriminator.parse(urlEpd("rtmfp://host.example:1935/live/room/?a=1&b=2"));
    assertThat(d.kind()).isEqualTo(EndpointDiscriminator.Kind.URL);
    assertThat(d.url()).isEqualTo("rtmfp://host.example:1935/live/room/?a=1&b=2");
    assertThat(d.host()).isEqualTo("host.example");
    assertThat(d.port()).isEqualTo(1935);
    assertThat(d.path()).isEqualTo("live/room");
    assertThat(d.query()).isEqualTo("a=1&b=2");
    assertThat(d.peerId()).isNull();
  }

  @Test
  void urlWithoutPathOrPort() {
    EndpointDiscriminator d = EndpointDiscriminator.parse(urlEpd("rtmfp://localhost"));
    assertThat(d.host()).isEqualTo("localhost");
    assertThat(d.port()).isEqualTo(-1);
    assertThat(d.path()).isEmpty();
    assertThat(d.query()).isEmpty();
    EndpointDiscriminator q = EndpointDiscriminator.parse(urlEpd("rtmfp://[::1]:99?x"));
    assertThat(q.host()).isEqualTo("::1");
    assertThat(q.port()).isEqualTo(99);
    assertThat(q.path()).isEmpty();
    assertThat(q.query()).isEqualTo("x");
  }

  @Test
  void bareAndEmptyPath() {
    EndpointDiscriminator d = EndpointDiscriminator.parse(urlEpd("/chat//lobby"));
    assertThat(d.kind()).isEqualTo(EndpointDiscriminator.Kind.URL);
    assertThat(d.host()).isNull();
    assertThat(d.path()).isEqualTo("chat/lobby");
    assertThat(EndpointDiscriminator.parse(urlEpd("app?k=v")).path()).isEqualTo("app");
    assertThat(EndpointDiscriminator.parse(urlEpd("app?k=v")).query()).isEqualTo("k=v");

    EndpointDiscriminator empty = EndpointDiscriminator.parse(bytes("01 0a"));
    assertThat(empty.kind()).isEqualTo(EndpointDiscriminator.Kind.URL);
    assertThat(empty.url()).isEmpty();
    assertThat(empty.path()).isEmpty();
    assertThat(empty.query()).isEmpty();
  }

  @Test
  void peerId() {
    byte[] id = new byte[32];
    id[0] = 0x1e;
    id[31] = (byte) 0xc7;
    EndpointDiscriminator d = EndpointDiscriminator.parse(Hex.concat(bytes("21 0f"), id));
    assertThat(d.kind()).isEqualTo(EndpointDiscriminator.Kind.PEER_ID);
    assertThat(d.peerId()).isEqualTo(id);
    assertThat(d.url()).isNull();
    assertThat(hex(EndpointDiscriminator.forPeerId(id).encoded())).isEqualTo("210f" + hex(id));
    assertThatThrownBy(() -> EndpointDiscriminator.parse(Hex.concat(bytes("20 0f"), new byte[31])))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_ENDPOINT_DISCRIMINATOR));
  }

  @Test
  void otherAndMalformed() {
    assertThat(EndpointDiscriminator.parse(bytes("05 00 68 6f 73 74")).kind())
        .isEqualTo(EndpointDiscriminator.Kind.OTHER);
    assertThat(EndpointDiscriminator.parse(new byte[0]).kind())
        .isEqualTo(EndpointDiscriminator.Kind.OTHER);
    assertThatThrownBy(() -> EndpointDiscriminator.parse(bytes("09 0a 61")))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_ENDPOINT_DISCRIMINATOR));
  }

  @Test
  void forUrlMatchesFlashForm() {
    assertThat(hex(EndpointDiscriminator.forUrl("rtmfp://localhost/app").encoded()))
        .isEqualTo("160a72746d66703a2f2f6c6f63616c686f73742f617070");
    assertThat(EndpointDiscriminator.forUrl("rtmfp://localhost/app").path()).isEqualTo("app");
  }
}
