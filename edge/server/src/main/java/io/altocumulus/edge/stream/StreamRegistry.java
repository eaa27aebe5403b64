package io.altocumulus.edge.stream;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/** The node's publications by name (Lua {@code cumulus.publications}, CUMULUS-FEATURES §5.9). Thread-safe. */
public final class StreamRegistry {
  private final ConcurrentHashMap<String, Publication> publications = new ConcurrentHashMap<>();
  private final RelayConfig relay;
  private final LongSupplier clock;
  private final CopyOnWriteArrayList<Consumer<Object>> releaseListeners = new CopyOnWriteArrayList<>();
  // Node totals for the metrics (issue 7): publications come and go, these never go back.
  final LongAdder relayedBytes = new LongAdder();
  final LongAdder keyframeWaitDrops = new LongAdder();
  final LongAdder publisherLostFragments = new LongAdder();

  public StreamRegistry(RelayConfig relay) {
    this(relay, System::nanoTime);
  }

  /** {@code clock}: nanoseconds, the same clock as the sessions' {@code now()} (QoS windows). */
  public StreamRegistry(RelayConfig relay, LongSupplier clock) {
    this.relay = relay;
    this.clock = clock;
  }

  public RelayConfig relay() {
    return relay;
  }

  /** Audio/video message bytes (5-byte header included) queued toward players, since start. */
  public long relayedBytes() {
    return relayedBytes.sum();
  }

  /** Video frames from publishers held back until a keyframe (RTMFP-WIRE §8.8), since start. */
  public long keyframeWaitDrops() {
    return keyframeWaitDrops.sum();
  }

  /** Fragments publishers lost on their way here (gaps in their media flows), since start. */
  public long publisherLostFragments() {
    return publisherLostFragments.sum();
  }

  public LongSupplier clock() {
    return clock;
  }

  /**
   * The publication of {@code name}, held in the registry until {@link Publication#unreserve()}
   * (made if needed): what an application is shown while it decides on a publish or a play.
   */
  Publication reserve(String name) {
    while (true) {
      Publication p = publications.computeIfAbsent(name, n -> new Publication(n, this));
      if (p.reserve()) {
        return p;
      }
    }
  }

  /** Claims {@code name} for a publisher: the publication, or null if it is already published. */
  Publication claim(String name, Object publisher, int publisherId) {
    while (true) {
      Publication p = publications.computeIfAbsent(name, n -> new Publication(n, this));
      Boolean ok = p.startPublishing(publisher, publisherId);
      if (ok != null) {
        return ok ? p : null;
      }
    }
  }

  /** The group of {@code name}'s players on a loop (the publication is made if needed). */
  LoopGroup join(String name, int loopIndex, Executor loop) {
    while (true) {
      Publication p = publications.computeIfAbsent(name, n -> new Publication(n, this));
      LoopGroup g = p.group(loopIndex, loop);
      if (g != null) {
        return g;
      }
    }
  }

  void remove(Publication p) {
    publications.remove(p.name, p);
    released(p);
  }

  /**
   * Told (on any thread) when a {@link Publication} leaves the registry or a {@link Player} ends,
   * after the application events about it were raised: bindings forget their objects then (the
   * Lua host's persistent tables).
   */
  public void addReleaseListener(Consumer<Object> listener) {
    releaseListeners.add(listener);
  }

  void released(Object o) {
    for (Consumer<Object> l : releaseListeners) {
      try {
        l.accept(o);
      } catch (RuntimeException e) {
        // a binding's bookkeeping must not break the relay
      }
    }
  }

  /**
   * A publication owned by the server (Lua {@code cumulus:publish(name)}): null if {@code name} is
   * already published. No application event is raised for it.
   */
  public ServerPublication publish(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a publication needs a name");
    }
    ServerPublication sp = new ServerPublication(this);
    Publication p = claim(name, sp, Publication.SERVER_PUBLISHER_ID);
    if (p == null) {
      return null;
    }
    sp.bind(p);
    p.forEachGroup(-1, LoopGroup::onPublish); // players already waiting: PublishNotify
    return sp;
  }

  /** The publication of {@code name} (published, or with waiting players), or null. */
  public Publication find(String name) {
    return publications.get(name);
  }

  /** Every publication, published or with waiting players (weakly consistent view). */
  public Collection<Publication> all() {
    return publications.values();
  }

  public int count() {
    return publications.size();
  }
}
