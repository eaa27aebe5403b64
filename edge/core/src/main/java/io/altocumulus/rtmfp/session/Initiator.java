package io.altocumulus.rtmfp.session;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.crypto.Certificates;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.crypto.DhKeyPair;
import io.altocumulus.rtmfp.crypto.KeyingComponents;
import io.altocumulus.rtmfp.crypto.SessionKeys;
import io.altocumulus.rtmfp.util.IntMap;
import io.altocumulus.rtmfp.handshake.PeerIdentity;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.Option;
import io.altocumulus.rtmfp.wire.OptionList;
import io.altocumulus.rtmfp.wire.Vlu;
import io.altocumulus.rtmfp.wire.PeerAddress;
import io.altocumulus.rtmfp.wire.WireException;
import io.altocumulus.rtmfp.wire.chunk.IHello;
import io.altocumulus.rtmfp.wire.chunk.IIKeying;
import io.altocumulus.rtmfp.wire.chunk.RHello;
import io.altocumulus.rtmfp.wire.chunk.RIKeying;
import io.altocumulus.rtmfp.wire.chunk.Redirect;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Initiator half of the handshake (RFC 7016 §3.5.1.1–3.5.1.4): IHello to the target (and to the
 * addresses of any Redirect), IIKeying to whoever answered with an RHello, then the session once
 * the RIKeying arrives. Retransmits on the endpoint's tick until a deadline.
 */
final class Initiator {
  private static final byte[] SIGNATURE = {0x58};

  private final RtmfpEndpoint ep;
  private final HashMap<ByteBuffer, Attempt> byTag = new HashMap<>();
  private final IntMap<Attempt> byId = new IntMap<>(16);

  private enum State { HELLO, KEYING_PENDING, KEYING, FINISHING }

  private static final class Attempt {
    final byte[] tag;
    final byte[] epd;
    final DhGroup preferred;
    /** Present the endpoint's peer identity (else a fresh key pair, a fresh peer id). */
    boolean asPeer = true;
    final RtmfpEndpoint.ConnectListener listener;
    final List<InetSocketAddress> targets = new ArrayList<>();
    /** The peer id the discriminator names (RTMFP-WIRE §4.1 option 0x0F), else null. */
    byte[] targetPeerId;
    final long startedAt;
    final int id;
    State state = State.HELLO;
    long lastSentAt;
    int redirects;
    InetSocketAddress responder;
    byte[] cookie;
    byte[] serverCertificate;
    DhKeyPair pair;
    byte[] certificate;
    byte[] skic;

    Attempt(byte[] tag, byte[] epd, DhGroup preferred, RtmfpEndpoint.ConnectListener listener, long now, int id) {
      this.tag = tag;
      this.epd = epd;
      this.preferred = preferred;
      this.listener = listener;
      this.startedAt = now;
      this.id = id;
    }
  }

  Initiator(RtmfpEndpoint ep) {
    this.ep = ep;
  }

  boolean isPending(int id) {
    return byId.get(id) != null;
  }

  void start(InetSocketAddress target, EndpointDiscriminator epd, DhGroup preferred, boolean asPeer,
      RtmfpEndpoint.ConnectListener listener, long now) {
    byte[] tag = new byte[16];
    ep.random.nextBytes(tag);
    Attempt a = new Attempt(tag, epd.encoded(), preferred, listener, now, ep.newSessionId());
    a.asPeer = asPeer;
    a.targets.add(target);
    if (epd.kind() == EndpointDiscriminator.Kind.PEER_ID) {
      a.targetPeerId = epd.peerId();
    }
    byTag.put(ByteBuffer.wrap(tag), a);
    byId.put(a.id, a);
    sendHellos(a, now);
  }

  private void sendHellos(Attempt a, long now) {
    a.lastSentAt = now;
    IHello hello = new IHello(a.epd, a.tag);
    for (InetSocketAddress t : a.targets) {
      hello.serialize(ep.beginHandshakePacket(now));
      ep.sendHandshakePacket(0, t);
    }
  }

