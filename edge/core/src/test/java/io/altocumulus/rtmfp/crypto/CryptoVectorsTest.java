package io.altocumulus.rtmfp.crypto;

import static io.altocumulus.rtmfp.wire.Hex.bytes;
import static io.altocumulus.rtmfp.wire.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.WireException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RTMFP-WIRE §12 V3 and V5. */
class CryptoVectorsTest {
  static final String A = "a3616141ace28df1503b7975754b8c03513504fbe6e5373c7334642867b0bfc34f34b23d"
      + "197bddfcebb0544f05314647406a35f3a460490a86f201e0515036911542486fed3e087748d5e5079e17a36255"
      + "5f92c501caf3c5227c47fb2f9f1f0e1470a8935cfb5b58df64efa5cd0b19880cf20cd472e142af343f983240de"
      + "1980";
  static final String B = "5daba0bf13f733d5e49510ade27c8ec1c5a89328278291f7548c6204ca0408c5a20d7dc6"
      + "4829f77c3b7ef03eb279deade1f98e9d5a4198cbc4249b1a90d6850194e5c8dcdc80e4eb4b663245c0e776ac8e"
      + "b4dae6ec48146c206d27cf2d8f8a49a53a51f7822245b6ab41d49c1cb91e1609be707945c0be75d67e16ec3011"
      + "a2bb";
  static final String S = "6130d1167ba0e97f35edfb8a334f34997c37326988b09b3f1bf5a0e0a479e3b0b4a2812e"
      + "86ff53e9cf31ed8b7c402f532516d2bdec88539d50e37f1bef54557d51fd96ef0b5ee20c5e56dfa75197382055"
      + "5b1e67b70aa6f8ceeb5129fd69a0f8e72d4d317825c77e3bbb4ad988d794db22c704f8fa6667e2a233ed748fb5"
      + "c1a9";
  static final BigInteger CLIENT_X = new BigInteger("11".repeat(32), 16);
  static final BigInteger SERVER_X = new BigInteger("22".repeat(32), 16);
  static final byte[] SKIC = bytes("021d02410e" + "00".repeat(64) + "031a020a021e02");
  static final byte[] SKRC = bytes("031a0000021e0081020d02" + B);

  @Test
  void v3ServerCertificateAndId() {
    byte[] cert = Certificates.serverCertificate(new byte[64]);
    assertThat(hex(cert)).isEqualTo("010a410e" + "00".repeat(64) + "02150202150502150e");
    assertThat(cert).hasSize(77);
    assertThat(hex(Certificates.peerId(cert)))
        .isEqualTo("35f1c12683604ff6858ebf0247cebfcade163e0ed4e647c6520f7bac5f622420");
    assertThat(Certificates.groupsOf(cert))
        .containsExactly(DhGroup.MODP_1024, DhGroup.MODP_1536, DhGroup.MODP_2048);
  }

  @Test
  void v5PublicKeysAndSharedSecret() {
    DhKeyPair client = DhKeyPair.fromPrivate(DhGroup.MODP_1024, CLIENT_X);
    DhKeyPair server = DhKeyPair.fromPrivate(DhGroup.MODP_1024, SERVER_X);
    assertThat(hex(client.publicKey())).isEqualTo(A);
    assertThat(hex(server.publicKey())).isEqualTo(B);
    assertThat(hex(server.sharedSecret(bytes(A)))).isEqualTo(S);
    assertThat(hex(client.sharedSecret(bytes(B)))).isEqualTo(S);
  }

  @Test
  void v5ComponentsAndPeerId() {
    byte[] clientCert = KeyingComponents.initiatorCertificate(DhGroup.MODP_1024, bytes(A));
    assertThat(hex(clientCert)).isEqualTo("81021d02" + A);
    assertThat(hex(Certificates.peerId(clientCert)))
        .isEqualTo("1e90e594c139e08821b5c090a940301618e9a42dfc953a9a61b5f4fea7f94ac7");
    assertThat(KeyingComponents.initiatorSkic(DhGroup.MODP_1024, new byte[64])).isEqualTo(SKIC)
        .hasSize(76);
    byte[] skrc = KeyingComponents.responderSkrc(DhGroup.MODP_1024, bytes(B));
    assertThat(skrc).isEqualTo(SKRC).hasSize(139);

    KeyingComponents.DhKey ik = KeyingComponents.initiatorKey(clientCert, SKIC);
    assertThat(ik.group()).isEqualTo(DhGroup.MODP_1024);
    assertThat(hex(ik.publicKey())).isEqualTo(A);
    KeyingComponents.DhKey rk = KeyingComponents.responderKey(skrc);
    assertThat(rk.group()).isEqualTo(DhGroup.MODP_1024);
    assertThat(hex(rk.publicKey())).isEqualTo(B);
  }

