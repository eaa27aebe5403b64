package io.altocumulus.rtmfp.session;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.crypto.PacketCipher;
import io.altocumulus.rtmfp.crypto.SessionCrypto;
import io.altocumulus.rtmfp.flow.FlowTotals;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.HelloRateLimiter;
import io.altocumulus.rtmfp.handshake.PeerIdentity;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.handshake.ServerKeys;
import io.altocumulus.rtmfp.time.Clock;
import io.altocumulus.rtmfp.util.IntMap;
import io.altocumulus.rtmfp.wire.ChunkIterator;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.PacketCodec;
import io.altocumulus.rtmfp.wire.PacketHeader;
import io.altocumulus.rtmfp.wire.WireException;
import io.altocumulus.rtmfp.wire.chunk.BufferProbe;
import io.altocumulus.rtmfp.wire.chunk.ChunkType;
import io.altocumulus.rtmfp.wire.chunk.FlowExceptionReport;
import io.altocumulus.rtmfp.wire.chunk.ForwardedIHello;
import io.altocumulus.rtmfp.wire.chunk.DataAck;
import io.altocumulus.rtmfp.wire.chunk.IHello;
import io.altocumulus.rtmfp.wire.chunk.IIKeying;
import io.altocumulus.rtmfp.wire.chunk.RHello;
import io.altocumulus.rtmfp.wire.chunk.RIKeying;
import io.altocumulus.rtmfp.wire.chunk.Redirect;
import io.altocumulus.rtmfp.wire.chunk.UserData;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's RTMFP endpoint: its sessions, the responder and initiator halves of the
 * handshake, and the timers. Pure: datagrams come in through {@link #receive}, go out through the
 * {@link PacketSink}, time comes from the injected {@link Clock}, Diffie-Hellman work goes to the
 * {@code crypto} executor and its results come back through {@code loop}. Not thread-safe: every
 * method runs on the owning loop.
 */
public final class RtmfpEndpoint {
  /** Plaintext starts after the 4-byte SSID and the 2-byte checksum (RTMFP-WIRE §2.1). */
  static final int PLAIN_START = 6;
  static final long MANAGE_INTERVAL_NANOS = 1_000_000_000L;

  final Logger log = LoggerFactory.getLogger(RtmfpEndpoint.class);
  final EndpointConfig config;
  final Clock clock;
  final DropCounters drops;
  final SecureRandom random;
  final Executor crypto;
  final Executor loop;
  private final PacketSink sink;
  private final int loopIndex;
  private final int loopCount;

  final IntMap<Session> sessions;
  final byte[] outArray = new byte[2048];
  final ByteBuffer outView = ByteBuffer.wrap(outArray);
  final UserData userData = new UserData();
  final DataAck dataAck = new DataAck();
  final BufferProbe bufferProbe = new BufferProbe();
  final FlowExceptionReport flowException = new FlowExceptionReport();
  private final PacketHeader header = new PacketHeader();
  final ChunkIterator chunks = new ChunkIterator();
  final PacketCipher defaultCipher = PacketCipher.forDefaultKey();
  private byte[] inArray;
  private ByteBuffer inView;

  private final ArrayList<Session> dirty = new ArrayList<>();
  private final ArrayList<Session> active = new ArrayList<>();
  private long lastManageAt;
  private boolean closed;

  private Responder responder;
  /** Per-source-IP limit on session-id-0 datagrams to the responder; null when off. */
  private final HelloRateLimiter helloLimiter;
  private final Initiator initiator;
  /** Client role: the static identity used in every IIKeying and as a P2P responder (null: fresh keys). */
  PeerIdentity peerIdentity;

  private long packetsIn;
  private long packetsOut;
  /** Every send flow's counts, for the node's metrics (single writer: this loop). */
  final FlowTotals flowTotals = new FlowTotals();

  /**
   * @param identity and {@code policy}: the responder side; both null for a client-only endpoint
   * @param loopIndex index of this loop, encoded in the low 8 bits of the session ids it assigns
   */
  public RtmfpEndpoint(EndpointConfig config, Clock clock, PacketSink sink, Executor crypto, Executor loop,
      DropCounters drops, int loopIndex, int loopCount, ServerIdentity identity, ServerKeys serverKeys,
      ResponderPolicy policy) {
    if (loopIndex < 0 || loopIndex > 255 || loopCount < 1 || loopCount > 256) {
      throw new IllegalArgumentException("loop index " + loopIndex + " of " + loopCount);
    }
    this.config = config;
    this.clock = clock;
    this.sink = sink;
    this.crypto = crypto;
    this.loop = loop;
    this.drops = drops;
    this.loopIndex = loopIndex;
    this.loopCount = loopCount;
    this.random = new SecureRandom();
    this.sessions = new IntMap<>(1024);
    this.responder = identity == null ? null : new Responder(this, identity, serverKeys, policy);
    this.helloLimiter = config.helloRatePerSecond > 0
        ? new HelloRateLimiter(config.helloRatePerSecond, config.helloBurst, config.helloRateSlots) : null;
    this.initiator = new Initiator(this);
    this.lastManageAt = clock.nanoTime();
  }

  /** The loop that owns a session id (ids carry it in their low 8 bits, ARCHITECTURE.md). */
  public static int ownerLoop(int sessionId) {
    return sessionId & 0xFF;
  }

  // ---- input ----

  /**
   * Handles one datagram. The bytes in [off, off+len) are decrypted in place. Replies are queued
   * and sent by {@link #flush()}, which the adapter calls once per read batch.
   */
  public void receive(byte[] buf, int off, int len, InetSocketAddress from) {
    long now = clock.nanoTime();
    packetsIn++;
    if (closed) {
      return;
    }
    if (len < PacketCodec.MIN_PACKET) {
      drops.drop(DropCause.TOO_SHORT, now, len + " bytes from " + from);
      return;
    }
    ByteBuffer view = viewOf(buf);
    int end = off + len;
    try {
      int id = PacketCodec.sessionId(buf, off, len);
      Session known = id == 0 ? null : sessions.get(id);
      // Only a session with a negotiated HMAC (RFC 7425 §4.6.4) sends packets that are not 4 bytes
      // plus whole blocks.
      if ((len - 4) % 16 != 0 && (known == null || !known.crypto().negotiation().recvHmac())) {
        drops.drop(DropCause.BAD_LENGTH, now, len + " bytes from " + from);
        return;
      }
      if (id == 0) {
        // Before any crypto: a flooding source costs one table lookup (issue 8, handshake floods).
        if (responder != null && helloLimiter != null && !helloLimiter.tryAcquire(from.getAddress(), now)) {
          drops.drop(DropCause.RATE_LIMITED, now, from.getAddress()); // no string built per dropped datagram
          return;
        }
        PacketCodec.open(buf, off, len, defaultCipher);
        int p = header.parse(buf, off + PLAIN_START, end);
        if (header.mode() != PacketHeader.MODE_STARTUP) {
          throw new WireException(DropCause.BAD_MARKER, "handshake packet with mode " + header.mode());
        }
        handshakeChunks(buf, view, p, end, from, now, 0);
        return;
      }
      Session s = known;
      if (s == null) {
        if (initiator.isPending(id)) {
          PacketCodec.open(buf, off, len, defaultCipher);
          int p = header.parse(buf, off + PLAIN_START, end);
          if (header.mode() != PacketHeader.MODE_STARTUP) {
            throw new WireException(DropCause.BAD_MARKER, "handshake packet with mode " + header.mode());
          }
          handshakeChunks(buf, view, p, end, from, now, id);
          return;
        }
        drops.drop(DropCause.UNKNOWN_SESSION, now, "session id from " + from);
        return;
      }
      SessionCrypto sc = s.crypto();
      sc.open(buf, off, len);
      end = sc.openedEnd();
      int p = header.parse(buf, sc.openedStart(), end);
      int expected = s.role() == Session.Role.RESPONDER ? PacketHeader.MODE_INITIATOR : PacketHeader.MODE_RESPONDER;
      if (header.mode() != expected) {
        throw new WireException(DropCause.BAD_MARKER, "session packet with mode " + header.mode());
      }
      s.onPacket(buf, view, p, end, header, from, now);
    } catch (WireException e) {
      drops.drop(e.dropCause(), now, e.getMessage() + " from " + from);
    }
  }

  private ByteBuffer viewOf(byte[] buf) {
    if (buf != inArray) {
      inArray = buf;
      inView = ByteBuffer.wrap(buf);
    }
    inView.clear();
    return inView;
  }

  /** Chunks of a session-id-0 packet, or of an RIKeying packet addressed to a pending initiator id. */
  private void handshakeChunks(byte[] buf, ByteBuffer view, int p, int end, InetSocketAddress from, long now,
      int initiatorId) {
    ChunkIterator it = chunks.reset(view, p, end);
    while (it.next()) {
      int type = it.type();
      if (initiatorId != 0) {
        if (type != ChunkType.RIKEYING) {
          throw new WireException(DropCause.UNEXPECTED_CHUNK, "chunk 0x" + Integer.toHexString(type) + " to a pending initiator");
        }
        initiator.onRIKeying(initiatorId, RIKeying.parse(view), from, now);
      } else {
        switch (type) {
          case ChunkType.IHELLO -> {
            if (responder == null) {
              throw new WireException(DropCause.UNEXPECTED_CHUNK, "IHello to an endpoint that does not respond");
            }
            responder.onIHello(IHello.parse(view), from, now);
          }
          case ChunkType.IIKEYING -> {
            if (responder == null) {
              throw new WireException(DropCause.UNEXPECTED_CHUNK, "IIKeying to an endpoint that does not respond");
            }
            responder.onIIKeying(IIKeying.parse(view), from, now);
          }
          case ChunkType.RHELLO -> initiator.onRHello(RHello.parse(view), from, now);
          case ChunkType.REDIRECT -> initiator.onRedirect(Redirect.parse(view), from, now);
          default -> throw new WireException(DropCause.UNEXPECTED_CHUNK,
              "chunk 0x" + Integer.toHexString(type) + " in a handshake packet");
        }
      }
    }
  }

  // ---- output ----

  /** Starts a handshake packet (marker 0x0B: startup mode with a timestamp, RTMFP-WIRE §2.5). */
  ByteBuffer beginHandshakePacket(long now) {
    int p = PacketHeader.write(outArray, PLAIN_START, PacketHeader.MODE_STARTUP, Session.timestamp(now), -1);
    outView.limit(outArray.length);
    outView.position(p);
    return outView;
  }

  /** Seals the packet begun by {@link #beginHandshakePacket} with the default key and sends it. */
  void sendHandshakePacket(int sessionId, InetSocketAddress to) {
    seal(outArray, outView.position(), sessionId, defaultCipher, to);
  }

  void seal(byte[] out, int plainEnd, int sessionId, SessionCrypto crypto, InetSocketAddress to) {
    int n = crypto.seal(out, 0, plainEnd, sessionId);
    packetsOut++;
    sink.send(out, 0, n, to);
  }

  void seal(byte[] out, int plainEnd, int sessionId, PacketCipher cipher, InetSocketAddress to) {
    int n = PacketCodec.seal(out, 0, plainEnd, sessionId, cipher);
    packetsOut++;
    sink.send(out, 0, n, to);
  }

  void markDirty(Session s) {
    if (!s.dirty) {
      s.dirty = true;
      dirty.add(s);
    }
  }

  void markActive(Session s) {
    if (!s.inActiveList) {
      s.inActiveList = true;
      active.add(s);
    }
  }

  /** Sends everything the sessions have queued since the last flush; call once per read batch. */
  public void flush() {
    if (dirty.isEmpty()) {
      return;
    }
    long now = clock.nanoTime();
    // Sessions may mark others dirty while flushing: index loop, not iterator.
    try {
      for (int i = 0; i < dirty.size(); i++) {
        Session s = dirty.get(i);
        s.dirty = false;
        try {
          s.flush(now);
        } catch (RuntimeException e) {
          // A bug in one session must not stall the output of every session on this loop.
          log.warn("flush of session {} failed", Integer.toHexString(s.localId()), e);
        }
      }
    } finally {
      dirty.clear();
    }
  }

  // ---- timers ----

  /** Drives retransmission (every call) and housekeeping (about once a second). Then flushes. */
  public void tick() {
    long now = clock.nanoTime();
    for (int i = active.size() - 1; i >= 0; i--) {
      Session s = active.get(i);
      if (!s.onRetransmitTick(now)) {
        s.inActiveList = false;
        int last = active.size() - 1;
        active.set(i, active.get(last));
        active.remove(last);
      }
    }
    if (now - lastManageAt >= MANAGE_INTERVAL_NANOS) {
      lastManageAt = now;
      sessions.forEachValue(s -> s.manage(now));
      if (responder != null) {
        responder.expire(now);
      }
      initiator.tick(now);
    } else {
      initiator.retransmit(now);
    }
    flush();
  }

  // ---- sessions ----

  /** A fresh random session id, unpredictable (RTMFP-WIRE §11 row 15), naming this loop. */
  int newSessionId() {
    while (true) {
      int id = (random.nextInt() & ~0xFF) | loopIndex;
      if (id != 0 && !sessions.containsKey(id) && !initiator.isPending(id)) {
        return id;
      }
    }
  }

  void addSession(Session s) {
    sessions.put(s.localId(), s);
  }

  void removeSession(Session s) {
    s.state = Session.State.CLOSED;
    if (sessions.get(s.localId()) == s) {
      sessions.remove(s.localId());
    }
  }

  public int sessionCount() {
    return sessions.size();
  }

  public void forEachSession(Consumer<Session> action) {
    sessions.forEachValue(action);
  }

  public Session session(int id) {
    return sessions.get(id);
  }

  public int loopIndex() {
    return loopIndex;
  }

  public int loopCount() {
    return loopCount;
  }

  public DropCounters drops() {
    return drops;
  }

  public long packetsIn() {
    return packetsIn;
  }

  public long packetsOut() {
    return packetsOut;
  }

  /** Retransmissions, abandoned fragments, expired media of all this loop's flows (any thread may read). */
  public FlowTotals flowTotals() {
    return flowTotals;
  }

  /** Cookie records kept for proven IIKeyings (bounded, expiring). */
  public int handshakeRecords() {
    return responder == null ? 0 : responder.records();
  }

  /** IHello answers a policy deferred and has not given yet (bounded by maxPendingHellos). */
  public int pendingHellos() {
    return responder == null ? 0 : responder.pendingHellos();
  }

  /**
   * Gives the answer to an IHello the policy deferred ({@link HelloDecision#PENDING}). Call on the
   * loop (from elsewhere use {@link io.altocumulus.rtmfp.handshake.HelloResponder#answer}); releases
   * the pending slot and sends the RHello or Redirect, if any, to {@code to}.
   */
  public void answerHello(byte[] tag, InetSocketAddress to, HelloDecision decision) {
    if (responder != null && !closed) {
      responder.answerDeferred(tag, to, decision);
    }
  }

  /** A forwarded IHello (0x0F) arrived inside {@code session} (RTMFP-WIRE §6.3, target side). */
  void onForwardedIHello(ForwardedIHello f, long now) {
    if (responder == null) {
      throw new WireException(DropCause.UNEXPECTED_CHUNK, "forwarded IHello to an endpoint that does not respond");
    }
    responder.onForwardedIHello(f, now);
  }

  /**
   * Makes a client endpoint a full peer (RTMFP-WIRE §6): every IIKeying it sends carries
   * {@code identity}'s certificate (its peer id), and it answers IHellos and forwarded IHellos as
   * {@code policy} decides, with that certificate and its static key. Call once, on the loop,
   * before connecting.
   */
  public void enablePeerRole(PeerIdentity identity, ResponderPolicy policy) {
    if (responder != null) {
      throw new IllegalStateException("this endpoint already responds");
    }
    this.peerIdentity = identity;
    this.responder = new Responder(this, new ServerIdentity(identity.certificate()),
        ServerKeys.pinned(identity.pair()), policy);
  }

  public PeerIdentity peerIdentity() {
    return peerIdentity;
  }

  /** Handshakes with Diffie-Hellman work queued or running on this loop's behalf. */
  public int handshakesInFlight() {
    return responder == null ? 0 : responder.inFlight();
  }

  // ---- client role ----

  /**
   * Opens a session to {@code server} (initiator role, RFC 7016 §3.5.1): IHello, RHello, IIKeying,
   * RIKeying, following Redirects. {@code group} is the DH group to use if the responder offers it
   * (null: group 2, as Flash does, else the strongest offered).
   */
  public void connect(InetSocketAddress server, EndpointDiscriminator epd, DhGroup group, ConnectListener listener) {
    connect(server, epd, group, true, listener);
  }

  /**
   * Opens a session. With {@code asPeer} (and a peer role enabled) the session presents this
   * endpoint's peer identity, so other peers can reach it through the server (RTMFP-WIRE §6);
   * otherwise it uses a fresh key pair and so its own peer id, as each Flash NetConnection does.
   */
  public void connect(InetSocketAddress server, EndpointDiscriminator epd, DhGroup group, boolean asPeer,
      ConnectListener listener) {
    initiator.start(server, epd, group, asPeer, listener, clock.nanoTime());
    flush();
  }

  /** Outcome of {@link #connect}. */
  public interface ConnectListener {
    void onConnected(Session session);

    void onFailed(String reason);
  }

  // ---- shutdown ----

  /** Clean close: one close request to every session (RTMFP-WIRE §1, CUMULUS-FEATURES §1). */
  public void close() {
    if (closed) {
      return;
    }
    long now = clock.nanoTime();
    sessions.forEachValue(s -> s.shutdown(now));
    closed = true;
    sessions.forEachValue(this::removeSession);
    initiator.failAll("endpoint closed");
  }
}
