package io.altocumulus.rtmfp.wire.chunk;

import static io.altocumulus.rtmfp.wire.Hex.bytes;
import static io.altocumulus.rtmfp.wire.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.crypto.Certificates;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.crypto.KeyingComponents;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.PeerAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RTMFP-WIRE §12 V4, V6, V8 and round trips of every handshake chunk. */
class HandshakeChunksTest {
  static final String TAG = "000102030405060708090a0b0c0d0e0f";
  static final String COOKIE = "5a".repeat(64);
  static final String A = "a3616141ace28df1503b7975754b8c03513504fbe6e5373c7334642867b0bfc34f34b23d"
      + "197bddfcebb0544f05314647406a35f3a460490a86f201e0515036911542486fed3e087748d5e5079e17a36255"
      + "5f92c501caf3c5227c47fb2f9f1f0e1470a8935cfb5b58df64efa5cd0b19880cf20cd472e142af343f983240de"
      + "1980";
  static final String B = "5daba0bf13f733d5e49510ade27c8ec1c5a89328278291f7548c6204ca0408c5a20d7dc6"
      + "4829f77c3b7ef03eb279deade1f98e9d5a4198cbc4249b1a90d6850194e5c8dcdc80e4eb4b663245c0e776ac8e"
      + "b4dae6ec48146c206d27cf2d8f8a49a53a51f7822245b6ab41d49c1cb91e1609be707945c0be75d67e16ec3011"
      + "a2bb";
  static final String PEER_ID = "1e90e594c139e08821b5c090a940301618e9a42dfc953a9a61b5f4fea7f94ac7";

  static byte[] encode(int size, java.util.function.Consumer<ByteBuffer> writer) {
    ByteBuffer b = ByteBuffer.allocate(size);
    writer.accept(b);
    assertThat(b.position()).isEqualTo(size);
    return b.array();
  }

  /** The payload of an encoded chunk, checking the type and length header. */
  static ByteBuffer payload(byte[] chunk, int type) {
    assertThat(chunk[0] & 0xFF).isEqualTo(type);
    assertThat(((chunk[1] & 0xFF) << 8) | (chunk[2] & 0xFF)).isEqualTo(chunk.length - 3);
    return ByteBuffer.wrap(chunk, 3, chunk.length - 3);
  }

