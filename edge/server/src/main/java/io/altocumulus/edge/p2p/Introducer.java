package io.altocumulus.edge.p2p;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.NodeHooks;
import io.altocumulus.edge.p2p.PeerIndex.LocalPeer;
import io.altocumulus.rendezvous.EdgeCallbacks;
import io.altocumulus.rendezvous.Introduction;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.PeerDirectory;
import io.altocumulus.rendezvous.PeerRecord;
import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.handshake.HelloResponder;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import io.altocumulus.rtmfp.wire.PeerAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * P2P introductions (RTMFP-WIRE §6.3, RFC 7016 §3.5.1.1.2 forwarder and redirector): an IHello
 * whose discriminator is a peer id gets, when the peer is here and has sent setPeerInfo, a
 * forwarded IHello to the target inside its own session (on its loop) and a Redirect to the
 * initiator listing the target's addresses. An unknown target goes to {@code onRendezVousUnknown}
 * if an app registered it, else to the cluster's peer directory, else gets no answer. Called on
 * any event loop; holds no per-IHello state beyond {@link TagAttempts}.
 */
public final class Introducer implements EdgeCallbacks {
  private static final Logger LOG = LoggerFactory.getLogger(Introducer.class);
  /** An app or directory that has not answered by then: no answer (the initiator retries). */
  public static final long ANSWER_TIMEOUT_MILLIS = 5_000;

  private final PeerIndex index;
  private final TagAttempts attempts;
  private final Applications applications;
  private final PeerDirectory directory;
  private final String edgeId;
  private final LongSupplier clock;

  private final LongAdder introductions = new LongAdder();
  private final LongAdder remoteIntroductions = new LongAdder();
  private final LongAdder notIntroducible = new LongAdder();
  private final LongAdder unanswered = new LongAdder();
  private final LongAdder addressChanges = new LongAdder();
  private final LongAdder selfIntroductions = new LongAdder();

  /**
   * @param directory the cluster directory, or null (node-local introductions only)
   * @param edgeId this node's id in the directory
   */
  public Introducer(PeerIndex index, TagAttempts attempts, Applications applications, PeerDirectory directory,
      String edgeId, LongSupplier clock) {
    this.index = index;
    this.attempts = attempts;
    this.applications = applications;
    this.directory = directory;
    this.edgeId = edgeId;
    this.clock = clock;
  }

  public PeerIndex index() {
    return index;
  }

  public TagAttempts attempts() {
    return attempts;
  }

  // ---- the IHello ----

