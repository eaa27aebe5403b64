package io.altocumulus.rtmfp.crypto;

import static io.altocumulus.rtmfp.wire.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.PacketCodec;
import io.altocumulus.rtmfp.wire.WireException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Per-packet HMAC and session sequence numbers (RFC 7425 §4.6.4), both directions. */
class SessionCryptoTest {
  static final byte[] S = bytes(CryptoVectorsTest.S);
  static final byte[] SKIC = CryptoVectorsTest.SKIC;
  static final byte[] SKRC = CryptoVectorsTest.SKRC;

  /** The initiator's view of a negotiation: what the responder sends it receives, and back. */
  static Negotiation mirror(Negotiation n) {
    return new Negotiation(n.recvHmac(), n.recvHmacLength(), n.sendHmac(), n.sendHmacLength(),
        n.recvSequence(), n.sendSequence());
  }

  static SessionCrypto server(Negotiation n) {
    return new SessionCrypto(SessionKeys.derive(S, SKRC, SKIC), n);
  }

  static SessionCrypto client(Negotiation n) {
    return new SessionCrypto(SessionKeys.derive(S, SKIC, SKRC), mirror(n));
  }

  /** Seals {@code plain} as a packet of session {@code id} and returns the datagram. */
  static byte[] seal(SessionCrypto c, byte[] plain, int id) {
    byte[] buf = new byte[2048];
    System.arraycopy(plain, 0, buf, PacketCodec.PLAINTEXT_OFFSET, plain.length);
    int n = c.seal(buf, 0, PacketCodec.PLAINTEXT_OFFSET + plain.length, id);
    return Arrays.copyOf(buf, n);
  }

  static byte[] open(SessionCrypto c, byte[] datagram) {
    byte[] buf = datagram.clone();
    c.open(buf, 0, buf.length);
    return Arrays.copyOfRange(buf, c.openedStart(), c.openedEnd());
  }

  @Test
  void withoutNegotiationItIsPacketCodecByteForByte() {
    SessionCrypto c = server(Negotiation.NONE);
    byte[] plain = bytes("4d1234 10000401");
    byte[] expected = new byte[2048];
    System.arraycopy(plain, 0, expected, 6, plain.length);
    int n = PacketCodec.seal(expected, 0, 6 + plain.length,  0x01020304,
        new PacketCipher(SessionKeys.derive(S, SKRC, SKIC).encryptKey()));
    assertThat(seal(c, plain, 0x01020304)).isEqualTo(Arrays.copyOf(expected, n));
  }

  @Test
  void roundTripsInEveryCombinationWithOddAndLongLengths() {
    Random r = new Random(7);
    for (int mask = 0; mask < 16; mask++) {
      Negotiation n = new Negotiation((mask & 1) != 0, (mask & 1) != 0 ? 16 : 0, (mask & 2) != 0,
          (mask & 2) != 0 ? 10 : 0, (mask & 4) != 0, (mask & 8) != 0);
      SessionCrypto srv = server(n);
      SessionCrypto cli = client(n);
      // 200 packets: sequence numbers cross 127, so the VLU grows to 2 bytes.
      for (int i = 0; i < 200; i++) {
        byte[] plain = new byte[1 + r.nextInt(1150)];
        r.nextBytes(plain);
        byte[] d = seal(srv, plain, 77);
        assertThat(PacketCodec.sessionId(d, 0, d.length)).isEqualTo(77);
        byte[] back = open(cli, d);
        assertThat(Arrays.copyOf(back, plain.length)).as("mask %d packet %d", mask, i).isEqualTo(plain);
        for (int k = plain.length; k < back.length; k++) {
          assertThat(back[k]).isEqualTo((byte) 0xFF);
        }
        byte[] up = seal(cli, plain, 5);
        assertThat(Arrays.copyOf(open(srv, up), plain.length)).isEqualTo(plain);
      }
    }
  }

  @Test
  void hmacIsCheckedBeforeDecrypting() {
    Negotiation n = new Negotiation(true, 16, true, 16, false, false);
    byte[] d = seal(client(n), bytes("0b0102"), 9);
    assertThat(d.length - 4).isEqualTo(16 + 16);
    byte[] bad = d.clone();
    bad[bad.length - 1] ^= 1;
    assertThatThrownBy(() -> open(server(n), bad))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_HMAC));
    assertThat(open(server(n), d)).startsWith(bytes("0b0102"));
  }

  @Test
  void replayedAndTooOldSequenceNumbersAreRefused() {
    Negotiation n = new Negotiation(false, 0, false, 0, false, true);
    SessionCrypto cli = client(n);
    SessionCrypto srv = server(n);
    byte[][] d = new byte[100][];
    for (int i = 0; i < d.length; i++) {
      d[i] = seal(cli, new byte[] {(byte) i}, 3);
    }
    assertThat(open(srv, d[0])).startsWith(0);
    assertThatThrownBy(() -> open(srv, d[0])).isInstanceOfSatisfying(WireException.class,
        e -> assertThat(e.dropCause()).isEqualTo(DropCause.REPLAYED_PACKET));
    assertThat(open(srv, d[99])).startsWith(99);
    assertThat(open(srv, d[50])).startsWith(50); // out of order, inside the window
    assertThatThrownBy(() -> open(srv, d[50])).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> open(srv, d[10])).isInstanceOf(WireException.class); // 89 behind
  }

  @Test
  void aSequenceNumberIsFirstAndTheChecksumFollows() {
    // Layout of rtmfp-cpp's FlashCryptoKey::encrypt: VLU sequence (from 0), then the checksum
    // over the rest; the odd-length area is checksummed with its last byte low.
    Negotiation n = new Negotiation(false, 0, false, 0, true, false);
    SessionCrypto srv = server(n);
    byte[] d = seal(srv, bytes("4d"), 1);
    byte[] buf = d.clone();
    new PacketCipher(SessionKeys.derive(S, SKIC, SKRC).decryptKey()).decrypt(buf, 4, buf.length - 4);
    assertThat(buf[4]).isEqualTo((byte) 0);
    int stored = ((buf[5] & 0xFF) << 8) | (buf[6] & 0xFF);
    assertThat(stored).isEqualTo(Checksum.compute(buf, 7, buf.length - 7));
    assertThat(buf[7]).isEqualTo((byte) 0x4d);
  }
}
