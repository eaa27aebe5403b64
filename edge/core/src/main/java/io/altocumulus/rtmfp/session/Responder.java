package io.altocumulus.rtmfp.session;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.crypto.Certificates;
import io.altocumulus.rtmfp.crypto.KeyingComponents;
import io.altocumulus.rtmfp.crypto.Negotiation;
import io.altocumulus.rtmfp.crypto.SessionCrypto;
import io.altocumulus.rtmfp.crypto.SessionKeys;
import io.altocumulus.rtmfp.handshake.CookieJar;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.HelloResponder;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.handshake.ServerKeys;
import io.altocumulus.rtmfp.util.ExpiringCache;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.WireException;
import io.altocumulus.rtmfp.wire.chunk.ForwardedIHello;
import io.altocumulus.rtmfp.wire.chunk.IHello;
import io.altocumulus.rtmfp.wire.chunk.IIKeying;
import io.altocumulus.rtmfp.wire.chunk.RHello;
import io.altocumulus.rtmfp.wire.chunk.RIKeying;
import io.altocumulus.rtmfp.wire.chunk.Redirect;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Responder half of the handshake (RFC 7016 §3.5.1, RTMFP-WIRE §4). An IHello costs no state: the
 * RHello cookie is a MAC over the source address and time. Only an IIKeying with a valid cookie,
 * that is a source that proved it receives at its address, gets a record, kept in a bounded,
 * expiring cache so a retransmitted IIKeying gets the same RIKeying and a replayed cookie is
 * refused. Diffie-Hellman runs on the crypto executor, never on the loop.
 */
final class Responder {
  /** Flash's and Cumulus's signature byte (RTMFP-WIRE §4.7). */
  private static final byte[] SIGNATURE = {0x58};

  private final RtmfpEndpoint ep;
  private final ServerIdentity identity;
  private final ServerKeys keys;
  private final ResponderPolicy policy;
  private final CookieJar cookies;
  private final ExpiringCache<ByteBuffer, Record> records;
  private int inFlight;
  private int pendingHellos;
  private final Deferrals deferrals = new Deferrals();

  /** What one proven IIKeying produced. */
  private static final class Record {
    final int initiatorSessionId;
    final byte[] skic;
    final Negotiation negotiation;
    byte[] riKeying; // serialized chunk once the session exists

    Record(int initiatorSessionId, byte[] skic, Negotiation negotiation) {
      this.initiatorSessionId = initiatorSessionId;
      this.skic = skic;
      this.negotiation = negotiation;
    }
  }

  Responder(RtmfpEndpoint ep, ServerIdentity identity, ServerKeys keys, ResponderPolicy policy) {
    this.ep = ep;
    this.identity = identity;
    this.keys = keys;
    this.policy = policy;
    this.cookies = new CookieJar(ep.clock, ep.random);
    this.records = new ExpiringCache<>(ep.config.maxHandshakeRecords, ep.config.cookieLifetimeNanos);
  }

  int records() {
    return records.size();
  }

  int inFlight() {
    return inFlight;
  }

  int pendingHellos() {
    return pendingHellos;
  }

  void onIHello(IHello hello, InetSocketAddress from, long now) {
    answer(hello.tag(), from, policy.onIHello(hello.discriminator(), hello.tag(), from, deferrals), now);
  }

  /**
   * A forwarded IHello arrived in one of our sessions (RFC 7016 §3.5.1.1.2, RTMFP-WIRE §6.3): it
   * is handled as an IHello from the reply address, so our RHello goes straight to the initiator
   * and opens the hole in our NAT (rtmfp-cpp does the same: {@code Session::onFIHelloChunk}).
   */
  void onForwardedIHello(ForwardedIHello f, long now) {
    EndpointDiscriminator epd;
    try {
      epd = EndpointDiscriminator.parse(f.epd());
    } catch (WireException e) {
      throw new WireException(DropCause.BAD_ENDPOINT_DISCRIMINATOR, "forwarded IHello: " + e.getMessage());
    }
    InetSocketAddress reply = f.replyAddress().address();
    answer(f.tag(), reply, policy.onIHello(epd, f.tag(), reply, deferrals), now);
  }

