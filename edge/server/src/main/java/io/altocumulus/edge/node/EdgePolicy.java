package io.altocumulus.edge.node;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.NetConnection;
import io.altocumulus.edge.metrics.EdgeMetrics;
import io.altocumulus.edge.metrics.RedirectReason;
import io.altocumulus.edge.stream.StreamRegistry;
import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.PeerAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

/**
 * The edge's handshake decisions (RTMFP-WIRE §4.1): a URL discriminator in any form (full URL,
 * path only, empty; REAL-CLIENTS.md §7) gets an RHello, or a Redirect when the node is told to
 * send its clients elsewhere; a peer id gets an RHello only if it is ours (P2P introductions come
 * with the rendezvous layer); anything else gets no answer.
 */
final class EdgePolicy implements ResponderPolicy {
  private final ServerIdentity identity;
  private final Applications applications;
  private final DropCounters drops;
  private final List<PeerAddress> redirectTo;
  private final StreamRegistry streams;
  private final int keepAliveServerMs;
  private final int keepAlivePeerMs;
  /** NetGroups of the node (set once by EdgeNode before the first session). */
  io.altocumulus.edge.group.NetGroups groups;
  private final EdgeMetrics metrics;

  EdgePolicy(ServerIdentity identity, Applications applications, StreamRegistry streams, DropCounters drops,
      List<PeerAddress> redirectTo, int keepAliveServerMs, int keepAlivePeerMs, EdgeMetrics metrics) {
    this.metrics = metrics;
    this.streams = streams;
    this.identity = identity;
    this.applications = applications;
    this.drops = drops;
    this.redirectTo = List.copyOf(redirectTo);
    this.keepAliveServerMs = keepAliveServerMs;
    this.keepAlivePeerMs = keepAlivePeerMs;
  }

  @Override
  public HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from) {
    HelloDecision d = decide(epd, from);
    metrics.helloAnswered(d.kind());
    return d;
  }

  private HelloDecision decide(EndpointDiscriminator epd, InetSocketAddress from) {
    switch (epd.kind()) {
      case URL -> {
        if (redirectTo.isEmpty()) {
          return HelloDecision.ACCEPT;
        }
        metrics.redirected(RedirectReason.CONFIGURED);
        return HelloDecision.redirect(redirectTo);
      }
      case PEER_ID -> {
        return Arrays.equals(epd.peerId(), identity.peerId()) ? HelloDecision.ACCEPT : HelloDecision.IGNORE;
      }
      default -> {
        drops.drop(DropCause.BAD_ENDPOINT_DISCRIMINATOR, System.nanoTime(), "IHello from " + from);
        return HelloDecision.IGNORE;
      }
    }
  }

  @Override
  public SessionHandler onSessionOpened(Session session) {
    return metrics.sessionOpened(
        new NetConnection(session, applications, streams, drops, keepAliveServerMs, keepAlivePeerMs).netGroups(groups));
  }
}