  /** A peer-id IHello that does not name this server (RTMFP-WIRE §6.3). */
  public HelloDecision onPeerHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from,
      HelloResponder responder) {
    Key target = Key.of(epd.peerId());
    int n = attempts.seen(tag, clock.getAsLong()) - 1; // 0 the first time
    LocalPeer t = index.get(target);
    if (t != null) {
      if (!t.session().isOpen()) {
        // RTMFP-WIRE §6.3 step 1: a target whose session is closing gets no introduction, and
        // neither the application nor the directory is asked about it.
        notIntroducible.increment();
        return HelloDecision.IGNORE;
      }
      if (from.equals(t.session().address())) {
        // The initiator names itself: there is nobody to introduce it to.
        selfIntroductions.increment();
        return HelloDecision.IGNORE;
      }
      if (!t.introducible()) {
        // REAL-CLIENTS.md §8: a peer that has not sent setPeerInfo does not want to be reached.
        notIntroducible.increment();
        return HelloDecision.IGNORE;
      }
      List<PeerAddress> targetAddresses = t.redirectAddresses();
      PeerAddress reply = initiatorAddress(from, n, targetAddresses.get(0).address().getAddress());
      byte[] epdBytes = epd.encoded();
      Session s = t.session();
      s.loop().execute(() -> s.forwardIHello(epdBytes, reply, tag));
      introductions.increment();
      return HelloDecision.redirect(targetAddresses);
    }
    return unknownTarget(target, tag, from, n, responder);
  }

  private HelloDecision unknownTarget(Key target, byte[] tag, InetSocketAddress from, int n, HelloResponder responder) {
    NodeHooks hooks = applications.nodeHooks();
    if (hooks.handlesRendezVousUnknown()) {
      return answer(hooks.onRendezVousUnknown(target.bytes()), tag, from, responder, HelloDecision.IGNORE);
    }
    if (directory == null) {
      unanswered.increment();
      return HelloDecision.IGNORE;
    }
    if (!responder.defer()) {
      return HelloDecision.IGNORE;
    }
    directory.lookup(target).toCompletableFuture().copy()
        .orTimeout(ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .whenComplete((found, err) -> responder.answer(tag, from, remote(target, tag, from, n, found, err)));
    return HelloDecision.PENDING;
  }

  /** The directory's answer: another edge has the peer; it sends the forwarded IHello. */
  private HelloDecision remote(Key target, byte[] tag, InetSocketAddress from, int n, Optional<PeerRecord> found,
      Throwable err) {
    if (err != null || found == null || found.isEmpty() || found.get().addresses().isEmpty()
        || edgeId.equals(found.get().edgeId())) {
      unanswered.increment();
      return HelloDecision.IGNORE;
    }
    PeerRecord r = found.get();
    PeerAddress reply = initiatorAddress(from, n, r.addresses().get(0).getAddress());
    directory.introduce(new Introduction(target, reply.address(), reply.origin(), tag))
        .whenComplete((v, e) -> {
          if (e != null) {
            LOG.debug("introduction to {} through the directory failed", target, e);
          }
        });
    remoteIntroductions.increment();
    return HelloDecision.redirect(flagged(r.addresses()));
  }

  /**
   * The initiator's address the target is told (RTMFP-WIRE §6.3): its observed address, or on a
   * retry or behind the same public IP as the target, entry {@code (n + sameIp) mod count} of its
   * own address book, so retries walk its private addresses.
   */
  PeerAddress initiatorAddress(InetSocketAddress from, int n, InetAddress targetPublicIp) {
    boolean sameIp = from.getAddress().equals(targetPublicIp);
    if (n > 0 || sameIp) {
      LocalPeer self = index.atAddress(from);
      if (self != null) {
        List<InetSocketAddress> book = self.addresses();
        int i = (int) ((n + (sameIp ? 1L : 0L)) % book.size());
        return new PeerAddress(book.get(i), i == 0 ? PeerAddress.ORIGIN_OBSERVED : PeerAddress.ORIGIN_REPORTED);
      }
    }
    return PeerAddress.observed(from);
  }

  /** First address origin 2, the others 1 (RTMFP-WIRE §4.10; never 0, REAL-CLIENTS.md §6). */
  public static List<PeerAddress> flagged(List<InetSocketAddress> addresses) {
    List<PeerAddress> out = new ArrayList<>(addresses.size());
    for (InetSocketAddress a : addresses) {
      if (a != null && a.getAddress() != null && out.size() < 32) {
        out.add(new PeerAddress(a, out.isEmpty() ? PeerAddress.ORIGIN_OBSERVED : PeerAddress.ORIGIN_REPORTED));
      }
    }
    return out;
  }

  /**
   * Turns an application's redirect list into the IHello's answer: inline when the stage is
   * already complete, else deferred through {@code responder} (or IGNORE when too many answers
   * are pending). An empty list, an error or a timeout give {@code ifEmpty}.
   */
  public static HelloDecision answer(CompletionStage<List<InetSocketAddress>> stage, byte[] tag,
      InetSocketAddress from, HelloResponder responder, HelloDecision ifEmpty) {
    CompletableFuture<List<InetSocketAddress>> f = stage.toCompletableFuture();
    if (f.isDone()) {
      return decisionOf(f.handle((v, e) -> e == null ? v : null).join(), ifEmpty);
    }
    if (!responder.defer()) {
      return HelloDecision.IGNORE;
    }
    f.copy().orTimeout(ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .whenComplete((v, e) -> responder.answer(tag, from, decisionOf(e == null ? v : null, ifEmpty)));
    return HelloDecision.PENDING;
  }

  private static HelloDecision decisionOf(List<InetSocketAddress> list, HelloDecision ifEmpty) {
    List<PeerAddress> flagged = list == null ? List.of() : flagged(list);
    return flagged.isEmpty() ? ifEmpty : HelloDecision.redirect(flagged);
  }

  // ---- peers come and go ----

  /** A session opened on this node (on its loop). */
  public LocalPeer opened(Session session) {
    LocalPeer p = index.opened(session);
    if (p != null) {
      session.addAddressListener((s, previous) -> moved(p));
    }
    return p;
  }

  /**
   * The peer's session moved to a new observed address (on its loop): the index and the directory
   * follow, so that introductions give the current address (RTMFP-WIRE §6.2, §6.3).
   */
  void moved(LocalPeer p) {
    if (!index.moved(p)) {
      return;
    }
    addressChanges.increment();
    if (directory != null && p.introducible() && p.session().isOpen()) {
      register(p);
    }
  }

  private void register(LocalPeer p) {
    directory.register(new PeerRecord(p.id(), edgeId, p.addresses())).whenComplete((v, e) -> {
      if (e != null) {
        LOG.debug("registering peer {} failed", p.id(), e);
      }
    });
  }

  /** setPeerInfo (RTMFP-WIRE §8.5): the peer becomes introducible and is registered cluster-wide. */
  public void peerInfo(LocalPeer p, List<String> addresses) {
    if (p == null) {
      return;
    }
    index.peerInfo(p, addresses);
    if (directory != null) {
      register(p);
    }
  }

  /** The session ended. */
  public void closed(LocalPeer p) {
    if (p == null) {
      return;
    }
    index.closed(p);
    if (directory != null && p.introducible() && index.get(p.id()) == null) {
      directory.unregister(p.id(), edgeId);
    }
  }

  // ---- EdgeCallbacks: another edge's initiator wants one of our peers ----

  @Override
  public void onIntroduction(Introduction in) {
    LocalPeer t = index.get(in.target());
    if (t == null || !t.introducible() || !t.session().isOpen()) {
      return;
    }
    byte[] epd = EndpointDiscriminator.forPeerId(in.target().bytes()).encoded();
    PeerAddress reply = new PeerAddress(in.initiatorAddress(),
        in.origin() == PeerAddress.ORIGIN_REPORTED ? PeerAddress.ORIGIN_REPORTED : PeerAddress.ORIGIN_OBSERVED);
    Session s = t.session();
    s.loop().execute(() -> s.forwardIHello(epd, reply, in.tag()));
    introductions.increment();
  }

  @Override
  public void onGroupNeighbour(Key group, Key member, Key neighbour) {
    // NetGroup ring repair belongs to the group layer; an edge composes both callbacks.
  }

  /** Re-registers every introducible local peer (a shard lost our records). */
  @Override
  public void onResyncNeeded() {
    if (directory == null) {
      return;
    }
    index.forEach(p -> {
      if (p.introducible() && p.session().isOpen()) {
        directory.register(new PeerRecord(p.id(), edgeId, p.addresses()));
      }
    });
  }

  // ---- counters ----

  /** Forwarded IHellos sent to local targets (for local and remote initiators). */
  public long introductions() {
    return introductions.sum();
  }

  /** Initiators redirected to a peer of another edge. */
  public long remoteIntroductions() {
    return remoteIntroductions.sum();
  }

  /** Peer-id IHellos for a connected peer that has not sent setPeerInfo. */
  public long notIntroducible() {
    return notIntroducible.sum();
  }

  /** Local peers whose session moved to a new address (index and directory updated). */
  public long addressChanges() {
    return addressChanges.sum();
  }

  /** Peer-id IHellos whose initiator named itself (no answer). */
  public long selfIntroductions() {
    return selfIntroductions.sum();
  }

  /** Peer-id IHellos left without an answer (unknown everywhere). */
  public long unanswered() {
    return unanswered.sum();
  }
}
