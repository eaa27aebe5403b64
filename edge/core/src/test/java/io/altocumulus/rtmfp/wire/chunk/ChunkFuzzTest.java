package io.altocumulus.rtmfp.wire.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.crypto.Certificates;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.crypto.KeyingComponents;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.Hex;
import io.altocumulus.rtmfp.wire.OptionList;
import io.altocumulus.rtmfp.wire.PeerAddress;
import io.altocumulus.rtmfp.wire.WireException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Parsers on truncated, bit-flipped and random input only ever throw {@link WireException}. */
class ChunkFuzzTest {
  record Case(String name, byte[] payload, Function<ByteBuffer, Object> parser) {}

  static byte[] payloadOf(int size, java.util.function.Consumer<ByteBuffer> w) {
    ByteBuffer b = ByteBuffer.allocate(size);
    w.accept(b);
    byte[] p = new byte[size - 3];
    System.arraycopy(b.array(), 3, p, 0, p.length);
    return p;
  }

  static List<Case> cases() throws Exception {
    byte[] tag = Hex.bytes("000102030405060708090a0b0c0d0e0f");
    byte[] key = new byte[128];
    new Random(1).nextBytes(key);
    key[0] |= (byte) 0x80;
    PeerAddress a4 = PeerAddress.observed(new InetSocketAddress(InetAddress.getByName("203.0.113.5"), 1));
    PeerAddress a6 = PeerAddress.reported(new InetSocketAddress(InetAddress.getByName("::1"), 2));
    IHello ih = new IHello(EndpointDiscriminator.forUrl("rtmfp://h:1/app?x=1").encoded(), tag);
    RHello rh = new RHello(tag, new byte[64], Certificates.serverCertificate(new byte[64]));
    Redirect rd = new Redirect(tag, List.of(a4, a6));
    IIKeying ik = new IIKeying(7, new byte[64], KeyingComponents.initiatorCertificate(DhGroup.MODP_1024, key),
        KeyingComponents.initiatorSkic(DhGroup.MODP_1024, new byte[64]), new byte[] {0x58});
    RIKeying rk = new RIKeying(9, KeyingComponents.responderSkrc(DhGroup.MODP_1024, key), new byte[] {0x58});
    ForwardedIHello fi = new ForwardedIHello(EndpointDiscriminator.forPeerId(new byte[32]).encoded(), a6, tag);
    RHelloCookieChange cc = new RHelloCookieChange(new byte[64], new byte[64]);
    return List.of(
        new Case("IHello", payloadOf(ih.encodedSize(), ih::serialize), b -> IHello.parse(b).discriminator()),
        new Case("RHello", payloadOf(rh.encodedSize(), rh::serialize),
            b -> Certificates.groupsOf(RHello.parse(b).certificate())),
        new Case("Redirect", payloadOf(rd.encodedSize(), rd::serialize), Redirect::parse),
        new Case("IIKeying", payloadOf(ik.encodedSize(), ik::serialize), b -> {
          IIKeying k = IIKeying.parse(b);
          return KeyingComponents.initiatorKey(k.certificate(), k.skic());
        }),
        new Case("RIKeying", payloadOf(rk.encodedSize(), rk::serialize),
            b -> KeyingComponents.responderKey(RIKeying.parse(b).skrc())),
        new Case("FIHello", payloadOf(fi.encodedSize(), fi::serialize),
            b -> EndpointDiscriminator.parse(ForwardedIHello.parse(b).epd())),
        new Case("CookieChange", payloadOf(cc.encodedSize(), cc::serialize), RHelloCookieChange::parse),
        new Case("OptionList", Hex.bytes("02 15 02 41 0e" + "00".repeat(64) + "03 1d 02 aa 00 ff"), OptionList::parse),
        new Case("Ping", new byte[] {1, 2}, Ping::parse));
  }

  static void parseExpectingOnlyWireException(Case c, byte[] input) {
    try {
      c.parser().apply(ByteBuffer.wrap(input));
    } catch (WireException expected) {
      // fine
    } catch (RuntimeException e) {
      throw new AssertionError(c.name() + " threw " + e + " on " + Hex.hex(input), e);
    }
  }

  @Test
  void validPayloadsParse() throws Exception {
    for (Case c : cases()) {
      assertThat(c.parser().apply(ByteBuffer.wrap(c.payload()))).as(c.name()).isNotNull();
    }
  }

  @Test
  void truncatedInput() throws Exception {
    for (Case c : cases()) {
      for (int n = 0; n < c.payload().length; n++) {
        byte[] t = new byte[n];
        System.arraycopy(c.payload(), 0, t, 0, n);
        parseExpectingOnlyWireException(c, t);
      }
    }
  }

  @Test
  void bitFlippedInput() throws Exception {
    for (Case c : cases()) {
      for (int bit = 0; bit < c.payload().length * 8; bit++) {
        byte[] f = c.payload().clone();
        f[bit / 8] ^= (byte) (1 << (bit % 8));
        parseExpectingOnlyWireException(c, f);
      }
    }
  }

  @Test
  void randomInput() throws Exception {
    Random r = new Random(42);
    for (Case c : cases()) {
      for (int i = 0; i < 2000; i++) {
        byte[] f = new byte[r.nextInt(80)];
        r.nextBytes(f);
        parseExpectingOnlyWireException(c, f);
      }
    }
  }

  @Test
  void hugeDeclaredLengthsAreBoundedBeforeAllocation() {
    // cookie length VLU of 2^56-1 with almost nothing behind it
    byte[] p = Hex.bytes("00000001 ffffffffffffffff7f 00");
    try {
      IIKeying.parse(ByteBuffer.wrap(p));
      throw new AssertionError("parsed");
    } catch (WireException expected) {
      assertThat(expected.getMessage()).contains("cookie");
    }
  }
}
