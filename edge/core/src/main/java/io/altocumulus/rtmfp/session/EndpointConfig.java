package io.altocumulus.rtmfp.session;

import io.altocumulus.rtmfp.flow.RecvLimits;

/**
 * Tunables of one endpoint. Defaults follow Cumulus where it is right (RTMFP-WIRE §9) and the RFC
 * where Cumulus is not. Plain mutable fields: built once at start-up, then only read.
 */
public final class EndpointConfig {
  /** Max session packet before padding, SSID and checksum included (RTMFP-WIRE §1). */
  public int packetCap = 1192;
  /** Sessions this endpoint (event loop) holds at most. */
  public int maxSessions = 200_000;
  /** Incoming flows one session may hold (each bounded by {@link #recvLimits}). */
  public int maxFlowsPerSession = 64;
  public RecvLimits recvLimits = RecvLimits.DEFAULT;
  /** Interval the client is told to ping the server at (Set Keepalive, RTMFP-WIRE §8.3). */
  public int keepAliveServerSeconds = 15;
  /** Interval the client is told to ping its peers at. */
  public int keepAlivePeerSeconds = 10;
  /** Handshakes whose DH work is queued or running, per loop: beyond it IIKeying is shed. */
  public int maxHandshakesInFlight = 512;
  /** Cookie replay records kept per loop (each proven by a valid cookie). */
  public int maxHandshakeRecords = 65_536;
  /** Cookie lifetime (RTMFP-WIRE §9: 120 s). */
  public long cookieLifetimeNanos = 120_000_000_000L;
  public int closeRequestAttempts = 5;
  public long closeRequestIntervalNanos = 1_000_000_000L;
  public long closedLingerNanos = 10_000_000_000L;
  public long finishedFlowLingerNanos = 30_000_000_000L;
  /**
   * A session silent both ways this long releases its JDK cipher objects (about 1.25 KB), rebuilt
   * by its next packet for about 16 µs of CPU. Clients ping every keepAliveServer (15 s), so
   * between pings an idle session holds no cipher (tests/BENCHMARKS.md, heap per idle session).
   */
  public long cipherReleaseAfterNanos = 3_000_000_000L;
  /** Session fails after this many retransmission timeouts without any ack progress. */
  public int maxConsecutiveTimeouts = 8;
  /** Client role: IHello/IIKeying retransmission interval and overall handshake deadline. */
  public long handshakeRetryNanos = 1_000_000_000L;
  public long handshakeTimeoutNanos = 15_000_000_000L;
  /**
   * Leave the timestamp out of a packet when it equals the previous packet's (one 4-ms tick).
   * Off for real use (REAL-CLIENTS.md §1: always send it, as Flash does); the test client turns
   * it on to imitate clients that do this.
   */
  public boolean omitUnchangedTimestamp;
  /**
   * IHello answers a policy may defer at once per loop (a Lua onHandshake, a directory lookup):
   * beyond it IHellos are shed and counted (HANDSHAKE_OVERLOAD).
   */
  public int maxPendingHellos = 4096;
  /** Forwarded IHellos queued in one session before its next flush; the excess is dropped. */
  public int maxQueuedForwardedHellos = 16;
  /** Client role: Redirects followed per connection attempt. */
  public int maxRedirects = 4;
  /**
   * Responder: session-id-0 datagrams (IHello, IIKeying) accepted per second from one source IP,
   * per loop; the excess is dropped before decryption and counted (RATE_LIMITED). 0 turns the
   * limit off. Generous, because a NAT puts many clients behind one address.
   */
  public int helloRatePerSecond = 1000;
  /** Datagrams a quiet source IP may send at once before the rate applies. */
  public int helloBurst = 2000;
  /** Buckets of the per-source table (fixed size, hashed; tests/BENCHMARKS.md, handshake flood). */
  public int helloRateSlots = 4096;

  /** Server probes a silent client after twice its keepalive period. */
  public long probeAfterNanos() {
    return 2L * keepAliveServerSeconds * 1_000_000_000L;
  }

  public long probeIntervalNanos() {
    return Math.max(2L, keepAliveServerSeconds / 3L) * 1_000_000_000L;
  }

  /** No packet at all for six keepalive periods: the session is dead. */
  public long idleTimeoutNanos() {
    return 6L * keepAliveServerSeconds * 1_000_000_000L;
  }
}
