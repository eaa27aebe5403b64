package io.altocumulus.edge.node;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.NetConnection;
import io.altocumulus.edge.metrics.EdgeMetrics;
import io.altocumulus.edge.metrics.RedirectReason;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.p2p.Introducer;
import io.altocumulus.edge.p2p.PeerIndex.LocalPeer;
import io.altocumulus.edge.stream.StreamRegistry;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.HelloResponder;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.PeerAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The edge's handshake decisions (RTMFP-WIRE §4.1). A URL discriminator in any form (full URL,
 * path only, empty; REAL-CLIENTS.md §7): the app's {@code onHandshake} if it has one (a Redirect
 * to what it returns, else in), else a Redirect when the node sends its clients elsewhere
 * ({@code redirectTo}) or the cluster says so (draining, over capacity: {@code EdgeCluster}),
 * else an RHello. A peer id: an RHello if it is ours, else a P2P
 * introduction ({@link Introducer}, RTMFP-WIRE §6.3). Anything else gets no answer.
 */
final class EdgePolicy implements ResponderPolicy {
  /** Query parameters of an IHello URL handed to onHandshake, at most. */
  static final int MAX_PROPERTIES = 32;

  private final ServerIdentity identity;
  private final Applications applications;
  private final DropCounters drops;
  private final List<PeerAddress> redirectTo;
  private final HelloDecision configuredRedirect;
  private final StreamRegistry streams;
  private final Introducer introducer;
  private final int keepAliveServerMs;
  private final int keepAlivePeerMs;
  /**
   * The cluster's load redirect (issue 6), set once by EdgeNode before the first session when the
   * node is in a cluster: null answer = take the client. One volatile read per URL IHello.
   */
  java.util.function.Supplier<HelloDecision> loadRedirect;
  /** NetGroups of the node (set once by EdgeNode before the first session). */
  io.altocumulus.edge.group.NetGroups groups;
  private final EdgeMetrics metrics;

  EdgePolicy(ServerIdentity identity, Applications applications, StreamRegistry streams, DropCounters drops,
      List<PeerAddress> redirectTo, Introducer introducer, int keepAliveServerMs, int keepAlivePeerMs,
      EdgeMetrics metrics) {
    this.metrics = metrics;
    this.streams = streams;
    this.identity = identity;
    this.applications = applications;
    this.drops = drops;
    this.redirectTo = List.copyOf(redirectTo);
    this.configuredRedirect = redirectTo.isEmpty() ? null : HelloDecision.redirect(this.redirectTo);
    this.introducer = introducer;
    this.keepAliveServerMs = keepAliveServerMs;
    this.keepAlivePeerMs = keepAlivePeerMs;
  }

  @Override
  public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
    return onIHello(epd, tag, from, null);
  }

  @Override
  public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from,
      HelloResponder responder) {
    HelloDecision d = decide(epd, tag, from, responder);
    metrics.helloAnswered(d.kind());
    return d;
  }

  /** Counts a redirect decided now, or, for a deferred answer, when it is given (rare path). */
  private HelloDecision counted(HelloDecision d, RedirectReason reason) {
    if (d.kind() == HelloDecision.Kind.REDIRECT) {
      metrics.redirected(reason);
    }
    return d;
  }

  // One counting wrapper per loop's responder and reason, made once: nothing allocated per IHello.
  private final java.util.concurrent.ConcurrentHashMap<HelloResponder, HelloResponder> countingApplication =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.ConcurrentHashMap<HelloResponder, HelloResponder> countingIntroduction =
      new java.util.concurrent.ConcurrentHashMap<>();

  private HelloResponder counting(HelloResponder r, RedirectReason reason) {
    var cache = reason == RedirectReason.APPLICATION ? countingApplication : countingIntroduction;
    HelloResponder c = cache.get(r);
    return c != null ? c : cache.computeIfAbsent(r, k -> newCounting(k, reason));
  }

  private HelloResponder newCounting(HelloResponder r, RedirectReason reason) {
    return new HelloResponder() {
      @Override
      public boolean defer() {
        return r.defer();
      }

      @Override
      public void answer(byte[] tag, InetSocketAddress to, HelloDecision d) {
        metrics.helloAnswered(d.kind());
        r.answer(tag, to, counted(d, reason));
      }

      @Override
      public java.util.concurrent.Executor loop() {
        return r.loop();
      }
    };
  }

  private HelloDecision decide(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from,
      HelloResponder responder) {
    switch (epd.kind()) {
      case URL -> {
        // redirectTo (by hand) first, else the cluster's drain / capacity decision, else serve
        HelloDecision load = configuredRedirect == null && loadRedirect != null ? loadRedirect.get() : null;
        HelloDecision otherwise = configuredRedirect != null ? configuredRedirect
            : load != null ? load : HelloDecision.ACCEPT;
        ServerApplication app = applications.find(epd.path());
        if (app == null || !app.handlesHandshake() || responder == null) {
          if (configuredRedirect != null) {
            metrics.redirected(RedirectReason.CONFIGURED);
          } else if (load != null) {
            metrics.redirected(RedirectReason.LOAD);
          }
          return otherwise;
        }
        // Lua onHandshake (CUMULUS-FEATURES §4): its addresses, else what the node would do anyway.
        int attempt = introducer.attempts().seen(tag, System.nanoTime());
        return counted(Introducer.answer(
            app.onHandshake(from, Applications.normalize(epd.path()), properties(epd.query()), attempt),
            tag, from, counting(responder, RedirectReason.APPLICATION), otherwise), RedirectReason.APPLICATION);
      }
      case PEER_ID -> {
        if (Arrays.equals(epd.peerId(), identity.peerId())) {
          return HelloDecision.ACCEPT;
        }
        return responder == null ? HelloDecision.IGNORE
            : counted(introducer.onPeerHello(epd, tag, from, counting(responder, RedirectReason.INTRODUCTION)),
                RedirectReason.INTRODUCTION);
      }
      default -> {
        drops.drop(DropCause.BAD_ENDPOINT_DISCRIMINATOR, System.nanoTime(), "IHello from " + from);
        return HelloDecision.IGNORE;
      }
    }
  }

  /** {@code a=1&b=x%20y} → an ordered map (URL-decoded, bounded). */
  static Map<String, String> properties(String query) {
    if (query == null || query.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty() || out.size() >= MAX_PROPERTIES) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.put(k, v);
      } catch (IllegalArgumentException e) {
        // a malformed escape: that parameter is skipped
      }
    }
    return out;
  }

  @Override
  public SessionHandler onSessionOpened(Session session) {
    NetConnection nc = new NetConnection(session, applications, streams, drops, keepAliveServerMs, keepAlivePeerMs)
        .netGroups(groups);
    LocalPeer peer = introducer.opened(session);
    if (peer != null) {
      nc.peerEvents(new NetConnection.PeerEvents() {
        @Override
        public void onPeerInfo(Client client, List<String> addresses) {
          introducer.peerInfo(peer, addresses);
        }

        @Override
        public void onClosed(Client client) {
          introducer.closed(peer);
        }
      });
    }
    return metrics.sessionOpened(nc);
  }
}