  @Test
  void v5SessionKeys() {
    byte[] s = bytes(S);
    SessionKeys server = SessionKeys.derive(s, SKRC, SKIC);
    assertThat(hex(server.decryptKey())).isEqualTo("367be62ce8c853a7bdf3542230ccb568");
    assertThat(hex(server.encryptKey())).isEqualTo("1c9f30bbc63c9b1e9fdffa753a88b04c");
    SessionKeys client = SessionKeys.derive(s, SKIC, SKRC);
    assertThat(client.encryptKey()).isEqualTo(server.decryptKey());
    assertThat(client.decryptKey()).isEqualTo(server.encryptKey());
  }

  @Test
  void initiatorKeyPrefersSkicOption0d() {
    SecureRandom r = new SecureRandom();
    DhKeyPair k = DhKeyPair.generate(DhGroup.MODP_2048, r);
    // RFC-style initiator: the SKIC carries the ephemeral key; the certificate has none.
    byte[] skic = Arrays.copyOfRange(KeyingComponents.responderSkrc(DhGroup.MODP_2048,
        k.publicKey()), 7, 7 + 3 + 2 + k.publicKey().length);
    byte[] cert = bytes("01 0a");
    KeyingComponents.DhKey key = KeyingComponents.initiatorKey(cert, skic);
    assertThat(key.group()).isEqualTo(DhGroup.MODP_2048);
    assertThat(key.publicKey()).isEqualTo(k.publicKey());
  }

  /**
   * A static initiator with several keys (rtmfp-cpp: groups 16, 14, 2 in certificate order) picks
   * one with the SKIC's DH Group Select (RFC 7425 §4.6.2); the first key must not be assumed.
   */
  @Test
  void initiatorKeyFollowsGroupSelect() {
    SecureRandom r = new SecureRandom();
    byte[] k14 = DhKeyPair.generate(DhGroup.MODP_2048, r).publicKey();
    byte[] k2 = DhKeyPair.generate(DhGroup.MODP_1024, r).publicKey();
    String cert = "05 1d 10 01 02 03" // a group-16 "key" we cannot use
        + hex(KeyingComponents.initiatorCertificate(DhGroup.MODP_2048, k14))
        + hex(KeyingComponents.initiatorCertificate(DhGroup.MODP_1024, k2));
    String tail = "410e" + "00".repeat(64) + "031a020a021e02";

    KeyingComponents.DhKey sel14 = KeyingComponents.initiatorKey(bytes(cert), bytes("021d0e" + tail));
    assertThat(sel14.group()).isEqualTo(DhGroup.MODP_2048);
    assertThat(sel14.publicKey()).isEqualTo(k14);

    KeyingComponents.DhKey sel2 = KeyingComponents.initiatorKey(bytes(cert), bytes("021d02" + tail));
    assertThat(sel2.group()).isEqualTo(DhGroup.MODP_1024);
    assertThat(sel2.publicKey()).isEqualTo(k2);

    // No group select: the first key of a group we implement.
    KeyingComponents.DhKey none = KeyingComponents.initiatorKey(bytes(cert), bytes(tail));
    assertThat(none.group()).isEqualTo(DhGroup.MODP_2048);
    assertThat(none.publicKey()).isEqualTo(k14);
  }