  void onRHello(RHello r, InetSocketAddress from, long now) {
    Attempt a = byTag.get(ByteBuffer.wrap(r.tag()));
    if (a == null || a.state != State.HELLO) {
      throw new WireException(DropCause.UNEXPECTED_CHUNK, "RHello for no pending IHello");
    }
    if (a.targetPeerId != null && !Arrays.equals(Certificates.peerId(r.certificate()), a.targetPeerId)) {
      // RFC 7425 §4.3: a peer's RHello must carry the certificate its id is the hash of; anyone
      // else (an impostor, a stray server) is not the peer we asked for.
      throw new WireException(DropCause.BAD_KEYING, "RHello certificate does not match the peer id");
    }
    List<DhGroup> offered = offeredGroups(r.certificate());
    DhGroup group = chooseGroup(offered, a.preferred);
    if (group == null) {
      fail(a, "responder offers no Diffie-Hellman group we implement");
      return;
    }
    a.state = State.KEYING_PENDING;
    a.responder = from;
    a.cookie = r.cookie();
    a.serverCertificate = r.certificate();
    PeerIdentity identity = a.asPeer ? ep.peerIdentity : null;
    // A peer keeps one certificate everywhere (its id); a responder that takes its group gets it.
    DhGroup chosen = identity != null && offered.contains(identity.group())
        && (a.preferred == null || a.preferred == identity.group()) ? identity.group() : group;
    try {
      ep.crypto.execute(() -> {
        boolean own = identity != null && chosen == identity.group();
        DhKeyPair pair = own ? identity.pair() : DhKeyPair.generate(chosen, ep.random);
        byte[] rnd = new byte[64];
        ep.random.nextBytes(rnd);
        byte[] cert = own ? identity.certificate() : KeyingComponents.initiatorCertificate(chosen, pair.publicKey());
        byte[] skic = KeyingComponents.initiatorSkic(chosen, rnd);
        ep.loop.execute(() -> keyed(a, pair, cert, skic));
      });
    } catch (RejectedExecutionException e) {
      fail(a, "crypto workers saturated");
    }
  }

  /**
   * Groups a responder can answer in: the 0x15 options of a server certificate, and the groups of
   * the static keys (0x1D) of a peer's Flash-style certificate (RFC 7425 §4.3).
   */
  static List<DhGroup> offeredGroups(byte[] certificate) {
    List<DhGroup> groups = new ArrayList<>(Certificates.groupsOf(certificate));
    for (Option o : OptionList.parse(certificate).options()) {
      if (o.type() == KeyingComponents.OPT_DH_GROUP_SELECT && o.value().length > 0) {
        try {
          long id = Vlu.read(ByteBuffer.wrap(o.value()));
          DhGroup g = id <= Integer.MAX_VALUE ? DhGroup.byId((int) id) : null;
          if (g != null && !groups.contains(g)) {
            groups.add(g);
          }
        } catch (WireException e) {
          // not a key option we can use
        }
      }
    }
    return groups;
  }

  private static DhGroup chooseGroup(List<DhGroup> offered, DhGroup preferred) {
    if (preferred != null && offered.contains(preferred)) {
      return preferred;
    }
    if (preferred == null && offered.contains(DhGroup.MODP_1024)) {
      return DhGroup.MODP_1024; // what Flash uses
    }
    DhGroup best = null;
    for (DhGroup g : offered) {
      if (best == null || g.byteLength() > best.byteLength()) {
        best = g;
      }
    }
    return best;
  }

  private void keyed(Attempt a, DhKeyPair pair, byte[] cert, byte[] skic) {
    if (byId.get(a.id) != a) {
      return; // failed or timed out meanwhile
    }
    a.pair = pair;
    a.certificate = cert;
    a.skic = skic;
    a.state = State.KEYING;
    sendKeying(a, ep.clock.nanoTime());
    ep.flush();
  }

  private void sendKeying(Attempt a, long now) {
    a.lastSentAt = now;
    new IIKeying(a.id, a.cookie, a.certificate, a.skic, SIGNATURE).serialize(ep.beginHandshakePacket(now));
    ep.sendHandshakePacket(0, a.responder);
  }

