package io.altocumulus.rtmfp.session;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.crypto.PacketCipher;
import io.altocumulus.rtmfp.crypto.SessionCrypto;
import io.altocumulus.rtmfp.flow.MessageSink;
import io.altocumulus.rtmfp.flow.RecvFlow;
import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.flow.SessionCongestion;
import io.altocumulus.rtmfp.wire.ChunkIterator;
import io.altocumulus.rtmfp.wire.PacketHeader;
import io.altocumulus.rtmfp.wire.WireException;
import io.altocumulus.rtmfp.wire.chunk.BufferProbe;
import io.altocumulus.rtmfp.wire.chunk.ChunkType;
import io.altocumulus.rtmfp.wire.chunk.DataAck;
import io.altocumulus.rtmfp.wire.chunk.FlowExceptionReport;
import io.altocumulus.rtmfp.wire.chunk.ForwardedIHello;
import io.altocumulus.rtmfp.wire.PeerAddress;
import io.altocumulus.rtmfp.wire.chunk.UserData;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One RTMFP session (RFC 7016 §3.5), either role. All state lives on the owning endpoint's event
 * loop; nothing here locks. Incoming packets arrive already decrypted via {@link #onPacket}; the
 * session answers through {@link #flush}, which builds, seals and sends packets of at most
 * {@link EndpointConfig#packetCap} bytes before padding (RTMFP-WIRE §1).
 */
public final class Session implements MessageSink {
  public enum Role { RESPONDER, INITIATOR }

  enum State { OPEN, CLOSING, CLOSED }

  /** Told, on the session's loop, that a verified address change moved the session (RFC 7016 §3.5.4.2). */
  @FunctionalInterface
  public interface AddressListener {
    void onAddressChanged(Session session, InetSocketAddress previous);
  }

  private static final AddressListener[] NO_LISTENERS = new AddressListener[0];

  /** 4-ms timestamp unit (RFC 7016 §2.2.4, RTMFP-WIRE §2.7). */
  static final long TICK_NANOS = 4_000_000L;
  /** Stop echoing a timestamp this long after it arrived (RTMFP-WIRE §2.7, as the reference). */
  static final long ECHO_WINDOW_NANOS = 128_000_000_000L;
  /** RFC 7016 §3.5.4.2: a mobility check ping starts with this marker byte. */
  static final byte MOBILITY_MARKER = (byte) 0x4D;
  static final int MAX_QUEUED_PING_REPLIES = 4;
  static final int MAX_PACKETS_PER_FLUSH = 64;

  final RtmfpEndpoint endpoint;
  private final Role role;
  private final int localId;
  private final int remoteId;
  private final SessionCrypto crypto;
  private final byte[] peerId;
  private final SessionCongestion congestion;
  /** Volatile: read by other loops (the edge's peer index answers introductions from any loop). */
  private volatile InetSocketAddress address;
  private SessionHandler handler;
  private AddressListener[] addressListeners = NO_LISTENERS;
  private Object attachment;
  volatile State state = State.OPEN; // volatile: isOpen() is asked from other loops (introductions)

  private final HashMap<Long, IncomingFlow> recvFlows = new HashMap<>(4);
  private final ArrayList<IncomingFlow> ackQueue = new ArrayList<>();
  private final ArrayList<SendFlow> sendFlows = new ArrayList<>();
  private final HashMap<Long, SendFlow> sendFlowById = new HashMap<>(4);
  private long nextSendFlowId = 2; // RTMFP-WIRE §7.3: the first server flow is 2
  private int sendCursor;

  private final ArrayDeque<byte[]> pingReplies = new ArrayDeque<>(2);
  private boolean keepalivePingDue;
  private boolean closeRequestDue;
  private boolean closeAckDue;
  // Acks held while the layer above answers a message elsewhere (see holdAcks).
  private int ackHolds;
  private long ackHoldUntil;

  // Timestamps (RTMFP-WIRE §2.7).
  private int lastRecvTimestamp = -1;
  private long lastRecvTimestampAt;
  private int lastEchoSeen = -1;
  private int lastSentTimestamp = -1;
  private long packetsWithoutTimestamp;
  private long lastTimeCriticalAt = Long.MIN_VALUE / 2;

  // Liveness.
  long lastReceivedAt;
  long lastSentAt;
  private long lastPingAt;
  private int unansweredPings;
  private long keepaliveNanos;
  private long lastManageAt;

  // Retransmission timeouts in a row without ack progress (the timer lives in SessionCongestion).
  private int consecutiveTimeouts;
  boolean inActiveList;
  boolean dirty;

  // Address change verification (RFC 7016 §3.5.4.2).
  private InetSocketAddress pendingAddress;
  private byte[] mobilityBody;
  private long mobilitySentAt = Long.MIN_VALUE / 2;

  // Closing.
  private int closeRequestsSent;
  private long lastCloseRequestAt;
  private String closeReason;

  Session(RtmfpEndpoint endpoint, Role role, int localId, int remoteId, InetSocketAddress address,
      byte[] encryptKey, byte[] decryptKey, byte[] peerId, long now) {
    this(endpoint, role, localId, remoteId, address, new SessionCrypto(encryptKey, decryptKey), peerId, now);
  }

  Session(RtmfpEndpoint endpoint, Role role, int localId, int remoteId, InetSocketAddress address,
      SessionCrypto crypto, byte[] peerId, long now) {
    this.endpoint = endpoint;
    this.role = role;
    this.localId = localId;
    this.remoteId = remoteId;
    this.address = address;
    this.crypto = crypto;
    this.peerId = peerId;
    this.congestion = new SessionCongestion(endpoint.config.packetCap);
    this.lastReceivedAt = now;
    this.lastSentAt = now;
    this.lastPingAt = now;
    this.lastManageAt = now;
    this.keepaliveNanos = endpoint.config.keepAliveServerSeconds * 1_000_000_000L;
  }

  // ---- public API for the layer above ----

  public Role role() {
    return role;
  }

  public int localId() {
    return localId;
  }

  public int remoteId() {
    return remoteId;
  }

  public InetSocketAddress address() {
    return address;
  }

  /** SHA-256 of the far end's certificate (RTMFP-WIRE §6.1), or null if unknown. */
  public byte[] peerId() {
    return peerId;
  }

  /** Index of the event loop that owns this session. */
  public int loopIndex() {
    return endpoint.loopIndex();
  }

  /** Runs a task on this session's loop (then flushes what it queued): the way in from other loops. */
  public java.util.concurrent.Executor loop() {
    return endpoint.loop;
  }

  /** The owning endpoint's clock, in nanoseconds. */
  public long now() {
    return endpoint.clock.nanoTime();
  }

  public SessionHandler handler() {
    return handler;
  }

  public void setHandler(SessionHandler handler) {
    this.handler = handler;
  }

  /** On the loop: {@code l} hears of every move of this session to a new address. */
  public void addAddressListener(AddressListener l) {
    AddressListener[] a = Arrays.copyOf(addressListeners, addressListeners.length + 1);
    a[a.length - 1] = l;
    addressListeners = a;
  }

  public Object attachment() {
    return attachment;
  }

  public void attach(Object attachment) {
    this.attachment = attachment;
  }

  public boolean isOpen() {
    return state == State.OPEN;
  }

  /** When the last packet from the peer arrived, on {@link #now()}'s clock (Lua client.elapsedFromReception). */
  public long lastReceivedNanos() {
    return lastReceivedAt;
  }

  /** Smoothed RTT in ms from the timestamp echo, 0 before the first sample. */
  public long rttMillis() {
    return Math.max(0, congestion.srttNanos()) / 1_000_000L;
  }

  /** Packets received without the optional timestamp field (REAL-CLIENTS.md §1). */
  public long packetsWithoutTimestamp() {
    return packetsWithoutTimestamp;
  }

  public SessionCongestion congestion() {
    return congestion;
  }

  /** How often this side pings when idle (client role; set from the server's Set Keepalive). */
  public void setKeepalivePeriodMillis(long ms) {
    this.keepaliveNanos = Math.max(5_000L, ms) * 1_000_000L;
  }

  /** Opens a flow toward the peer with Flash metadata, as a return flow of {@code associatedFlowId} (or -1). */
  public SendFlow openFlow(byte[] metadata, long associatedFlowId) {
    long id = nextSendFlowId++;
    SendFlow f = new SendFlow(id, metadata, associatedFlowId, endpoint.flowTotals);
    sendFlows.add(f);
    sendFlowById.put(id, f);
    return f;
  }

  /** Queues a message on a flow and schedules a flush at the end of this loop turn. */
  public void write(SendFlow flow, byte[] message, boolean reliable) {
    if (state != State.OPEN) {
      return;
    }
    flow.write(message, reliable);
    endpoint.markDirty(this);
  }

  /**
   * Queues a message made of a per-flow header and a body that may be shared by many flows (neither
   * is copied before the packet is built: encode once, encrypt per session). Abandoned instead of
   * (re)sent once {@code deadlineNanos} (this endpoint's clock; Long.MAX_VALUE = none) has passed.
   * Returns false if the flow's queue limit refused it.
   */
  public boolean write(SendFlow flow, byte[] header, byte[] body, boolean reliable, long deadlineNanos) {
    if (state != State.OPEN) {
      return false;
    }
    boolean queued = flow.write(header, body, reliable, deadlineNanos);
    endpoint.markDirty(this);
    return queued;
  }

  /** Ends our side of a flow (FIN, RTMFP-WIRE §7.6). */
  public void closeFlow(SendFlow flow) {
    flow.close();
    endpoint.markDirty(this);
  }

  /**
   * Sends the far end a forwarded IHello (chunk 0x0F, RFC 7016 §2.3.3, RTMFP-WIRE §6.3): the
   * initiator at {@code replyAddress} wants a session with the peer named by {@code epd} (the
   * encoded discriminator, without its length prefix). Sent at the next flush; at most
   * {@code maxQueuedForwardedHellos} wait, the excess is dropped (the initiator retries).
   * Call on this session's loop.
   */
  public boolean forwardIHello(byte[] epd, PeerAddress replyAddress, byte[] tag) {
    if (state != State.OPEN || forwardedHellos.size() >= endpoint.config.maxQueuedForwardedHellos) {
      return false;
    }
    ForwardedIHello f = new ForwardedIHello(epd, replyAddress, tag);
    if (f.encodedSize() > endpoint.config.packetCap - RtmfpEndpoint.PLAIN_START - 8) {
      return false;
    }
    forwardedHellos.add(f);
    endpoint.markDirty(this);
    return true;
  }

  private final ArrayDeque<ForwardedIHello> forwardedHellos = new ArrayDeque<>(0);

  /**
   * Holds back packets that would carry only acknowledgements, for at most {@code maxNanos}, until
   * {@link #releaseAcks()}: when a message's answer comes from another thread (an application on
   * its own executor), the ack then rides in the answer's packet instead of a datagram of its own.
   * RFC 7016 §3.6.3.4.6 lets a receiver delay acks (up to 200 ms); data we send still carries them.
   */
  public void holdAcks(long maxNanos) {
    if (state != State.OPEN) {
      return;
    }
    ackHolds++;
    ackHoldUntil = endpoint.clock.nanoTime() + maxNanos;
    endpoint.markActive(this);
  }

  /** Ends one {@link #holdAcks} (call on the session's loop, once per hold). */
  public void releaseAcks() {
    if (ackHolds > 0) {
      ackHolds--;
      endpoint.markDirty(this);
    }
  }

  /** Closes the session from our side: close request 0x0C, repeated until acknowledged (RFC 7016 §3.5.5). */
  public void close(String reason) {
    if (state != State.OPEN) {
      return;
    }
    state = State.CLOSING;
    closeReason = reason;
    closeRequestDue = true;
    closeRequestsSent = 0;
    endpoint.markDirty(this);
    notifyClosed(reason);
  }

  // ---- receive path ----

  /**
   * Handles one authenticated packet. {@code view} wraps {@code buf}; chunks lie in
   * [chunksStart, end). Runs on the loop.
   */
  void onPacket(byte[] buf, ByteBuffer view, int chunksStart, int end, PacketHeader header,
      InetSocketAddress from, long now) {
    lastReceivedAt = now;
    unansweredPings = 0;
    congestion.onPacketReceived();
    if (header.hasTimestamp()) {
      lastRecvTimestamp = header.timestamp();
      lastRecvTimestampAt = now;
    } else {
      packetsWithoutTimestamp++;
    }
    if ((header.flags() & PacketHeader.FLAG_TC) != 0) {
      lastTimeCriticalAt = now;
    }
    if (header.hasTimestampEcho()) {
      int echo = header.timestampEcho();
      if (echo != lastEchoSeen) {
        lastEchoSeen = echo;
        long ticks = (timestamp(now) - echo) & 0xFFFF;
        if (ticks * TICK_NANOS < 30_000_000_000L) {
          // RFC 7016 §3.5.2.2: RTT from the echo, at 4-ms resolution (never 0).
          congestion.onRttSample(Math.max(1, ticks) * TICK_NANOS);
        }
      }
    }
    if (state != State.CLOSED && !from.equals(address)) {
      verifyNewAddress(from, now);
    }
    long inFlightBefore = congestion.bytesInFlight();
    UserData ud = endpoint.userData;
    ud.reset();
    boolean lastWasUserData = false;
    ChunkIterator chunks = endpoint.chunks.reset(view, chunksStart, end);
    try {
      while (chunks.next()) {
        int type = chunks.type();
        if (state == State.CLOSED && type != ChunkType.SESSION_CLOSE_REQUEST && type != ChunkType.SESSION_CLOSE_ACK) {
          continue; // a closed session only answers a repeated close request (its ack was lost)
        }
        int cstart = chunks.payloadOffset();
        int clen = chunks.payloadLength();
        boolean isUserData = false;
        switch (type) {
          case ChunkType.USER_DATA -> {
            ud.parse(view);
            onUserData(ud, buf, now);
            isUserData = true;
          }
          case ChunkType.NEXT_USER_DATA -> {
            if (!lastWasUserData) {
              throw new WireException(DropCause.MALFORMED_CHUNK, "next user data without user data");
            }
            ud.parseNext(view);
            onUserData(ud, buf, now);
            isUserData = true;
          }
          case ChunkType.DATA_ACK_RANGES -> {
            DataAck ack = endpoint.dataAck;
            ack.parseRanges(view);
            onAck(ack, now);
          }
          case ChunkType.DATA_ACK_BITMAP -> {
            DataAck ack = endpoint.dataAck;
            ack.parseBitmap(view);
            onAck(ack, now);
          }
          case ChunkType.PING -> onPing(buf, cstart, clen);
          case ChunkType.PING_REPLY -> onPingReply(buf, cstart, clen, from, now);
          case ChunkType.BUFFER_PROBE -> {
            BufferProbe probe = endpoint.bufferProbe;
            probe.parse(view);
            IncomingFlow f = recvFlows.get(probe.flowId());
            if (f != null) {
              f.flow.onBufferProbe();
              queueAck(f);
            }
          }
          case ChunkType.FLOW_EXCEPTION_REPORT -> {
            FlowExceptionReport r = endpoint.flowException;
            r.parse(view);
            SendFlow f = sendFlowById.get(r.flowId());
            if (f != null) {
              f.onExceptionReport(r.exceptionCode(), congestion);
              if (handler != null) {
                try {
                  handler.onFlowRejected(this, r.flowId(), r.exceptionCode());
                } catch (RuntimeException e) {
                  endpoint.log.warn("session handler failed in onFlowRejected", e);
                }
              }
            }
          }
          case ChunkType.SESSION_CLOSE_REQUEST -> onCloseRequest();
          case ChunkType.SESSION_CLOSE_ACK -> onCloseAck();
          case ChunkType.FORWARDED_IHELLO -> {
            // Only the far end we initiated to (the server) introduces peers (RTMFP-WIRE §6.3).
            if (role == Role.INITIATOR) {
              endpoint.onForwardedIHello(ForwardedIHello.parse(view), now);
            }
          }
          default -> {
            // ECN reports (0xEC) and unknown chunk types are skipped (REAL-CLIENTS.md §9).
          }
        }
        lastWasUserData = isUserData;
      }
    } catch (WireException e) {
      endpoint.drops.drop(e.dropCause(), now, e.getMessage());
    }
    if (congestion.bytesInFlight() < inFlightBefore) {
      consecutiveTimeouts = 0; // ack progress (the timer itself restarts inside SessionCongestion)
    }
    endpoint.markDirty(this);
  }

  private void onUserData(UserData ud, byte[] buf, long now) {
    long flowId = ud.flowId();
    IncomingFlow f = recvFlows.get(flowId);
    if (f == null) {
      if (ud.metadata() == null) {
        // RFC 7016 §3.6.3.1: data for a flow we do not know and cannot open is refused.
        queueException(flowId);
        throw new WireException(DropCause.UNKNOWN_FLOW, "user data for unknown flow " + flowId);
      }
      if (recvFlows.size() >= endpoint.config.maxFlowsPerSession) {
        queueException(flowId);
        throw new WireException(DropCause.LIMIT_EXCEEDED, "too many flows in one session");
      }
      RecvFlow flow = new RecvFlow(flowId, ud.metadata(), ud.associatedFlowId(), endpoint.config.recvLimits);
      f = new IncomingFlow(flow);
      recvFlows.put(flowId, f);
      FlowHandler h = null;
      if (handler != null) {
        try {
          h = handler.onFlowOpened(this, flow);
        } catch (RuntimeException e) {
          endpoint.log.warn("session handler failed in onFlowOpened", e);
        }
      }
      if (h == null) {
        f.rejected = true;
        f.finishedAt = now; // forgotten after the linger, so refused flows do not pin the flow limit
        queueException(flowId);
      }
      f.handler = h;
    }
    if (f.rejected) {
      queueException(flowId);
      return;
    }
    f.flow.onFragment(ud.flags(), ud.sequenceNumber(), ud.fsnOffset(), buf, ud.dataOffset(), ud.dataLength(), this);
    queueAck(f);
  }

  private void queueAck(IncomingFlow f) {
    if (!f.ackQueued) {
      f.ackQueued = true;
      ackQueue.add(f);
    }
  }

  private final ArrayList<Long> exceptionQueue = new ArrayList<>(0);

  private void queueException(long flowId) {
    if (exceptionQueue.size() < 16 && !exceptionQueue.contains(flowId)) {
      exceptionQueue.add(flowId);
    }
  }

  @Override
  public void onMessage(RecvFlow flow, byte[] buf, int off, int len) {
    IncomingFlow f = recvFlows.get(flow.flowId());
    if (f != null && f.handler != null && state == State.OPEN) {
      try {
        f.handler.onMessage(flow, buf, off, len);
      } catch (WireException e) {
        // A message the layer above cannot parse: counted; the flow goes on.
        endpoint.drops.drop(e.dropCause(), endpoint.clock.nanoTime(), e.getMessage());
      } catch (RuntimeException e) {
        // A bug above the session must not take the loop down; the session goes on.
        endpoint.log.warn("flow handler failed on flow {}", flow.flowId(), e);
      }
    }
  }

  @Override
  public void onFinished(RecvFlow flow) {
    IncomingFlow f = recvFlows.get(flow.flowId());
    if (f != null) {
      f.finishedAt = endpoint.clock.nanoTime();
      if (f.handler != null && state == State.OPEN) {
        try {
          f.handler.onFinished(flow);
        } catch (RuntimeException e) {
          endpoint.log.warn("flow handler failed in onFinished", e);
        }
      }
    }
  }

  private void onAck(DataAck ack, long now) {
    SendFlow f = sendFlowById.get(ack.flowId());
    if (f != null) {
      f.onAck(ack, now, congestion);
    }
  }

  private void onPing(byte[] buf, int off, int len) {
    // RFC 7016 §2.3.9: the reply echoes the ping's body (Cumulus sends it empty: §11 row 7).
    // A body too big to fit in one of our packets gets no reply (it would block the queue).
    if (len > endpoint.config.packetCap - RtmfpEndpoint.PLAIN_START - 5 - 3) {
      return;
    }
    if (pingReplies.size() < MAX_QUEUED_PING_REPLIES) {
      pingReplies.add(Arrays.copyOfRange(buf, off, off + len));
    }
  }

  private void onPingReply(byte[] buf, int off, int len, InetSocketAddress from, long now) {
    if (pendingAddress != null && from.equals(pendingAddress) && mobilityBody != null
        && len == mobilityBody.length && Arrays.equals(buf, off, off + len, mobilityBody, 0, len)) {
      // Address verified: the session moves (RFC 7016 §3.5.4.2).
      InetSocketAddress previous = address;
      address = pendingAddress;
      pendingAddress = null;
      mobilityBody = null;
      for (AddressListener l : addressListeners) {
        try {
          l.onAddressChanged(this, previous);
        } catch (RuntimeException e) {
          endpoint.log.warn("address listener failed", e);
        }
      }
    }
  }

  private void verifyNewAddress(InetSocketAddress from, long now) {
    // At most one mobility check a second per session, whatever the address: a replayed packet
    // sent from many spoofed sources must not make us ping each of them (RFC 7016 §3.5.4.2).
    if (now - mobilitySentAt < 1_000_000_000L) {
      return;
    }
    pendingAddress = from;
    mobilityBody = new byte[9];
    endpoint.random.nextBytes(mobilityBody);
    mobilityBody[0] = MOBILITY_MARKER;
    mobilitySentAt = now;
    sendMobilityCheck(now);
  }

  private void onCloseRequest() {
    // RFC 7016 §3.5.5.2: answer with a close acknowledgement and end the session.
    closeAckDue = true;
    if (state == State.OPEN) {
      state = State.CLOSED;
      notifyClosed("closed by peer");
    } else if (state == State.CLOSING) {
      state = State.CLOSED; // both sides closed at once: our ack ends it, no more requests
    }
    endpoint.markDirty(this);
  }

  private void onCloseAck() {
    if (state != State.CLOSED) {
      state = State.CLOSED;
      notifyClosed("closed");
    }
    endpoint.removeSession(this);
  }

  private void notifyClosed(String reason) {
    if (endpoint.log.isDebugEnabled()) {
      endpoint.log.debug("session {} with {} closed: {}", Integer.toHexString(localId), address, reason);
    }
    SessionHandler h = handler;
    if (h != null && closeReason == null) {
      closeReason = reason;
    }
    if (h != null) {
      handler = null;
      try {
        h.onClosed(this, reason);
      } catch (RuntimeException e) {
        endpoint.log.warn("session close handler failed", e);
      }
    }
  }

  // ---- send path ----

  static int timestamp(long now) {
    return (int) ((now / TICK_NANOS) & 0xFFFF);
  }

  private int writeHeader(byte[] out, long now) {
    int flags = (role == Role.RESPONDER ? PacketHeader.MODE_RESPONDER : PacketHeader.MODE_INITIATOR);
    // TCR: we recently received time-critical data (RFC 7016 §2.2.4).
    if (now - lastTimeCriticalAt < 800_000_000L) {
      flags |= PacketHeader.FLAG_TCR;
    }
    int echo = -1;
    if (lastRecvTimestamp >= 0 && now - lastRecvTimestampAt < ECHO_WINDOW_NANOS) {
      echo = (int) ((lastRecvTimestamp + (now - lastRecvTimestampAt) / TICK_NANOS) & 0xFFFF);
    }
    int ts = timestamp(now);
    int sendTs = ts;
    if (endpoint.config.omitUnchangedTimestamp && ts == lastSentTimestamp) {
      sendTs = -1; // as clients that skip an unchanged timestamp (REAL-CLIENTS.md §1)
    }
    lastSentTimestamp = ts;
    return PacketHeader.write(out, RtmfpEndpoint.PLAIN_START, flags, sendTs, echo);
  }

  /** Builds and sends as many packets as there is work for (and the congestion window allows). */
  void flush(long now) {
    if (state == State.CLOSED && !closeAckDue) {
      return;
    }
    byte[] out = endpoint.outArray;
    ByteBuffer view = endpoint.outView;
    int cap = endpoint.config.packetCap;
    for (int n = 0; n < MAX_PACKETS_PER_FLUSH; n++) {
      int start = writeHeader(out, now);
      view.limit(cap);
      view.position(start);
      writeControl(view);
      boolean data = false;
      if (state != State.CLOSED) {
        if (ackHolds == 0 || now - ackHoldUntil >= 0 || hasPendingData(now)) {
          writeAcks(view);
        }
        // RFC 7016 §3.5.2.3: at most a burst of data packets until the peer is heard from again.
        if (state == State.OPEN && congestion.burstAllowed()) {
          int before = view.position();
          writeData(view, now);
          data = view.position() > before;
        }
      }
      if (view.position() == start) {
        break;
      }
      endpoint.seal(out, view.position(), remoteId, crypto, address);
      lastSentAt = now;
      if (data) {
        congestion.onDataPacketSent();
      }
    }
    if (congestion.bytesInFlight() > 0 || hasPendingData(now) || ackHolds > 0) {
      endpoint.markActive(this);
    }
  }

  private void writeControl(ByteBuffer out) {
    if (closeAckDue && out.remaining() >= 3) {
      closeAckDue = false;
      out.put((byte) ChunkType.SESSION_CLOSE_ACK).putShort((short) 0);
    }
    if (closeRequestDue && out.remaining() >= 3) {
      closeRequestDue = false;
      closeRequestsSent++;
      lastCloseRequestAt = endpoint.clock.nanoTime();
      out.put((byte) ChunkType.SESSION_CLOSE_REQUEST).putShort((short) 0);
    }
    while (!pingReplies.isEmpty() && out.remaining() >= 3 + pingReplies.peek().length) {
      byte[] body = pingReplies.poll();
      out.put((byte) ChunkType.PING_REPLY).putShort((short) body.length).put(body);
    }
    while (!forwardedHellos.isEmpty() && out.remaining() >= forwardedHellos.peek().encodedSize()) {
      forwardedHellos.poll().serialize(out);
    }
    if (keepalivePingDue && out.remaining() >= 3) {
      keepalivePingDue = false;
      out.put((byte) ChunkType.PING).putShort((short) 0);
    }
    while (!exceptionQueue.isEmpty()) {
      long flowId = exceptionQueue.get(exceptionQueue.size() - 1);
      if (out.remaining() < FlowExceptionReport.size(flowId, 0)) {
        break;
      }
      FlowExceptionReport.write(out, flowId, 0);
      exceptionQueue.remove(exceptionQueue.size() - 1);
    }
  }

  private void writeAcks(ByteBuffer out) {
    // Acks go first so that a full data queue never starves them (RFC 7016 §3.6.3.4).
    int i = 0;
    while (i < ackQueue.size()) {
      IncomingFlow f = ackQueue.get(i);
      if (!f.flow.ackPending()) {
        f.ackQueued = false;
        i++;
        continue;
      }
      if (out.remaining() < f.flow.ackSize()) {
        break;
      }
      f.flow.writeAck(out);
      f.ackQueued = false;
      i++;
    }
    if (i == ackQueue.size()) {
      ackQueue.clear();
    } else if (i > 0) {
      ackQueue.subList(0, i).clear();
    }
  }

  private void writeData(ByteBuffer out, long now) {
    int count = sendFlows.size();
    if (count == 0) {
      return;
    }
    SendFlow previous = null;
    // Round robin over flows with work, starting after the one served first last time.
    for (int k = 0; k < count && out.remaining() > 16; k++) {
      int idx = (sendCursor + k) % count;
      SendFlow f = sendFlows.get(idx);
      if (!f.hasWork(now)) {
        continue;
      }
      int written = f.fill(out, out.remaining(), now, congestion, previous == f);
      if (written > 0) {
        previous = f;
      }
    }
    sendCursor = (sendCursor + 1) % Math.max(1, count);
  }

  private boolean hasPendingData(long now) {
    for (int i = 0; i < sendFlows.size(); i++) {
      if (sendFlows.get(i).hasWork(now)) {
        return true;
      }
    }
    return false;
  }

  private void sendMobilityCheck(long now) {
    byte[] out = endpoint.outArray;
    ByteBuffer view = endpoint.outView;
    int start = writeHeader(out, now);
    view.limit(endpoint.config.packetCap);
    view.position(start);
    view.put((byte) ChunkType.PING).putShort((short) mobilityBody.length).put(mobilityBody);
    endpoint.seal(out, view.position(), remoteId, crypto, pendingAddress);
  }

  // ---- timers ----

  /**
   * Retransmission timer, driven every endpoint tick for sessions with data in flight: when
   * nothing was acknowledged for ERTO, everything in flight is presumed lost (RFC 7016 §3.5.2).
   * Returns true while the session still needs the fast tick.
   */
  boolean onRetransmitTick(long now) {
    if (state != State.OPEN) {
      return false;
    }
    if (ackHolds > 0 && now - ackHoldUntil >= 0) {
      ackHolds = 0; // the answer is late: the held acks go now
      endpoint.markDirty(this);
    }
    if (congestion.bytesInFlight() == 0) {
      return hasPendingData(now) || ackHolds > 0;
    }
    if (congestion.timeoutDue(now)) {
      congestion.onTimeout(now);
      for (int i = 0; i < sendFlows.size(); i++) {
        sendFlows.get(i).onRetransmitTimeout(now);
      }
      consecutiveTimeouts++;
      endpoint.markDirty(this);
    }
    return true;
  }

  /** Housekeeping about once a second: keepalive, idle timeout, closing, flow cleanup. */
  void manage(long now) {
    EndpointConfig cfg = endpoint.config;
    if (state == State.CLOSING) {
      if (closeRequestsSent >= cfg.closeRequestAttempts) {
        state = State.CLOSED;
        endpoint.removeSession(this);
      } else if (now - lastCloseRequestAt >= cfg.closeRequestIntervalNanos) {
        closeRequestDue = true;
        endpoint.markDirty(this);
      }
      return;
    }
    if (state == State.CLOSED) {
      if (now - lastReceivedAt > cfg.closedLingerNanos) {
        endpoint.removeSession(this);
      }
      return;
    }
    long silence = now - lastReceivedAt;
    if (now - Math.max(lastReceivedAt, lastSentAt) >= cfg.cipherReleaseAfterNanos) {
      // A quiet session gives back its JDK cipher objects; the next packet rebuilds them.
      crypto.release();
    }
    if (silence >= cfg.idleTimeoutNanos() || consecutiveTimeouts >= cfg.maxConsecutiveTimeouts) {
      close(silence >= cfg.idleTimeoutNanos() ? "idle timeout" : "retransmission timeout");
      return;
    }
    boolean probe = role == Role.INITIATOR
        ? now - lastPingAt >= keepaliveNanos && now - lastSentAt >= keepaliveNanos / 2
        : silence >= cfg.probeAfterNanos() && now - lastPingAt >= cfg.probeIntervalNanos();
    if (probe) {
      keepalivePingDue = true;
      lastPingAt = now;
      unansweredPings++;
      endpoint.markDirty(this);
    }
    // Drop incoming flows that finished long enough ago that the peer has our final ack.
    if (!recvFlows.isEmpty()) {
      Iterator<Map.Entry<Long, IncomingFlow>> it = recvFlows.entrySet().iterator();
      while (it.hasNext()) {
        IncomingFlow f = it.next().getValue();
        if (f.finishedAt != 0 && now - f.finishedAt > cfg.finishedFlowLingerNanos) {
          it.remove();
        }
      }
    }
    for (int i = sendFlows.size() - 1; i >= 0; i--) {
      SendFlow f = sendFlows.get(i);
      if (f.finished()) {
        sendFlows.remove(i);
        sendFlowById.remove(f.flowId());
      }
    }
    if (now - lastManageAt >= 2_000_000_000L) {
      lastManageAt = now;
      if (handler != null) {
        try {
          handler.onManage(this);
        } catch (RuntimeException e) {
          endpoint.log.warn("session handler failed in onManage", e);
        }
      }
    }
  }

  /** Endpoint shutdown: one close request now, then forget the session (RTMFP-WIRE §1 shutdown). */
  void shutdown(long now) {
    if (state == State.OPEN) {
      state = State.CLOSING;
      closeRequestDue = true;
      notifyClosed("server shutdown");
    }
    flush(now);
    state = State.CLOSED;
  }

  int unansweredPings() {
    return unansweredPings;
  }

  PacketCipher encryptCipher() {
    return crypto.encryptCipher();
  }

  PacketCipher decryptCipher() {
    return crypto.decryptCipher();
  }

  SessionCrypto crypto() {
    return crypto;
  }

  int recvFlowCount() {
    return recvFlows.size();
  }

  /** An incoming flow and the handler the layer above gave it. */
  private static final class IncomingFlow {
    final RecvFlow flow;
    FlowHandler handler;
    boolean rejected;
    boolean ackQueued;
    long finishedAt;

    IncomingFlow(RecvFlow flow) {
      this.flow = flow;
    }
  }
}
