package io.altocumulus.rtmfp.wire;

import static io.altocumulus.rtmfp.wire.Hex.bytes;
import static io.altocumulus.rtmfp.wire.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.crypto.PacketCipher;
import io.altocumulus.rtmfp.wire.chunk.ChunkType;
import io.altocumulus.rtmfp.wire.chunk.IHello;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PacketCodecTest {
  static final String V2_CHUNK =
      "30 0028 17 16 0a 72746d66703a2f2f6c6f63616c686f73742f617070 000102030405060708090a0b0c0d0e0f";
  static final String V2_DATAGRAM = "edcf286b7102cc8a9ccde4e17b585818a71139b510579c21f2f6eb7f9298b97c"
      + "7d8fdfbe020972f8f7fa6f37f864891fc382592c";
  static final byte[] TAG = bytes("000102030405060708090a0b0c0d0e0f");

  static final String V7_MESSAGE = "14 00000000 02 0007 5f726573756c74 00 3ff0000000000000 05 03 0005"
      + " 6c6576656c 02 0006 737461747573 0004 636f6465 02 001d"
      + " 4e6574436f6e6e656374696f6e2e436f6e6e6563742e53756363657373 000b 6465736372697074696f6e 02"
      + " 0014 436f6e6e656374696f6e20737563636565646564 000e 6f626a656374456e636f64696e67 00"
      + " 4008000000000000 0000 09";
  static final String V7_DATAGRAM = "c6f9a63b4bf567f78c0ec2c8bbc22c00766c3d750b76f038355c3781ef8a29e6"
      + "cb12153f722008a340fd6489b84f42190de6ed8f10284b7c6ef54def4b6934f93cf9dfd616d9cbc9c3b39525608e"
      + "e0a7b77a5b73a69677ccba6b627ca4a22a755f84aed4a53dc4f06a71ac63dbe217e226de5d9b696b752ee1d7235f"
      + "71896e70e3bac020c33b071d4309c7e533e5a5c81544191c63d180b7e6413aa6ae56c8e295c6355424e2191c0a4e"
      + "e559baf075098e8c193f";
  static final byte[] K_S2C = bytes("1c9f30bbc63c9b1e9fdffa753a88b04c");

  @Test
  void v2IHelloChunkAndDatagram() {
    IHello hello = new IHello(EndpointDiscriminator.forUrl("rtmfp://localhost/app").encoded(), TAG);
    ByteBuffer chunk = ByteBuffer.allocate(hello.encodedSize());
    hello.serialize(chunk);
    assertThat(hex(chunk.array())).isEqualTo(hex(bytes(V2_CHUNK)));

    byte[] buf = new byte[2048];
    int p = PacketHeader.write(buf, 6, PacketHeader.MODE_STARTUP, 0x1234, -1);
    assertThat(buf[6]).isEqualTo((byte) 0x0b);
    ByteBuffer out = ByteBuffer.wrap(buf);
    out.position(p);
    hello.serialize(out);
    int len = PacketCodec.seal(buf, 0, out.position(), 0, PacketCipher.forDefaultKey());
    assertThat(hex(Arrays.copyOf(buf, len))).isEqualTo(V2_DATAGRAM);
  }

  @Test
  void v2OpenAndParseBack() {
    byte[] d = bytes(V2_DATAGRAM);
    assertThat(PacketCodec.sessionId(d, 0, d.length)).isZero();
    PacketCodec.open(d, 0, d.length, PacketCipher.forDefaultKey());
    assertThat(hex(Arrays.copyOfRange(d, 4, d.length))).isEqualTo(
        "d5ce0b123430002817160a72746d66703a2f2f6c6f63616c686f73742f617070000102030405060708090a0b0c0d0e0f");
    PacketHeader h = new PacketHeader();
    int first = h.parse(d, 6, d.length);
    assertThat(h.mode()).isEqualTo(PacketHeader.MODE_STARTUP);
    assertThat(h.hasTimestamp()).isTrue();
    assertThat(h.timestamp()).isEqualTo(0x1234);
    assertThat(h.hasTimestampEcho()).isFalse();
    ChunkIterator it = new ChunkIterator().reset(ByteBuffer.wrap(d), first, d.length);
    assertThat(it.next()).isTrue();
    assertThat(it.type()).isEqualTo(ChunkType.IHELLO);
    IHello hello = IHello.parse(it.payload());
    assertThat(hello.tag()).isEqualTo(TAG);
    assertThat(hello.discriminator().path()).isEqualTo("app");
    assertThat(hello.discriminator().host()).isEqualTo("localhost");
    assertThat(it.next()).isFalse();
  }

  static byte[] v7Plaintext() {
    byte[] message = bytes(V7_MESSAGE);
    assertThat(message).hasSize(144);
    return Hex.concat(bytes("4e 0100 00fa 10 009e 80 02 01 01 05 0054430400 02 0a 02 00"), message);
  }

  @Test
  void v7SealFirstServerPacket() {
    byte[] buf = new byte[2048];
    int p = PacketHeader.write(buf, 6, 0x40 | PacketHeader.MODE_RESPONDER, 0x0100, 0x00fa);
    assertThat(buf[6]).isEqualTo((byte) 0x4e);
    byte[] plain = v7Plaintext();
    System.arraycopy(plain, 5, buf, p, plain.length - 5);
    int end = p + plain.length - 5;
    Arrays.fill(buf, end, buf.length, (byte) 0x33); // padding must overwrite whatever is there
    int len = PacketCodec.seal(buf, 0, end, 0x01020304, new PacketCipher(K_S2C));
    assertThat(len).isEqualTo(180);
    assertThat(hex(Arrays.copyOf(buf, len))).isEqualTo(V7_DATAGRAM);
  }

  @Test
  void v7OpenAtAnOffset() {
    byte[] d = bytes(V7_DATAGRAM);
    byte[] buf = new byte[d.length + 10];
    System.arraycopy(d, 0, buf, 7, d.length);
    assertThat(PacketCodec.sessionId(buf, 7, d.length)).isEqualTo(0x01020304);
    PacketCodec.open(buf, 7, d.length, new PacketCipher(K_S2C));
    assertThat(hex(Arrays.copyOfRange(buf, 11, 13))).isEqualTo("f014");
    byte[] plain = v7Plaintext();
    assertThat(Arrays.copyOfRange(buf, 13, 13 + plain.length)).isEqualTo(plain);
    assertThat(Arrays.copyOfRange(buf, 13 + plain.length, 7 + d.length))
        .containsOnly((byte) 0xff).hasSize(8);
    PacketHeader h = new PacketHeader();
    int first = h.parse(buf, 13, 7 + d.length);
    assertThat(h.timestamp()).isEqualTo(0x0100);
    assertThat(h.timestampEcho()).isEqualTo(0x00fa);
    assertThat(h.flags() & PacketHeader.FLAG_TCR).isNotZero();
    ChunkIterator it = new ChunkIterator().reset(ByteBuffer.wrap(buf), first, 7 + d.length);
    assertThat(it.next()).isTrue();
    assertThat(it.type()).isEqualTo(ChunkType.USER_DATA);
    assertThat(it.payloadLength()).isEqualTo(0x9e);
    assertThat(it.next()).isFalse(); // stops at the 0xFF padding
  }

  @Test
  void wrongKeyFailsTheChecksum() {
    byte[] d = bytes(V7_DATAGRAM);
    assertThatThrownBy(() -> PacketCodec.open(d, 0, d.length, PacketCipher.forDefaultKey()))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_CHECKSUM));
  }

  @Test
  void bitFlipFailsTheChecksum() {
    byte[] d = bytes(V2_DATAGRAM);
    d[d.length - 1] ^= 1;
    assertThatThrownBy(() -> PacketCodec.open(d, 0, d.length, PacketCipher.forDefaultKey()))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_CHECKSUM));
  }

  @Test
  void lengthChecks() {
    PacketCipher c = PacketCipher.forDefaultKey();
    assertThatThrownBy(() -> PacketCodec.open(new byte[11], 0, 11, c))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.TOO_SHORT));
    assertThatThrownBy(() -> PacketCodec.sessionId(new byte[11], 0, 11))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.TOO_SHORT));
    for (int len : new int[] {12, 19, 21, 35}) {
      assertThatThrownBy(() -> PacketCodec.open(new byte[len], 0, len, c))
          .isInstanceOfSatisfying(WireException.class,
              e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_LENGTH));
    }
  }

  @Test
  void sealPadsToWholeBlocks() {
    PacketCipher c = new PacketCipher(K_S2C);
    for (int plain = 1; plain <= 40; plain++) {
      byte[] buf = new byte[128];
      Arrays.fill(buf, 6, 6 + plain, (byte) 0x09);
      int len = PacketCodec.seal(buf, 0, 6 + plain, 77, c);
      assertThat((len - 4) % 16).isZero();
      assertThat(len - 4).isBetween(plain + 2, plain + 2 + 15);
      assertThat(PacketCodec.sessionId(buf, 0, len)).isEqualTo(77);
      PacketCodec.open(buf, 0, len, new PacketCipher(K_S2C));
    }
  }

  @Test
  void headerTimestampsAreOptional() {
    PacketHeader h = new PacketHeader();
    byte[] noTs = bytes("01 10 0001 aa");
    assertThat(h.parse(noTs, 0, noTs.length)).isEqualTo(1);
    assertThat(h.hasTimestamp()).isFalse();
    assertThat(h.mode()).isEqualTo(PacketHeader.MODE_INITIATOR);

    byte[] echoOnly = bytes("05 1234 ff");
    assertThat(h.parse(echoOnly, 0, echoOnly.length)).isEqualTo(3);
    assertThat(h.hasTimestamp()).isFalse();
    assertThat(h.hasTimestampEcho()).isTrue();
    assertThat(h.timestampEcho()).isEqualTo(0x1234);

    byte[] both = bytes("8d 0102 0304");
    assertThat(h.parse(both, 0, both.length)).isEqualTo(5);
    assertThat(h.timestamp()).isEqualTo(0x0102);
    assertThat(h.timestampEcho()).isEqualTo(0x0304);
    assertThat(h.flags() & PacketHeader.FLAG_TC).isNotZero();

    byte[] truncated = bytes("0d 0102 03");
    assertThatThrownBy(() -> h.parse(truncated, 0, truncated.length))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.MALFORMED_CHUNK));
    assertThatThrownBy(() -> h.parse(truncated, 0, 2)).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> h.parse(truncated, 0, 0)).isInstanceOf(WireException.class);
  }
}
