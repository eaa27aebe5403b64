package io.altocumulus.rtmfp.flow;

/**
 * Per-session congestion control and retransmission timing (RFC 7016 §3.5.2), shared by all the
 * session's send flows. Times are nanoseconds from the injected clock.
 *
 * <p>How the session drives it:
 * <ul>
 *   <li>each RTT sample from a timestamp echo: {@link #onRttSample};</li>
 *   <li>each packet received from the peer: {@link #onPacketReceived} (ends a data burst);</li>
 *   <li>before adding data to a packet: {@link #burstAllowed}; after sending a packet that
 *       carried user data: {@link #onDataPacketSent};</li>
 *   <li>flows call {@link #canSend}, {@link #onSent}, {@link #onAcked}, {@link #onDiscarded},
 *       {@link #onLoss} themselves from {@code SendFlow.fill}/{@code onAck};</li>
 *   <li>retransmission timeout: whenever {@link #timeoutDue(long)} is true (schedule a check at
 *       {@link #timeoutDeadline()}), call {@link #onTimeout(long)} once and then
 *       {@code onRetransmitTimeout(now)} on every send flow of the session.</li>
 * </ul>
 */
public final class SessionCongestion {
  static final long MS = 1_000_000L;
  /** RFC 7016 §3.5.2.2: initial ERTO 3 s. */
  public static final long INITIAL_ERTO = 3000 * MS;
  /** RFC 7016 §3.5.2.2: ERTO is never below 250 ms. */
  public static final long MINIMUM_ERTO = 250 * MS;
  public static final long MAXIMUM_ERTO = 10_000 * MS;
  /** Allowance for the receiver's delayed ack (RFC 7016 §3.6.3: acks may wait up to 200 ms). */
  public static final long DELAYED_ACK = 200 * MS;
  /** RFC 7016 §3.5.2.3: at most 6 data packets sent back to back without hearing from the peer. */
  public static final int MAX_DATA_PACKET_BURST = 6;

  private final int mss;
  private final long cwndInit;
  private final long cwndTimedOut;

  private long srtt = -1;
  private long rttvar;
  private long mrto = MINIMUM_ERTO;
  private long erto = INITIAL_ERTO;

  private long cwnd;
  private long ssthresh = Long.MAX_VALUE;
  private long bytesInFlight;
  private long ackAccumulator;
  /** Bytes that must drain before another loss may shrink the window again (one loss event). */
  private long recoveryRemaining;

  /** The window was filled since in-flight data last drained: acks may grow it. */
  private boolean windowUsed;
  private long timerStart;
  private int burst;

  /** @param mtuBytes largest data a packet carries; the sender's segment size. */
  public SessionCongestion(int mtuBytes) {
    if (mtuBytes < 64) {
      throw new IllegalArgumentException("mtu " + mtuBytes);
    }
    this.mss = mtuBytes;
    this.cwndInit = 3L * mtuBytes;
    this.cwndTimedOut = 2L * mtuBytes;
    this.cwnd = cwndInit;
  }

  /** RFC 6298-style smoothing as RFC 7016 §3.5.2.2 asks; ERTO = SRTT + 4·RTTVAR + 200 ms, ≥ 250 ms. */
  public void onRttSample(long rttNanos) {
    if (rttNanos < 0) {
      return;
    }
    if (srtt < 0) {
      srtt = rttNanos;
      rttvar = rttNanos / 2;
    } else {
      rttvar = (3 * rttvar + Math.abs(srtt - rttNanos)) / 4;
      srtt = (7 * srtt + rttNanos) / 8;
    }
    mrto = srtt + 4 * rttvar + DELAYED_ACK;
    erto = Math.max(mrto, MINIMUM_ERTO);
  }

  /** Smoothed RTT, or -1 before the first sample. */
  public long srttNanos() {
    return srtt;
  }

  public long rttvarNanos() {
    return rttvar;
  }

  public long ertoNanos() {
    return erto;
  }

  public long cwnd() {
    return cwnd;
  }

  public long ssthresh() {
    return ssthresh;
  }