  /** Sends the answer to an IHello; PENDING sends nothing yet. */
  void answer(byte[] tag, InetSocketAddress to, HelloDecision d, long now) {
    switch (d.kind()) {
      case ACCEPT -> {
        RHello r = new RHello(tag, cookies.issue(to), identity.certificate());
        ByteBuffer out = ep.beginHandshakePacket(now);
        if (fits(out, r.encodedSize(), to, now)) {
          r.serialize(out);
          ep.sendHandshakePacket(0, to);
        }
      }
      case REDIRECT -> {
        Redirect r = new Redirect(tag, d.redirectTo());
        ByteBuffer out = ep.beginHandshakePacket(now);
        if (fits(out, r.encodedSize(), to, now)) {
          r.serialize(out);
          ep.sendHandshakePacket(0, to);
        }
      }
      case IGNORE, PENDING -> {
        // Silent (RTMFP-WIRE §6.3: unknown peer, no answer), or the answer comes later.
      }
    }
  }

  /**
   * The tag is echoed whole (RFC 7016 §2.3.4), and nothing bounds it but the datagram: an answer
   * that would not fit one packet is dropped, not sent (found by HandshakeFuzzTest: a 2.9 KB
   * IHello overflowed the send buffer). Counted, not thrown: deferred answers arrive off receive().
   */
  private boolean fits(ByteBuffer out, int chunkSize, InetSocketAddress to, long now) {
    if (out.position() + chunkSize <= ep.config.packetCap) {
      return true;
    }
    ep.drops.drop(DropCause.MALFORMED_CHUNK, now, to);
    return false;
  }

  /** On the loop: a deferred answer arrives; its slot is released whatever it says. */
  void answerDeferred(byte[] tag, InetSocketAddress to, HelloDecision d) {
    if (pendingHellos > 0) {
      pendingHellos--;
    }
    if (d == null || d.kind() == HelloDecision.Kind.PENDING) {
      return;
    }
    answer(tag, to, d, ep.clock.nanoTime());
  }

  /** The one {@link HelloResponder} of this loop: no allocation per IHello on the synchronous path. */
  private final class Deferrals implements HelloResponder {
    @Override
    public boolean defer() {
      if (pendingHellos >= ep.config.maxPendingHellos) {
        ep.drops.drop(DropCause.HANDSHAKE_OVERLOAD, ep.clock.nanoTime(), pendingHellos + " IHello answers already pending");
        return false;
      }
      pendingHellos++;
      return true;
    }

    @Override
    public void answer(byte[] tag, InetSocketAddress to, HelloDecision decision) {
      ep.loop.execute(() -> answerDeferred(tag, to, decision));
    }

    @Override
    public Executor loop() {
      return ep.loop;
    }
  }