  static InetSocketAddress addr(String ip, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), port);
  }

  @Test
  void v4RHello() {
    byte[] cert = Certificates.serverCertificate(new byte[64]);
    RHello r = new RHello(bytes(TAG), bytes(COOKIE), cert);
    byte[] chunk = encode(r.encodedSize(), r::serialize);
    assertThat(hex(chunk)).isEqualTo(
        "70009f10" + TAG + "40" + COOKIE + "010a410e" + "00".repeat(64) + "02150202150502150e");
    RHello back = RHello.parse(payload(chunk, ChunkType.RHELLO));
    assertThat(back.tag()).isEqualTo(bytes(TAG));
    assertThat(back.cookie()).isEqualTo(bytes(COOKIE));
    assertThat(back.certificate()).isEqualTo(cert);
  }

  @Test
  void v6IIKeying() {
    byte[] cert = KeyingComponents.initiatorCertificate(DhGroup.MODP_1024, bytes(A));
    byte[] skic = KeyingComponents.initiatorSkic(DhGroup.MODP_1024, new byte[64]);
    IIKeying k = new IIKeying(0x01020304, bytes(COOKIE), cert, skic, bytes("58"));
    byte[] chunk = encode(k.encodedSize(), k::serialize);
    assertThat(chunk.length - 3).isEqualTo(281);
    assertThat(hex(chunk)).isEqualTo("38" + "0119" + "01020304" + "40" + COOKIE + "8104" + "81021d02"
        + A + "4c" + "021d02410e" + "00".repeat(64) + "031a020a021e02" + "58");
    IIKeying back = IIKeying.parse(payload(chunk, ChunkType.IIKEYING));
    assertThat(back.initiatorSessionId()).isEqualTo(0x01020304);
    assertThat(back.cookie()).isEqualTo(bytes(COOKIE));
    assertThat(back.certificate()).isEqualTo(cert);
    assertThat(back.skic()).isEqualTo(skic);
    assertThat(back.signature()).isEqualTo(bytes("58"));
  }

  @Test
  void v6RIKeying() {
    byte[] skrc = KeyingComponents.responderSkrc(DhGroup.MODP_1024, bytes(B));
    RIKeying r = new RIKeying(1, skrc, RIKeying.FLASH_SIGNATURE);
    byte[] chunk = encode(r.encodedSize(), r::serialize);
    assertThat(hex(chunk)).isEqualTo("780092" + "00000001" + "810b" + "031a0000021e0081020d02" + B + "58");
    RIKeying back = RIKeying.parse(payload(chunk, ChunkType.RIKEYING));
    assertThat(back.responderSessionId()).isEqualTo(1);
    assertThat(back.skrc()).isEqualTo(skrc);
    assertThat(back.signature()).isEqualTo(bytes("58"));
  }

  @Test
  void v8Addresses() throws Exception {
    PeerAddress pub = PeerAddress.observed(addr("203.0.113.5", 50000));
    PeerAddress priv = PeerAddress.reported(addr("192.168.1.20", 50001));
    assertThat(hex(encode(pub.encodedSize(), pub::serialize))).isEqualTo("02cb007105c350");
    assertThat(hex(encode(priv.encodedSize(), priv::serialize))).isEqualTo("01c0a80114c351");
    assertThat(PeerAddress.parse(ByteBuffer.wrap(bytes("02cb007105c350")))).isEqualTo(pub);

    PeerAddress v6 = new PeerAddress(addr("2001:db8::1", 1935), PeerAddress.ORIGIN_OBSERVED);
    byte[] e = encode(v6.encodedSize(), v6::serialize);
    assertThat(hex(e)).isEqualTo("82" + "20010db8000000000000000000000001" + "078f");
    assertThat(PeerAddress.parse(ByteBuffer.wrap(e))).isEqualTo(v6);
    assertThat(v6.isIpv6()).isTrue();
  }

  @Test
  void v8Redirect() throws Exception {
    Redirect r = new Redirect(bytes(TAG), List.of(PeerAddress.observed(addr("203.0.113.5", 50000)),
        PeerAddress.reported(addr("192.168.1.20", 50001))));
    byte[] chunk = encode(r.encodedSize(), r::serialize);
    assertThat(hex(chunk)).isEqualTo("71001f10" + TAG + "02cb007105c350" + "01c0a80114c351");
    Redirect back = Redirect.parse(payload(chunk, ChunkType.REDIRECT));
    assertThat(back.tag()).isEqualTo(bytes(TAG));
    assertThat(back.addresses()).isEqualTo(r.addresses());
  }

  @Test
  void v8ForwardedIHello() throws Exception {
    ForwardedIHello f = new ForwardedIHello(
        EndpointDiscriminator.forPeerId(bytes(PEER_ID)).encoded(),
        PeerAddress.observed(addr("198.51.100.7", 61000)), bytes(TAG));
    byte[] chunk = encode(f.encodedSize(), f::serialize);
    assertThat(hex(chunk)).isEqualTo("0f003a22210f" + PEER_ID + "02c6336407ee48" + TAG);
    ForwardedIHello back = ForwardedIHello.parse(payload(chunk, ChunkType.FORWARDED_IHELLO));
    assertThat(back.replyAddress()).isEqualTo(f.replyAddress());
    assertThat(back.tag()).isEqualTo(bytes(TAG));
    assertThat(EndpointDiscriminator.parse(back.epd()).peerId()).isEqualTo(bytes(PEER_ID));
  }

  @Test
  void smallChunks() {
    Ping ping = new Ping(bytes("0102"));
    assertThat(hex(encode(ping.encodedSize(), ping::serialize))).isEqualTo("0100020102");
    assertThat(Ping.parse(ByteBuffer.wrap(bytes("0102"))).body()).isEqualTo(bytes("0102"));
    PingReply reply = new PingReply(ping.body());
    assertThat(hex(encode(reply.encodedSize(), reply::serialize))).isEqualTo("4100020102");
    assertThat(hex(encode(3, SessionCloseRequest.INSTANCE::serialize))).isEqualTo("0c0000");
    assertThat(hex(encode(3, SessionCloseAck.INSTANCE::serialize))).isEqualTo("4c0000");
    assertThat(SessionCloseAck.parse(ByteBuffer.wrap(new byte[2]))).isEqualTo(SessionCloseAck.INSTANCE);

    RHelloCookieChange cc = new RHelloCookieChange(bytes("aabb"), bytes("ccddee"));
    byte[] chunk = encode(cc.encodedSize(), cc::serialize);
    assertThat(hex(chunk)).isEqualTo("79000602aabbccddee");
    RHelloCookieChange back = RHelloCookieChange.parse(payload(chunk, ChunkType.RHELLO_COOKIE_CHANGE));
    assertThat(back.oldCookie()).isEqualTo(bytes("aabb"));
    assertThat(back.newCookie()).isEqualTo(bytes("ccddee"));
  }

  @Test
  void ihelloWithLongEpdUsesTwoByteVlu() {
    String url = "rtmfp://example.com:1935/" + "a".repeat(150);
    IHello h = new IHello(EndpointDiscriminator.forUrl(url).encoded(), bytes(TAG));
    byte[] chunk = encode(h.encodedSize(), h::serialize);
    IHello back = IHello.parse(payload(chunk, ChunkType.IHELLO));
    assertThat(back.tag()).isEqualTo(bytes(TAG));
    assertThat(back.discriminator().url()).isEqualTo(url);
    assertThat(back.discriminator().port()).isEqualTo(1935);
    assertThat(back.discriminator().path()).isEqualTo("a".repeat(150));
  }
}