  void onRedirect(Redirect r, InetSocketAddress from, long now) {
    Attempt a = byTag.get(ByteBuffer.wrap(r.tag()));
    if (a == null || a.state != State.HELLO) {
      throw new WireException(DropCause.UNEXPECTED_CHUNK, "Redirect for no pending IHello");
    }
    if (a.redirects++ >= ep.config.maxRedirects) {
      return;
    }
    // Follow the Redirect: IHello, same tag, to every address offered (RFC 7016 §3.5.1.1.1).
    boolean added = false;
    IHello hello = null;
    for (PeerAddress pa : r.addresses()) {
      InetSocketAddress t = pa.address();
      if (!a.targets.contains(t)) {
        a.targets.add(t);
        added = true;
        if (a.targetPeerId != null) {
          // Only the new addresses now: an IHello again to the introducer would count as a retry.
          hello = hello == null ? new IHello(a.epd, a.tag) : hello;
          hello.serialize(ep.beginHandshakePacket(now));
          ep.sendHandshakePacket(0, t);
        }
      }
    }
    if (added && a.targetPeerId != null) {
      return;
    }
    if (added) {
      // A load-balancing redirector is left behind. (A P2P introducer is kept, above, so that our
      // retransmissions reach it and it can try the target with our other addresses, RTMFP-WIRE §6.3.)
      a.targets.remove(from);
      sendHellos(a, now);
    }
  }

  void onRIKeying(int id, RIKeying rik, InetSocketAddress from, long now) {
    Attempt a = byId.get(id);
    if (a == null || a.state != State.KEYING) {
      throw new WireException(DropCause.UNEXPECTED_CHUNK, "RIKeying for no pending IIKeying");
    }
    if (rik.responderSessionId() == 0) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "responder session id 0");
    }
    KeyingComponents.DhKey responderKey = KeyingComponents.responderKey(rik.skrc());
    if (responderKey.group() != a.pair.group()) {
      throw new WireException(DropCause.BAD_DH_KEY, "responder answered in another DH group");
    }
    a.state = State.FINISHING; // a retransmitted RIKeying is ignored from here on
    try {
      ep.crypto.execute(() -> {
        try {
          byte[] secret = a.pair.sharedSecret(responderKey.publicKey());
          // Initiator: near = SKIC, far = SKRC (RTMFP-WIRE §4.9).
          SessionKeys keys = SessionKeys.derive(secret, a.skic, rik.skrc());
          ep.loop.execute(() -> established(a, rik, keys, from));
        } catch (WireException e) {
          ep.loop.execute(() -> {
            ep.drops.drop(e.dropCause(), ep.clock.nanoTime(), e.getMessage());
            fail(a, "responder's key refused: " + e.getMessage());
          });
        }
      });
    } catch (RejectedExecutionException e) {
      fail(a, "crypto workers saturated");
    }
  }

  /** Back on the loop with the session keys: the session exists from here on. */
  private void established(Attempt a, RIKeying rik, SessionKeys keys, InetSocketAddress from) {
    if (byId.get(a.id) != a) {
      return; // timed out meanwhile
    }
    remove(a);
    Session s = new Session(ep, Session.Role.INITIATOR, a.id, rik.responderSessionId(), from,
        keys.encryptKey(), keys.decryptKey(), Certificates.peerId(a.serverCertificate), ep.clock.nanoTime());
    ep.addSession(s);
    a.listener.onConnected(s);
    ep.flush();
  }

  private void remove(Attempt a) {
    byTag.remove(ByteBuffer.wrap(a.tag));
    byId.remove(a.id);
  }

  private void fail(Attempt a, String reason) {
    remove(a);
    a.listener.onFailed(reason);
  }

  /** Retransmits IHello / IIKeying that got no answer within the retry interval. */
  void retransmit(long now) {
    if (byTag.isEmpty()) {
      return;
    }
    for (Attempt a : new ArrayList<>(byTag.values())) {
      if (now - a.lastSentAt >= ep.config.handshakeRetryNanos) {
        if (a.state == State.HELLO) {
          sendHellos(a, now);
        } else if (a.state == State.KEYING) {
          sendKeying(a, now);
        }
      }
    }
  }

  void tick(long now) {
    if (byTag.isEmpty()) {
      return;
    }
    for (Attempt a : new ArrayList<>(byTag.values())) {
      if (now - a.startedAt >= ep.config.handshakeTimeoutNanos) {
        fail(a, "handshake timed out");
      }
    }
    retransmit(now);
  }

  void failAll(String reason) {
    for (Attempt a : new ArrayList<>(byTag.values())) {
      fail(a, reason);
    }
  }
}
