package io.altocumulus.edge.metrics;

import io.altocumulus.edge.net.UdpNodeStats;
import io.altocumulus.edge.stream.Publication;
import io.altocumulus.edge.stream.StreamRegistry;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The RTMFP edge's metrics. Most are read at scrape time from counters the node keeps anyway
 * ({@link UdpNodeStats}, {@link DropCounters}, the loops' session counts, the stream registry);
 * the few events only the edge sees (handshake answers, sessions opened and closed) cost one
 * {@link LongAdder} increment, and per-session samples (RTT) are taken in the session's 2-second
 * housekeeping, never per packet.
 */
public final class EdgeMetrics {
  /** Handshake outcomes ({@code rtmfp_handshakes_total{result}}). */
  public enum HandshakeResult {
    /** IHello answered with an RHello and a cookie (RTMFP-WIRE §4.2). */
    ACCEPTED,
    /** IHello answered with a Redirect (see {@code rtmfp_redirects_total} for why). */
    REDIRECTED,
    /** IHello left unanswered: a discriminator we do not serve (RFC 7016 §3.5.1.1). */
    IGNORED,
    /** IIKeying accepted, keys computed, session established (RIKeying sent). */
    OPENED,
    /** IIKeying refused: bad or replayed cookie, bad key, overload, capacity (read from the drops). */
    REFUSED,
    /** IHello whose answer waits for the application or the rendezvous service (counted again when answered). */
    DEFERRED;

    final String label = name().toLowerCase(Locale.ROOT);
  }

  /** Drop causes that end a handshake (their sum is {@code result="refused"}). */
  static final Set<DropCause> HANDSHAKE_REFUSALS = EnumSet.of(DropCause.BAD_COOKIE, DropCause.REPLAYED_COOKIE,
      DropCause.BAD_DH_KEY, DropCause.BAD_KEYING, DropCause.HANDSHAKE_OVERLOAD, DropCause.CAPACITY,
      DropCause.RATE_LIMITED);

  /** Seconds: DH on a worker takes ~1-10 ms; the top buckets catch a saturated crypto pool. */
  static final double[] HANDSHAKE_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  /** Seconds: loopback to intercontinental paths and beyond. */
  static final double[] RTT_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5};

  private static final String[] DROP_LABELS = new String[DropCause.values().length];

  static {
    for (DropCause c : DropCause.values()) {
      DROP_LABELS[c.ordinal()] = c.name().toLowerCase(Locale.ROOT);
    }
  }

  private final NodeMetrics metrics;
  private final LongAdder[] handshakes = adders(HandshakeResult.values().length);
  private final LongAdder[] redirects = adders(RedirectReason.values().length);
  private final LongAdder[] closed = adders(CloseReason.values().length);
  private final Histogram handshakeDuration;
  private final Histogram rtt;
  private volatile DropCounters drops;

  public EdgeMetrics(NodeMetrics metrics) {
    this.metrics = metrics;
    PrometheusRegistry r = metrics.registry();
    handshakeDuration = metrics.histogram("rtmfp_handshake_duration_seconds",
        "Time from accepting an IIKeying to its session keys being ready: crypto queue wait plus Diffie-Hellman.",
        HANDSHAKE_BUCKETS);
    rtt = metrics.histogram("rtmfp_session_rtt_seconds",
        "Smoothed round-trip time of each open session (RFC 7016 §3.5.2), sampled every 2 s.", RTT_BUCKETS);
    CounterWithCallback.builder().name("rtmfp_handshakes_total")
        .help("Handshake steps by result: IHello accepted/redirected/ignored, IIKeying opened/refused.")
        .labelNames("result")
        .callback(cb -> {
          for (HandshakeResult h : HandshakeResult.values()) {
            long n = h == HandshakeResult.REFUSED ? refusedHandshakes() : handshakes[h.ordinal()].sum();
            cb.call(n, h.label);
          }
        }).register(r);
    CounterWithCallback.builder().name("rtmfp_redirects_total")
        .help("IHellos answered with a Redirect, by reason.").labelNames("reason")
        .callback(cb -> {
          for (RedirectReason why : RedirectReason.values()) {
            cb.call(redirects[why.ordinal()].sum(), why.label);
          }
        }).register(r);
    metrics.counterOf("rtmfp_sessions_opened_total", "Sessions established (same as handshakes result=opened).",
        () -> handshakes[HandshakeResult.OPENED.ordinal()].sum());
    CounterWithCallback.builder().name("rtmfp_sessions_closed_total")
        .help("Sessions ended, by reason.").labelNames("reason")
        .callback(cb -> {
          for (CloseReason why : CloseReason.values()) {
            cb.call(closed[why.ordinal()].sum(), why.label);
          }
        }).register(r);
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  public NodeMetrics node() {
    return metrics;
  }

  /**
   * Registers the scrape-time metrics over the node's own counters. Called once the UDP node is
   * bound; {@code sessionLimit} is the session table size of all loops together.
   */
  public void bind(UdpNodeStats udp, DropCounters drops, StreamRegistry streams, IntSupplier sessions,
      IntSupplier handshakesInFlight, long sessionLimit) {
    this.drops = drops;
    PrometheusRegistry r = metrics.registry();
    metrics.counterOf("rtmfp_datagrams_received_total", "UDP datagrams read from the node's sockets.", udp::datagramsIn);
    metrics.counterOf("rtmfp_received_bytes_total", "Bytes of the UDP datagrams read (payload).", udp::bytesIn);
    metrics.counterOf("rtmfp_datagrams_sent_total", "UDP datagrams sent.", udp::datagramsOut);
    metrics.counterOf("rtmfp_sent_bytes_total", "Bytes of the UDP datagrams sent (payload).", udp::bytesOut);
    metrics.counterOf("rtmfp_datagram_handovers_total",
        "Datagrams read on one event loop and handed to the loop owning their session.", udp::handovers);
    metrics.counterOf("rtmfp_udp_dropped_total",
        "Datagrams refused before the protocol: larger than the 2048-byte maximum.", udp::dropped);
    metrics.counterOf("rtmfp_udp_errors_total", "Socket errors and endpoint exceptions (logged, then ignored).",
        udp::errors);
    CounterWithCallback.builder().name("rtmfp_drops_total")
        .help("Datagrams, chunks or messages refused, by cause (the DropCause enum).").labelNames("cause")
        .callback(cb -> {
          for (DropCause c : DropCause.values()) {
            cb.call(drops.count(c), DROP_LABELS[c.ordinal()]);
          }
        }).register(r);
    metrics.gaugeOf("rtmfp_event_loops", "Event loops, one SO_REUSEPORT socket each.", udp::loopCount);
    metrics.gaugeOf("rtmfp_sessions", "Sessions in the table (open, and closed ones lingering for late packets), as of each loop's last tick.",
        sessions::getAsInt);
    metrics.gaugeOf("rtmfp_sessions_limit", "Session table capacity of the node (all loops).", () -> sessionLimit);
    metrics.gaugeOf("rtmfp_handshakes_in_flight", "Handshakes with Diffie-Hellman work queued or running.",
        handshakesInFlight::getAsInt);
    // Streams (RTMFP-WIRE §8): read from the registry at scrape time, no label per stream.
    GaugeWithCallback.builder().name("rtmfp_publications")
        .help("Stream names in use on this node (published, or waited for by players).")
        .callback(cb -> cb.call(streams.all().size())).register(r);
    GaugeWithCallback.builder().name("rtmfp_publishers").help("Streams being published on this node.")
        .callback(cb -> {
          int n = 0;
          for (Publication p : streams.all()) {
            n += p.isPublished() ? 1 : 0;
          }
          cb.call(n);
        }).register(r);
    GaugeWithCallback.builder().name("rtmfp_players").help("Players of streams on this node.")
        .callback(cb -> {
          int n = 0;
          for (Publication p : streams.all()) {
            n += p.playerCount();
          }
          cb.call(n);
        }).register(r);
  }

  /**
   * Registers the metrics of the layers above the core ({@link ServiceMetrics}): flow reliability
   * and relay, the Lua host ({@code lua} and {@code luaIo} may be null: Lua off), P2P rendezvous
   * and NetGroups. Called once, after {@link #bind}.
   */
  public void bindServices(java.util.function.Supplier<? extends java.util.List<io.altocumulus.rtmfp.session.RtmfpEndpoint>> endpoints,
      StreamRegistry streams, io.altocumulus.edge.lua.LuaHost lua, io.altocumulus.edge.lua.io.IoStats luaIo,
      io.altocumulus.edge.p2p.Introducer introducer, io.altocumulus.edge.group.NetGroups groups,
      io.altocumulus.rendezvous.Rendezvous rendezvous) {
    ServiceMetrics.relay(metrics, endpoints, streams);
    ServiceMetrics.lua(metrics, lua, luaIo);
    ServiceMetrics.rendezvous(metrics, endpoints, introducer, groups, rendezvous);
  }

  private long refusedHandshakes() {
    DropCounters d = drops;
    if (d == null) {
      return 0;
    }
    long n = 0;
    for (DropCause c : HANDSHAKE_REFUSALS) {
      n += d.count(c);
    }
    return n;
  }

  // ---- events, on the event loops ----

  /** The answer given to an IHello; a redirect also needs {@link #redirected}. */
  public void helloAnswered(HelloDecision.Kind kind) {
    HandshakeResult r = switch (kind) {
      case ACCEPT -> HandshakeResult.ACCEPTED;
      case REDIRECT -> HandshakeResult.REDIRECTED;
      case IGNORE -> HandshakeResult.IGNORED;
      case PENDING -> HandshakeResult.DEFERRED;
    };
    handshakes[r.ordinal()].increment();
  }

  /** Handshake steps so far (IHello answers, IIKeying results): the load snapshot's handshake rate. */
  public long hellosAnswered() {
    long total = 0;
    for (var h : handshakes) {
      total += h.sum();
    }
    return total;
  }

  public void redirected(RedirectReason reason) {
    redirects[reason.ordinal()].increment();
  }

  /**
   * A session was established: counts it and wraps its handler to count its end (by reason) and
   * sample its RTT. Called once per session, from the responder policy.
   */
  public SessionHandler sessionOpened(SessionHandler handler) {
    handshakes[HandshakeResult.OPENED.ordinal()].increment();
    return new Metered(handler);
  }

  /**
   * Wraps the crypto pool so each task (one IIKeying's Diffie-Hellman and key derivation) is timed
   * from submission to completion into {@code rtmfp_handshake_duration_seconds}.
   */
  public Executor timeHandshakes(Executor crypto) {
    return task -> {
      long submitted = System.nanoTime();
      crypto.execute(() -> {
        try {
          task.run();
        } finally {
          handshakeDuration.observe((System.nanoTime() - submitted) / 1e9);
        }
      });
    };
  }

  void closed(CloseReason reason) {
    closed[reason.ordinal()].increment();
  }

  void sampleRtt(Session s) {
    long srtt = s.congestion().srttNanos();
    if (srtt > 0) {
      rtt.observe(srtt / 1e9);
    }
  }

  /** Delegates every session event; adds the close count and the RTT sample. */
  private final class Metered implements SessionHandler {
    private final SessionHandler delegate;

    Metered(SessionHandler delegate) {
      this.delegate = delegate;
    }

    @Override
    public io.altocumulus.rtmfp.session.FlowHandler onFlowOpened(Session session,
        io.altocumulus.rtmfp.flow.RecvFlow flow) {
      return delegate.onFlowOpened(session, flow);
    }

    @Override
    public void onClosed(Session session, String reason) {
      closed(CloseReason.of(reason));
      delegate.onClosed(session, reason);
    }

    @Override
    public void onFlowRejected(Session session, long flowId, long code) {
      delegate.onFlowRejected(session, flowId, code);
    }

    @Override
    public void onManage(Session session) {
      sampleRtt(session);
      delegate.onManage(session);
    }
  }
}
