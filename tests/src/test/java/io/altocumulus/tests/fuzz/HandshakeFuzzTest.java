package io.altocumulus.tests.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.crypto.PacketCipher;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.handshake.ServerKeys;
import io.altocumulus.rtmfp.session.EndpointConfig;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.altocumulus.rtmfp.time.FakeClock;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.PacketCodec;
import io.altocumulus.rtmfp.wire.chunk.ForwardedIHello;
import io.altocumulus.rtmfp.wire.chunk.IHello;
import io.altocumulus.rtmfp.wire.chunk.IIKeying;
import io.altocumulus.rtmfp.wire.chunk.RHello;
import io.altocumulus.rtmfp.wire.chunk.RIKeying;
import io.altocumulus.rtmfp.wire.chunk.Redirect;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;

/**
 * The handshake (RTMFP-WIRE §4): the parsers of its chunks, and a responder endpoint fed arbitrary
 * session-id-0 datagrams, both as raw bytes and sealed with the default key (so the fuzzer reaches
 * the chunk dispatch past the checksum). Nothing may escape {@link RtmfpEndpoint#receive}: it
 * counts refusals, and its replies must stay small (no amplification beyond an RHello).
 */
class HandshakeFuzzTest {
  private static final long ALLOC = 1 << 20;
  private static final InetSocketAddress FROM = new InetSocketAddress("192.0.2.7", 50000);
  private static final FakeClock CLOCK = new FakeClock();
  private static final int[] LARGEST_REPLY = new int[1];
  private static final RtmfpEndpoint RESPONDER = responder();

  private static RtmfpEndpoint responder() {
    ResponderPolicy policy = new ResponderPolicy() {
      @Override
      public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
        // Accept URLs, redirect peer ids, so both answers are exercised.
        return epd.kind() == EndpointDiscriminator.Kind.URL ? HelloDecision.ACCEPT
            : HelloDecision.redirect(List.of(io.altocumulus.rtmfp.wire.PeerAddress.observed(FROM)));
      }

      @Override
      public SessionHandler onSessionOpened(Session session) {
        throw new AssertionError("no session can open without a valid cookie");
      }
    };
    EndpointConfig config = new EndpointConfig();
    config.helloRatePerSecond = 0; // every input reaches the parsers (the limit has its own tests)
    return new RtmfpEndpoint(config, CLOCK,
        (buf, off, len, to) -> LARGEST_REPLY[0] = Math.max(LARGEST_REPLY[0], len),
        Runnable::run, Runnable::run, new DropCounters(), 0, 1, ServerIdentity.generate(new SecureRandom()),
        new ServerKeys(), policy);
  }

  /** One handshake chunk payload to each handshake chunk parser. */
  @FuzzTest(maxDuration = "5s")
  void handshakeChunks(byte[] data) {
    Fuzz.check("IHello", ALLOC + 8L * data.length, () -> IHello.parse(ByteBuffer.wrap(data)).discriminator());
    Fuzz.check("RHello", ALLOC + 8L * data.length, () -> RHello.parse(ByteBuffer.wrap(data)));
    Fuzz.check("IIKeying", ALLOC + 8L * data.length, () -> IIKeying.parse(ByteBuffer.wrap(data)));
    Fuzz.check("RIKeying", ALLOC + 8L * data.length, () -> RIKeying.parse(ByteBuffer.wrap(data)));
    Fuzz.check("Redirect", ALLOC + 8L * data.length, () -> Redirect.parse(ByteBuffer.wrap(data)));
    Fuzz.check("ForwardedIHello", ALLOC + 8L * data.length, () -> {
      ForwardedIHello f = ForwardedIHello.parse(ByteBuffer.wrap(data));
      EndpointDiscriminator.parse(f.epd());
    });
  }

  /**
   * {@code data} is the plaintext of a session-id-0 packet from its flags byte on. Fed to a
   * responder sealed with the default key, then raw; {@code receive} must return normally.
   */
  @FuzzTest(maxDuration = "5s")
  void responder(byte[] data) {
    Fuzz.check("responder", 4L * ALLOC + 8L * data.length, () -> {
      byte[] buf = new byte[data.length + 6 + 16];
      System.arraycopy(data, 0, buf, PacketCodec.PLAINTEXT_OFFSET, data.length);
      int n = PacketCodec.seal(buf, 0, PacketCodec.PLAINTEXT_OFFSET + data.length, 0, PacketCipher.forDefaultKey());
      RESPONDER.receive(buf, 0, n, FROM);
      RESPONDER.receive(data.clone(), 0, data.length, FROM);
      RESPONDER.flush();
      CLOCK.advanceMillis(10);
      RESPONDER.tick();
    });
    // An RHello (cookie 64, certificate 77, tag up to the packet) fits one datagram.
    if (LARGEST_REPLY[0] > 1500) {
      throw new AssertionError("handshake reply of " + LARGEST_REPLY[0] + " bytes");
    }
    if (RESPONDER.sessionCount() != 0 || RESPONDER.handshakeRecords() != 0) {
      throw new AssertionError("state created without a cookie");
    }
  }
}