  void onIIKeying(IIKeying k, InetSocketAddress from, long now) {
    byte[] cookie = k.cookie();
    if (!cookies.verify(cookie, from)) {
      throw new WireException(DropCause.BAD_COOKIE, "IIKeying cookie invalid, expired or for another address");
    }
    ByteBuffer key = ByteBuffer.wrap(cookie);
    Record existing = records.get(key, now);
    if (existing != null) {
      if (existing.initiatorSessionId == k.initiatorSessionId() && Arrays.equals(existing.skic, k.skic())) {
        if (existing.riKeying != null) {
          // Retransmitted IIKeying: the same RIKeying again (RTMFP-WIRE §4.4).
          ep.beginHandshakePacket(now).put(existing.riKeying);
          ep.sendHandshakePacket(existing.initiatorSessionId, from);
        }
        return;
      }
      throw new WireException(DropCause.REPLAYED_COOKIE, "cookie already used by another IIKeying");
    }
    if (ep.sessions.size() >= ep.config.maxSessions) {
      throw new WireException(DropCause.CAPACITY, "session table full");
    }
    if (inFlight >= ep.config.maxHandshakesInFlight) {
      throw new WireException(DropCause.HANDSHAKE_OVERLOAD, inFlight + " handshakes already computing");
    }
    if (k.initiatorSessionId() == 0) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "initiator session id 0");
    }
    KeyingComponents.DhKey initiatorKey = KeyingComponents.initiatorKey(k.certificate(), k.skic());
    // RFC 7425 §4.6.4: HMAC and sequence numbers as the initiator asks (declined for Flash).
    Negotiation negotiation = Negotiation.answer(k.skic());
    Record record = new Record(k.initiatorSessionId(), k.skic(), negotiation);
    if (!records.put(key, record, now)) {
      throw new WireException(DropCause.HANDSHAKE_OVERLOAD, "handshake record cache full");
    }
    byte[] peerId = Certificates.peerId(k.certificate());
    inFlight++;
    try {
      ep.crypto.execute(() -> compute(record, key, initiatorKey, from, peerId));
    } catch (RejectedExecutionException e) {
      inFlight--;
      records.remove(key);
      throw new WireException(DropCause.HANDSHAKE_OVERLOAD, "crypto workers saturated");
    }
  }

  /** On a crypto worker: the shared secret and session keys (RTMFP-WIRE §4.5, §4.9). */
  private void compute(Record record, ByteBuffer key, KeyingComponents.DhKey initiatorKey,
      InetSocketAddress from, byte[] peerId) {
    try {
      ServerKeys.Entry e = keys.get(initiatorKey.group(), ep.clock.nanoTime());
      byte[] secret = e.pair.sharedSecret(initiatorKey.publicKey());
      byte[] skrc = KeyingComponents.responderSkrc(e.skrc, record.negotiation);
      SessionKeys sk = SessionKeys.derive(secret, skrc, record.skic);
      ep.loop.execute(() -> complete(record, sk, skrc, from, peerId));
    } catch (WireException ex) {
      ep.loop.execute(() -> failed(key, ex));
    } catch (RuntimeException ex) {
      ep.loop.execute(() -> failed(key, new WireException(DropCause.BAD_KEYING, String.valueOf(ex))));
    }
  }

  private void failed(ByteBuffer key, WireException ex) {
    inFlight--;
    records.remove(key);
    ep.drops.drop(ex.dropCause(), ep.clock.nanoTime(), ex.getMessage());
  }

  /** Back on the loop: the session exists from here on. */
  private void complete(Record record, SessionKeys sk, byte[] skrc, InetSocketAddress from, byte[] peerId) {
    inFlight--;
    long now = ep.clock.nanoTime();
    int id = ep.newSessionId();
    Session s = new Session(ep, Session.Role.RESPONDER, id, record.initiatorSessionId, from,
        new SessionCrypto(sk, record.negotiation), peerId, now);
    ep.addSession(s);
    if (ep.log.isDebugEnabled()) {
      ep.log.debug("session {} opened with {} ({}, {})", Integer.toHexString(id), from,
          initiatorGroupOf(skrc), record.negotiation);
    }
    s.setHandler(policy.onSessionOpened(s));
    RIKeying rik = new RIKeying(id, skrc, SIGNATURE);
    ByteBuffer tmp = ByteBuffer.allocate(rik.encodedSize());
    rik.serialize(tmp);
    record.riKeying = tmp.array();
    ep.beginHandshakePacket(now).put(record.riKeying);
    // RIKeying goes to the initiator's session id, under the default key (RTMFP-WIRE §4.7).
    ep.sendHandshakePacket(record.initiatorSessionId, from);
  }

  private static String initiatorGroupOf(byte[] skrc) {
    try {
      return "DH group " + KeyingComponents.responderKey(skrc).group().id();
    } catch (WireException e) {
      return "DH group ?";
    }
  }

  void expire(long now) {
    records.expire(now);
  }
}
