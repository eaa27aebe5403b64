package io.altocumulus.rtmfp.flow;

import io.altocumulus.rtmfp.wire.chunk.BufferProbe;
import io.altocumulus.rtmfp.wire.chunk.DataAck;
import io.altocumulus.rtmfp.wire.chunk.UserData;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * The sending side of one flow (RFC 7016 §3.6.2, RTMFP-WIRE §7.6): queues messages, cuts them
 * into fragments as packet space and the session's congestion window allow, tracks fragments in
 * flight, detects loss from later acknowledgements, retransmits reliable fragments and abandons
 * unreliable ones (moving the forward sequence number so the receiver stops waiting).
 *
 * <p>For media relay (RTMFP-WIRE §8.8) a message may be a small per-flow header followed by a body
 * shared by many flows (neither is copied until the packet is built), may carry a deadline after
 * which it is abandoned rather than sent or retransmitted (partial reliability, RFC 7016
 * §3.6.2.3.2), and the unsent queue may be bounded, refusing (and counting) what doesn't fit.
 */
public final class SendFlow {
  /** Window assumed before the first ack reports one (RFC 7016 leaves it to the sender). */
  static final long INITIAL_RX_WINDOW = 65536;
  /** A message is not cut into a fragment smaller than this unless it is its tail. */
  static final int MIN_FRAGMENT = 64;
  /** RFC 7016 §3.6.2.3: a fragment is lost once fragments sent after it were acked 3 times. */
  static final int NAKS_FOR_LOSS = 3;
  static final long PROBE_MIN_INTERVAL = 1_000_000_000L;
  static final long PROBE_MAX_INTERVAL = 60_000_000_000L;

  /** A queued message: {@code head} (may be null) then {@code body}, read as one byte run. */
  private static final class Message {
    final byte[] head;
    final byte[] body;
    final int length;
    final boolean reliable;
    final long deadline;
    int sent;
    boolean abandoned;

    Message(byte[] head, byte[] body, boolean reliable, long deadline) {
      this.head = head;
      this.body = body;
      this.length = (head == null ? 0 : head.length) + body.length;
      this.reliable = reliable;
      this.deadline = deadline;
    }
  }

  private static final class Fragment {
    long seq;
    int flags;
    /** Bytes {@code [off, off+len)} of head followed by body; both null once acked or abandoned. */
    byte[] head;
    byte[] body;
    int off;
    int len;
    Message msg;
    boolean reliable;
    long deadline;
    boolean inFlight;
    boolean retransmit;
    boolean acked;
    boolean abandoned;
    long tsn;
    int naks;
    int wireSize;
  }

  private final long flowId;
  private final byte[] metadata;
  private final long associatedFlowId;

  private final ArrayDeque<Message> queue = new ArrayDeque<>(4);
  /** Fragments sent and not yet acknowledged at the head, in sequence order. */
  private final ArrayDeque<Fragment> sent = new ArrayDeque<>(4);
  private final ArrayDeque<Fragment> pool = new ArrayDeque<>(4);

  private long nextSeq = 1;
  /** Transmission sequence: orders every send, retransmissions included, for loss detection. */
  private long nextTsn = 1;
  private long bytesQueued;
  private long flowInFlight;
  private int retransmitCount;
  private long rxWindow = INITIAL_RX_WINDOW;

  private boolean gotAck;
  private boolean closing;
  private boolean finCreated;
  private boolean silentClose;
  private boolean rejected;

  private boolean zeroWindow;
  private long nextProbeAt;
  private long probeInterval;

  private long lastChunkSeq = -1;
  private long lastChunkFsn;

  private long bytesSent;
  private long fragmentsSent;
  private long retransmittedFragments;
  private long abandonedFragments;
  private long expiredMessages;
  private long droppedMessages;
  /** The endpoint's totals, counted beside this flow's own (see {@link FlowTotals}). */
  private final FlowTotals totals;