  public long bytesInFlight() {
    return bytesInFlight;
  }

  public int mss() {
    return mss;
  }

  /** True while the window has room; one fragment may overshoot it (as TCP allows a segment). */
  public boolean canSend(int bytes) {
    return bytesInFlight < cwnd;
  }

  /** Another packet of data may go out in the current burst. */
  public boolean burstAllowed() {
    return burst < MAX_DATA_PACKET_BURST;
  }

  public void onDataPacketSent() {
    burst++;
  }

  public void onPacketReceived() {
    burst = 0;
  }

  /** A fragment of {@code bytes} went out (first send or retransmission). */
  public void onSent(int bytes, long now) {
    if (bytesInFlight == 0) {
      timerStart = now;
    }
    bytesInFlight += bytes;
    if (bytesInFlight >= cwnd * 63 / 64) {
      windowUsed = true;
    }
  }

  /**
   * {@code bytes} of in-flight fragments were acknowledged. Grows the window when it was in use:
   * slow start below ssthresh (up to one segment per ack), otherwise about one segment per window.
   */
  public void onAcked(int bytes, long now) {
    if (bytes <= 0) {
      return;
    }
    bytesInFlight = Math.max(0, bytesInFlight - bytes);
    timerStart = now;
    burst = 0;
    boolean grow = windowUsed;
    if (bytesInFlight == 0) {
      windowUsed = false;
    }
    if (recoveryRemaining > 0) {
      recoveryRemaining = Math.max(0, recoveryRemaining - bytes);
      return;
    }
    // RFC 7016 §3.5.2.2: don't grow a window the sender isn't filling.
    if (!grow) {
      return;
    }
    if (cwnd < ssthresh) {
      cwnd += Math.min(bytes, mss);
    } else {
      ackAccumulator += bytes;
      if (ackAccumulator >= cwnd) {
        ackAccumulator -= cwnd;
        cwnd += mss;
      }
    }
  }

  /** {@code bytes} left flight without an ack (declared lost or abandoned). */
  public void onDiscarded(int bytes) {
    bytesInFlight = Math.max(0, bytesInFlight - bytes);
    if (recoveryRemaining > 0) {
      recoveryRemaining = Math.max(0, recoveryRemaining - bytes);
    }
  }

  /**
   * Loss detected by later acknowledgements. Halves the window once per loss event: further
   * losses among the data in flight at that moment don't shrink it again.
   */
  public void onLoss(long now) {
    if (recoveryRemaining > 0) {
      return;
    }
    ssthresh = Math.max(cwnd / 2, cwndInit);
    cwnd = ssthresh;
    ackAccumulator = 0;
    windowUsed = false;
    recoveryRemaining = Math.max(bytesInFlight, 1);
  }

  /**
   * The retransmission timer fired: everything in flight is lost, the window collapses and ERTO
   * backs off by √2 up to 10 s (RFC 7016 §3.5.2.2). The session then calls
   * {@code onRetransmitTimeout} on each send flow, which doesn't touch this object.
   */
  public void onTimeout(long now) {
    ssthresh = Math.max(cwnd / 2, cwndInit);
    cwnd = cwndTimedOut;
    bytesInFlight = 0;
    ackAccumulator = 0;
    recoveryRemaining = 0;
    windowUsed = false;
    erto = Math.max(Math.min((long) (erto * 1.414214), MAXIMUM_ERTO), mrto);
    timerStart = now;
    // The retransmission a timeout calls for must be able to leave even if the peer has been
    // silent since the last burst: otherwise a lost burst stalls the session until the peer's
    // next keepalive.
    burst = 0;
  }

  /** Data in flight and nothing acknowledged for ERTO since the timer (re)started. */
  public boolean timeoutDue(long now) {
    return bytesInFlight > 0 && now - timerStart >= erto;
  }

  /** When {@link #timeoutDue} becomes true, or {@code Long.MAX_VALUE} with nothing in flight. */
  public long timeoutDeadline() {
    return bytesInFlight > 0 ? timerStart + erto : Long.MAX_VALUE;
  }
}