  @Test
  void keyingErrors() {
    // Key only for group 16, SKIC selects group 2: no key for the selected group.
    assertThatThrownBy(() -> KeyingComponents.initiatorKey(bytes("05 1d 10 01 02 03"), SKIC))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_KEYING));
    // No group select and only a group we do not implement.
    assertThatThrownBy(() -> KeyingComponents.initiatorKey(bytes("05 1d 10 01 02 03"),
        bytes("03 1a 02 0a")))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_DH_KEY));
    // Group select for a group we do not implement.
    assertThatThrownBy(() -> KeyingComponents.initiatorKey(bytes("05 1d 10 01 02 03"),
        bytes("02 1d 10")))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_DH_KEY));
    assertThatThrownBy(() -> KeyingComponents.initiatorKey(bytes("01 0a"), SKIC))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_KEYING));
    assertThatThrownBy(() -> KeyingComponents.initiatorKey(bytes("81 02 1d 02 aa"), SKIC))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_KEYING));
    assertThatThrownBy(() -> KeyingComponents.initiatorKey(bytes("02 1d 02"), SKIC))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_KEYING));
    assertThatThrownBy(() -> KeyingComponents.responderKey(bytes("031a0000021e00")))
        .isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_KEYING));
  }

  @Test
  void dhRangeChecks() {
    DhKeyPair server = DhKeyPair.fromPrivate(DhGroup.MODP_1024, SERVER_X);
    BigInteger p = DhGroup.MODP_1024.prime();
    BigInteger twoTo24 = BigInteger.ONE.shiftLeft(24);
    BigInteger[] bad = {BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO, p.subtract(BigInteger.ONE),
        p, p.add(BigInteger.ONE), twoTo24.subtract(BigInteger.ONE), BigInteger.valueOf(0xFFFFFF),
        p.subtract(twoTo24).add(BigInteger.ONE),
        // in range but with too few one bits / zero bits
        BigInteger.ONE.shiftLeft(900).or(BigInteger.ONE.shiftLeft(30)),
        BigInteger.ONE.shiftLeft(1000).subtract(BigInteger.ONE)};
    for (BigInteger y : bad) {
      byte[] key = y.signum() == 0 ? new byte[] {0} : DhKeyPair.unsigned(y);
      assertThatThrownBy(() -> server.sharedSecret(key)).as(y.toString(16))
          .isInstanceOfSatisfying(WireException.class,
              e -> assertThat(e.dropCause()).isEqualTo(DropCause.BAD_DH_KEY));
    }
    assertThatThrownBy(() -> server.sharedSecret(new byte[0])).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> server.sharedSecret(new byte[300])).isInstanceOf(WireException.class);
    // The bounds themselves are accepted when the bit counts are fine.
    assertThat(server.sharedSecret(DhKeyPair.unsigned(p.subtract(twoTo24)))).isNotEmpty();
  }

  @Test
  void everyGroupAgrees() {
    SecureRandom r = new SecureRandom();
    for (DhGroup g : DhGroup.values()) {
      assertThat(g.prime().isProbablePrime(64)).isTrue();
      assertThat(g.prime().subtract(BigInteger.ONE).shiftRight(1).isProbablePrime(32)).isTrue();
      assertThat(DhGroup.byId(g.id())).isSameAs(g);
      DhKeyPair a = DhKeyPair.generate(g, r);
      DhKeyPair b = DhKeyPair.generate(g, r);
      assertThat(a.publicKey().length).isLessThanOrEqualTo(g.byteLength());
      assertThat(a.publicKey()[0]).isNotZero();
      assertThat(a.sharedSecret(b.publicKey())).isEqualTo(b.sharedSecret(a.publicKey()));
    }
    assertThat(DhGroup.MODP_1024.byteLength()).isEqualTo(128);
    assertThat(DhGroup.MODP_1536.byteLength()).isEqualTo(192);
    assertThat(DhGroup.MODP_2048.byteLength()).isEqualTo(256);
    assertThat(DhGroup.byId(16)).isNull();
    assertThat(DhGroup.byId(1)).isNull();
  }

  @Test
  void sharedSecretStripsLeadingZeros() {
    // Find a private exponent whose secret with B has a leading zero byte (about 1 in 256).
    byte[] b = bytes(B);
    for (int i = 1; i < 5000; i++) {
      DhKeyPair k = DhKeyPair.fromPrivate(DhGroup.MODP_1024, BigInteger.valueOf(i).shiftLeft(200)
          .add(BigInteger.valueOf(i)));
      BigInteger expected = new BigInteger(1, b).modPow(BigInteger.valueOf(i).shiftLeft(200)
          .add(BigInteger.valueOf(i)), DhGroup.MODP_1024.prime());
      if (expected.bitLength() <= 1016) {
        byte[] s = k.sharedSecret(b);
        assertThat(s.length).isLessThan(128);
        assertThat(s[0]).isNotZero();
        assertThat(new BigInteger(1, s)).isEqualTo(expected);
        return;
      }
    }
    throw new AssertionError("no short secret found");
  }

  @Test
  void checksumRfc1071WithOddByteLow() {
    assertThat(Checksum.compute(new byte[0], 0, 0)).isEqualTo(0xFFFF);
    // RFC 1071 §3 example words 0001 f203 f4f5 f6f7: sum ddf2, checksum 220d.
    assertThat(Checksum.compute(bytes("0001f203f4f5f6f7"), 0, 8)).isEqualTo(0x220d);
    // Odd final byte is the low byte of a word, as rtmfp-cpp's in_cksum adds it (interop with
    // session sequence numbers, where the checksummed area has odd length).
    assertThat(Checksum.compute(bytes("ab"), 0, 1)).isEqualTo(~0x00ab & 0xFFFF);
    assertThat(Checksum.compute(bytes("0102ab"), 0, 3)).isEqualTo(~(0x0102 + 0x00ab) & 0xFFFF);
    assertThat(Checksum.compute(bytes("ffffab"), 1, 2)).isEqualTo(~0xffab & 0xFFFF);
  }

  @Test
  void cipherRoundTripInPlaceWithZeroIvPerCall() {
    PacketCipher c = new PacketCipher(bytes("1c9f30bbc63c9b1e9fdffa753a88b04c"));
    byte[] a = new byte[64];
    for (int i = 0; i < a.length; i++) {
      a[i] = (byte) i;
    }
    byte[] one = a.clone();
    c.encrypt(one, 16, 32);
    byte[] two = a.clone();
    c.encrypt(two, 16, 32);
    assertThat(two).isEqualTo(one); // IV reset for every packet
    assertThat(Arrays.copyOfRange(one, 0, 16)).isEqualTo(Arrays.copyOfRange(a, 0, 16));
    assertThat(Arrays.copyOfRange(one, 16, 48)).isNotEqualTo(Arrays.copyOfRange(a, 16, 48));
    c.decrypt(one, 16, 32);
    assertThat(one).isEqualTo(a);
    assertThatThrownBy(() -> c.encrypt(a, 0, 15)).isInstanceOf(IllegalArgumentException.class);
  }
}