  /** Bound on unsent bytes, 0 for none. */
  private long queueLimit;
  /**
   * No deadline of a queued message or unfinished fragment is below this: the expiry scan runs
   * only when {@code now} reaches it, so flows without deadlines never scan.
   */
  private long nextExpiry = Long.MAX_VALUE;

  public SendFlow(long flowId, byte[] metadata, long associatedFlowId) {
    this(flowId, metadata, associatedFlowId, new FlowTotals());
  }

  /** A flow that also counts into {@code totals} (its endpoint's, on the same loop). */
  public SendFlow(long flowId, byte[] metadata, long associatedFlowId, FlowTotals totals) {
    this.flowId = flowId;
    this.metadata = metadata;
    this.associatedFlowId = associatedFlowId;
    this.totals = Objects.requireNonNull(totals, "totals");
  }

  public long flowId() {
    return flowId;
  }

  /** Unsent message bytes. */
  public long bytesQueued() {
    return bytesQueued;
  }

  /** Unsent message bytes (bytes in flight excluded): what {@link #setQueueLimit} bounds. */
  public long queuedBytes() {
    return bytesQueued;
  }

  /**
   * Bounds the unsent bytes: a {@code write} that would take {@link #queuedBytes()} above
   * {@code bytes} is refused and counted in {@link #droppedMessages()}. 0 (the default) = unbounded.
   * Lowering the limit drops nothing already queued.
   */
  public void setQueueLimit(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("queue limit " + bytes);
    }
    queueLimit = bytes;
  }

  public long queueLimit() {
    return queueLimit;
  }

  /** Messages (or their unsent rest) taken out of the queue because their deadline passed. */
  public long expiredMessages() {
    return expiredMessages;
  }

  /** Messages refused by the queue limit, plus those dropped by {@link #abandonQueued()}. */
  public long droppedMessages() {
    return droppedMessages;
  }

  /** Bytes of chunks written, retransmissions included. */
  public long bytesSent() {
    return bytesSent;
  }

  public long fragmentsSent() {
    return fragmentsSent;
  }

  public long retransmittedFragments() {
    return retransmittedFragments;
  }

  public long abandonedFragments() {
    return abandonedFragments;
  }

  /** Receive window the peer last advertised, in bytes. */
  public long receiveWindow() {
    return rxWindow;
  }

  /** True once the peer has acknowledged something: options are no longer sent. */
  public boolean acknowledged() {
    return gotAck;
  }

  /**
   * Queues a message. The array is owned from now on and never modified, so the same array may be
   * queued on several flows. Unreliable messages are sent once and abandoned if lost. Same as
   * {@code write(null, message, reliable, Long.MAX_VALUE)}.
   */
  public boolean write(byte[] message, boolean reliable) {
    return write(null, message, reliable, Long.MAX_VALUE);
  }

  /**
   * Queues the message {@code header} (null or empty for none) followed by {@code body}. Neither
   * array is copied or modified, ever: the same body may be queued on many flows; bytes are copied
   * only into the packets {@link #fill} builds, fragments cut across the two as if they were one.
   * The flow keeps both arrays until the message is acknowledged or abandoned.
   *
   * @param deadlineNanos absolute time (the clock of {@code now} in {@link #fill}) after which the
   *     message is abandoned instead of sent or retransmitted; {@code Long.MAX_VALUE} for none
   * @return false if refused: the flow is closing or rejected (not counted), or the queue limit
   *     would be exceeded (counted in {@link #droppedMessages()})
   */
  public boolean write(byte[] header, byte[] body, boolean reliable, long deadlineNanos) {
    Objects.requireNonNull(body, "body");
    if (closing || rejected) {
      return false;
    }
    Message m = new Message(header != null && header.length == 0 ? null : header, body, reliable,
        deadlineNanos);
    if (queueLimit > 0 && bytesQueued + m.length > queueLimit) {
      droppedMessages++;
      totals.droppedMessages++;
      return false;
    }
    queue.add(m);
    bytesQueued += m.length;
    nextExpiry = Math.min(nextExpiry, deadlineNanos);
    return true;
  }

  /**
   * Drops every unsent message (counted in {@link #droppedMessages()}) and abandons every data
   * fragment not yet acknowledged, so the forward sequence number moves past them (e.g. a player
   * is reset). A pending FIN is kept; the flow stays usable.
   */
  public void abandonQueued() {
    for (Message m : queue) {
      m.abandoned = true;
      droppedMessages++;
      totals.droppedMessages++;
    }
    queue.clear();
    bytesQueued = 0;
    for (Fragment f : sent) {
      if (!f.acked && !f.abandoned && f.msg != null) {
        abandonAndAnnounce(f);
      }
    }
  }

  /**
   * Ends the flow: the last queued fragment carries FIN, or an empty ABN|FIN fragment is sent. A
   * flow that never sent or queued anything closes silently (RTMFP-WIRE §7.6).
   */
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    if (nextSeq == 1 && queue.isEmpty()) {
      silentClose = true;
    }
  }

  /** FIN sent and acknowledged, closed silently, or rejected by the peer. */
  public boolean finished() {
    return rejected || silentClose || (finCreated && sent.isEmpty() && queue.isEmpty());
  }

  public boolean rejected() {
    return rejected;
  }

  private boolean finPending() {
    return closing && !silentClose && !finCreated && queue.isEmpty();
  }

  private boolean newDataAllowed() {
    return !queue.isEmpty() && flowInFlight < rxWindow;
  }

  /** New data the window allows, fragments to retransmit, a pending FIN, or a buffer probe due. */
  public boolean hasWork(long now) {
    if (rejected || silentClose) {
      return false;
    }
    expire(now);
    return retransmitCount > 0 || newDataAllowed() || finPending()
        || (zeroWindow && now >= nextProbeAt);
  }

  /**
   * Appends fragment chunks (retransmissions first) while they fit in {@code room} bytes and the
   * congestion window allows, then a buffer probe if one is due. {@code continuing} says the
   * packet's previous chunk is this flow's, so a 0x11 may follow it (RTMFP-WIRE §7.6).
   *
   * @return bytes written
   */
  public int fill(ByteBuffer out, int room, long now, SessionCongestion cc, boolean continuing) {
    if (rejected || silentClose) {
      return 0;
    }
    expire(now);
    int used = 0;
    boolean cont = continuing;
    while (cc.canSend(0)) {
      Fragment f = retransmitCount > 0 ? firstToRetransmit() : null;
      if (f != null) {
        int w = send(out, f, room - used, cont, now, cc);
        if (w < 0) {
          break;
        }
        f.retransmit = false;
        retransmitCount--;
        retransmittedFragments++;
        totals.retransmittedFragments++;
        used += w;
        cont = true;
        continue;
      }
      if (newDataAllowed()) {
        Message m = queue.peekFirst();
        int remaining = m.length - m.sent;
        if (m.abandoned) {
          // Part of it was abandoned: the rest can't make a message any more.
          queue.pollFirst();
          bytesQueued -= remaining;
          continue;
        }
        long seq = nextSeq;
        long fsn = currentFsn(seq);
        int header = headerSize(seq, fsn, cont);
        int avail = room - used - header;
        if (avail < 0 || (avail == 0 && remaining > 0)
            || (avail < remaining && avail < MIN_FRAGMENT)) {
          break;
        }
        int n = Math.min(avail, remaining);
        boolean first = m.sent == 0;
        boolean last = n == remaining;
        int flags = first ? (last ? UserData.WHOLE : UserData.BEGIN)
            : (last ? UserData.END : UserData.MIDDLE);
        if (last && closing && queue.size() == 1) {
          flags |= UserData.FIN;
          finCreated = true;
        }
        Fragment nf = newFragment(seq, flags, m.head, m.body, m.sent, n, m);
        m.sent += n;
        bytesQueued -= n;
        if (last) {
          queue.pollFirst();
        }
        nextSeq++;
        sent.addLast(nf);
        used += send(out, nf, room - used, cont, now, cc);
        cont = true;
        continue;
      }
      if (finPending()) {
        long seq = nextSeq;
        if (headerSize(seq, currentFsn(seq), cont) > room - used) {
          break;
        }
        Fragment nf = newFragment(seq, UserData.ABN | UserData.FIN, null, null, 0, 0, null);
        nf.reliable = true;
        finCreated = true;
        nextSeq++;
        sent.addLast(nf);
        used += send(out, nf, room - used, cont, now, cc);
        cont = true;
        continue;
      }
      break;
    }
    if (zeroWindow && now >= nextProbeAt && BufferProbe.size(flowId) <= room - used) {
      BufferProbe.write(out, flowId);
      used += BufferProbe.size(flowId);
      lastChunkSeq = -1; // the next chunk no longer follows one of our fragments
      nextProbeAt = now + probeInterval;
      probeInterval = Math.min((long) (probeInterval * 1.414214), PROBE_MAX_INTERVAL);
    }
    return used;
  }

  private Fragment newFragment(long seq, int flags, byte[] head, byte[] body, int off, int len,
      Message m) {
    Fragment f = pool.pollFirst();
    if (f == null) {
      f = new Fragment();
    }
    f.seq = seq;
    f.flags = flags;
    f.head = head;
    f.body = body;
    f.off = off;
    f.len = len;
    f.msg = m;
    f.reliable = m == null || m.reliable;
    f.deadline = m == null ? Long.MAX_VALUE : m.deadline;
    f.inFlight = false;
    f.retransmit = false;
    f.acked = false;
    f.abandoned = false;
    f.naks = 0;
    return f;
  }

  private Fragment firstToRetransmit() {
    for (Fragment f : sent) {
      if (f.retransmit) {
        return f;
      }
    }
    return null;
  }

  /**
   * Forward sequence number for a fragment {@code seq}: everything below the first fragment
   * neither acknowledged nor abandoned is done (RFC 7016 §3.6.2.1); never above {@code seq}.
   */
  private long currentFsn(long seq) {
    for (Fragment f : sent) {
      if (!f.acked && !f.abandoned) {
        return Math.min(f.seq - 1, seq);
      }
    }
    return Math.min(nextSeq - 1, seq);
  }

  private boolean withOptions() {
    return !gotAck && (metadata != null || associatedFlowId >= 0);
  }

  private boolean canContinue(long seq, long fsn, boolean cont) {
    // 0x11 implies seq+1 and the same FSN; options go in a 0x10 (as Cumulus and Flash do).
    return cont && !withOptions() && lastChunkSeq >= 0 && seq == lastChunkSeq + 1
        && fsn == lastChunkFsn;
  }

  private int headerSize(long seq, long fsn, boolean cont) {
    boolean opt = withOptions();
    return UserData.headerSize(canContinue(seq, fsn, cont), 0, flowId, seq, seq - fsn,
        opt ? metadata : null, opt ? associatedFlowId : -1);
  }

  /** Writes {@code f} if it fits; returns its chunk size, or -1. */
  private int send(ByteBuffer out, Fragment f, int roomLeft, boolean cont, long now,
      SessionCongestion cc) {
    long fsn = currentFsn(f.seq);
    boolean next = canContinue(f.seq, fsn, cont);
    boolean opt = withOptions();
    byte[] meta = opt ? metadata : null;
    long assoc = opt ? associatedFlowId : -1;
    int wire = UserData.headerSize(next, f.flags, flowId, f.seq, f.seq - fsn, meta, assoc) + f.len;
    if (wire > roomLeft) {
      return -1;
    }
    if (f.inFlight) {
      // An abandoned fragment re-sent empty before its fate is known: this copy replaces it.
      cc.onDiscarded(f.wireSize);
      flowInFlight -= f.len;
    }
    writeChunk(out, next, f, fsn, meta, assoc);
    f.inFlight = true;
    f.tsn = nextTsn++;
    f.naks = 0;
    f.wireSize = wire;
    flowInFlight += f.len;
    cc.onSent(wire, now);
    lastChunkSeq = f.seq;
    lastChunkFsn = fsn;
    bytesSent += wire;
    fragmentsSent++;
    totals.bytesSent += wire;
    totals.fragmentsSent++;
    return wire;
  }

  /** Writes {@code f}'s chunk; its data may span head and body. */
  private void writeChunk(ByteBuffer out, boolean next, Fragment f, long fsn, byte[] meta, long assoc) {
    int hl = f.head == null ? 0 : f.head.length;
    int end = f.off + f.len;
    if (f.len == 0 || end <= hl) {
      UserData.write(out, next, f.flags, flowId, f.seq, f.seq - fsn, meta, assoc, f.head, f.off, f.len);
    } else if (f.off >= hl) {
      UserData.write(out, next, f.flags, flowId, f.seq, f.seq - fsn, meta, assoc, f.body, f.off - hl,
          f.len);
    } else {
      // Across the boundary: the chunk header without data, its length fixed, then both pieces.
      int start = out.position();
      UserData.write(out, next, f.flags, flowId, f.seq, f.seq - fsn, meta, assoc, null, 0, 0);
      out.putShort(start + 1, (short) (out.position() - start - 3 + f.len));
      out.put(f.head, f.off, hl - f.off);
      out.put(f.body, 0, end - hl);
    }
  }

  /**
   * Abandons what passed its deadline (RFC 7016 §3.6.2.3.2): unsent messages (or the unsent rest
   * of one) leave the queue; fragments not yet acknowledged are abandoned so the forward sequence
   * number moves past them, and are re-sent empty with ABN. Runs only when
   * {@code now} reaches the earliest deadline held.
   */
  private void expire(long now) {
    if (now < nextExpiry) {
      return;
    }
    long next = Long.MAX_VALUE;
    for (Fragment f : sent) {
      if (f.acked || f.abandoned || f.msg == null) {
        continue;
      }
      if (f.deadline <= now) {
        abandonAndAnnounce(f);
      } else {
        next = Math.min(next, f.deadline);
      }
    }
    for (var it = queue.iterator(); it.hasNext(); ) {
      Message m = it.next();
      if (m.deadline <= now) {
        it.remove();
        bytesQueued -= m.length - m.sent;
        m.abandoned = true;
        expiredMessages++;
        totals.expiredMessages++;
      } else {
        next = Math.min(next, m.deadline);
      }
    }
    nextExpiry = next;
  }

  /**
   * Abandons {@code f} and re-sends it empty at once, so the receiver learns the new FSN even if
   * nothing else follows and doesn't hold later complete messages behind it.
   */
  private void abandonAndAnnounce(Fragment f) {
    abandon(f);
    if (!f.retransmit) {
      f.retransmit = true;
      retransmitCount++;
    }
  }

  /**
   * Gives up on a fragment: ABN replaces its data (RFC 7016 §3.6.2.3), the message it was part of
   * can't be completed. In flight it stays in flight until an ack, a loss or its empty re-send; a
   * pending retransmission goes out empty.
   */
  private void abandon(Fragment f) {
    f.abandoned = true;
    f.flags = (f.flags & UserData.FIN) | UserData.ABN;
    f.head = null;
    f.body = null;
    if (f.inFlight) {
      flowInFlight -= f.len; // so the later ack or loss, seeing len 0, keeps the count right
    }
    f.len = 0;
    if (f.msg != null) {
      f.msg.abandoned = true;
      f.msg = null;
    }
    abandonedFragments++;
    totals.abandonedFragments++;
  }

  /**
   * An acknowledgement for this flow (0x51, or 0x50 parsed into the same shape): frees what it
   * covers, counts later acks against older fragments in flight (3 make a loss), marks lost
   * reliable fragments for retransmission and abandons lost unreliable ones, and reports to
   * {@code cc}. A zero window starts buffer probes (RFC 7016 §3.6.2.4; Cumulus reset the flow).
   */
  public void onAck(DataAck ack, long now, SessionCongestion cc) {
    if (rejected || ack.flowId != flowId) {
      return;
    }
    gotAck = true;
    long blocks = ack.bufferBlocksAvailable;
    rxWindow = blocks > Long.MAX_VALUE / 1024 ? Long.MAX_VALUE : blocks * 1024;

    int ackedBytes = 0;
    long maxTsn = 0;
    long highest = ack.highestAcked();
    int ri = 0;
    int rc = ack.rangeCount();
    for (Fragment f : sent) {
      if (f.seq > highest) {
        break;
      }
      if (f.acked) {
        continue;
      }
      while (ri < rc && ack.rangeEnd(ri) < f.seq) {
        ri++;
      }
      boolean covered = f.seq <= ack.cumulativeAck || (ri < rc && ack.rangeStart(ri) <= f.seq);
      if (!covered) {
        continue;
      }
      f.acked = true;
      if (f.inFlight) {
        f.inFlight = false;
        ackedBytes += f.wireSize;
        flowInFlight -= f.len;
        maxTsn = Math.max(maxTsn, f.tsn);
      }
      if (f.retransmit) {
        f.retransmit = false;
        retransmitCount--;
      }
      f.head = null;
      f.body = null;
      f.msg = null;
    }

    boolean anyLoss = false;
    if (maxTsn > 0) {
      for (Fragment f : sent) {
        if (f.inFlight && f.tsn < maxTsn && ++f.naks >= NAKS_FOR_LOSS) {
          f.inFlight = false;
          flowInFlight -= f.len;
          cc.onDiscarded(f.wireSize);
          markLost(f, now);
          anyLoss = true;
        }
      }
    }
    if (anyLoss) {
      cc.onLoss(now); // first, so this ack doesn't also grow the window
    }
    cc.onAcked(ackedBytes, now);

    while (!sent.isEmpty() && sent.peekFirst().acked) {
      Fragment f = sent.pollFirst();
      f.head = null;
      f.body = null;
      f.msg = null;
      pool.addLast(f);
    }

    if (rxWindow == 0) {
      if (!zeroWindow) {
        zeroWindow = true;
        probeInterval = Math.max(PROBE_MIN_INTERVAL, cc.ertoNanos());
        nextProbeAt = now + probeInterval;
      }
    } else {
      zeroWindow = false;
    }
  }

  private void markLost(Fragment f, long now) {
    if ((!f.reliable || f.deadline <= now) && !f.abandoned) {
      // RFC 7016 §3.6.2.3: a lost unreliable (or past its deadline) fragment is abandoned; it is
      // re-sent empty with ABN until acked, so the receiver learns the FSN moved past it.
      abandon(f);
    }
    if (!f.retransmit) {
      f.retransmit = true;
      retransmitCount++;
    }
  }

  /**
   * The session's retransmission timer fired (after {@code cc.onTimeout}): every fragment in
   * flight is lost. Doesn't touch the congestion state, which {@code onTimeout} already reset.
   */
  public void onRetransmitTimeout(long now) {
    for (Fragment f : sent) {
      if (f.inFlight) {
        f.inFlight = false;
        flowInFlight -= f.len;
        markLost(f, now);
      }
    }
  }

  /** The peer rejected the flow (0x5E): drop everything; the flow is finished. */
  public void onExceptionReport(long code) {
    onExceptionReport(code, null);
  }

  /** As {@link #onExceptionReport(long)}, also taking this flow's fragments out of {@code cc}'s flight. */
  public void onExceptionReport(long code, SessionCongestion cc) {
    rejected = true;
    for (Fragment f : sent) {
      if (f.inFlight && cc != null) {
        cc.onDiscarded(f.wireSize);
      }
    }
    for (Fragment f : sent) {
      f.head = null;
      f.body = null;
      f.msg = null;
    }
    sent.clear();
    queue.clear();
    bytesQueued = 0;
    flowInFlight = 0;
    retransmitCount = 0;
    zeroWindow = false;
  }

  /** Bytes of this flow's fragment data in flight. */
  public long bytesInFlight() {
    return flowInFlight;
  }
}
