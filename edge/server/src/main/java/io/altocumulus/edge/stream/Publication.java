package io.altocumulus.edge.stream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A named live stream (CUMULUS-FEATURES §7 "Live relay"): at most one publisher, any number of
 * players on any event loop. The publisher's loop does the publication's work; players are
 * grouped per loop, and a message reaches another loop's group with one task per group, not per
 * player. Membership changes (rare) take this object's lock; media never does.
 */
public final class Publication {
  // QoS counters of the publication (publisher side), over 5 s.
  static final int Q_BYTES = 0;
  static final int Q_MESSAGES = 1;
  static final int Q_LOST_FRAGMENTS = 2;

  final String name;
  private final StreamRegistry registry;
  private NetStreamHandler publisher; // guarded by this
  private boolean removed; // guarded by this: out of the registry, must not be used again
  private volatile LoopGroup[] groups = new LoopGroup[0];

  // Caches for late players (RTMFP-WIRE §8.8): written on the publisher's loop, read anywhere.
  volatile byte[] audioConfig;
  volatile byte[] videoConfig;
  volatile DataMessage metadata;
  volatile boolean published;
  final QosWindow qos = new QosWindow(3);

  Publication(String name, StreamRegistry registry) {
    this.name = name;
    this.registry = registry;
  }

  public String name() {
    return name;
  }

  public boolean isPublished() {
    return published;
  }

  /** Players across all loops, as of the groups' last change. */
  public int playerCount() {
    int n = 0;
    for (LoopGroup g : groups) {
      n += g.size;
    }
    return n;
  }

  /** Bytes per second received from the publisher over the last 5 s. */
  public double byteRate(long now) {
    return qos.rate(Q_BYTES, now);
  }

  public long lostFragments(long now) {
    return qos.sum(Q_LOST_FRAGMENTS, now);
  }

  // ---- membership ----

  /**
   * Claims the publication: TRUE, FALSE if someone else publishes it (NetStream.Publish.BadName),
   * null if it left the registry meanwhile (the caller looks it up again).
   */
  synchronized Boolean startPublishing(NetStreamHandler p) {
    if (removed) {
      return null;
    }
    if (publisher != null) {
      return Boolean.FALSE;
    }
    publisher = p;
    audioConfig = null;
    videoConfig = null;
    metadata = null;
    published = true;
    return Boolean.TRUE;
  }

  /** Releases the publication; true if {@code p} was its publisher. */
  synchronized boolean stopPublishing(NetStreamHandler p) {
    if (publisher != p) {
      return false;
    }
    publisher = null;
    published = false;
    return true;
  }

  synchronized NetStreamHandler publisher() {
    return publisher;
  }

  /**
   * The group of the player's loop, created if needed (called on the player's loop); null if the
   * publication left the registry meanwhile.
   */
  synchronized LoopGroup group(int loopIndex, Executor loop) {
    if (removed) {
      return null;
    }
    for (LoopGroup g : groups) {
      if (g.loopIndex == loopIndex) {
        return g;
      }
    }
    LoopGroup g = new LoopGroup(this, loopIndex, loop);
    LoopGroup[] next = Arrays.copyOf(groups, groups.length + 1);
    next[groups.length] = g;
    groups = next;
    return g;
  }

  /** Drops an empty group and, if nothing is left, the publication itself. */
  synchronized void groupEmptied(LoopGroup g) {
    if (g.size > 0) {
      return;
    }
    List<LoopGroup> keep = new ArrayList<>(Arrays.asList(groups));
    keep.remove(g);
    groups = keep.toArray(new LoopGroup[0]);
    maybeRelease();
  }

  synchronized void maybeRelease() {
    if (publisher == null && groups.length == 0 && !removed) {
      removed = true;
      registry.remove(this);
    }
  }

  // ---- fan-out (publisher's loop) ----

  /**
   * Runs {@code action} for every loop group: directly for the publisher's own loop, as one task
   * per other loop. Tasks on one loop run in order, so notifications and media stay ordered.
   */
  void forEachGroup(int fromLoop, Consumer<LoopGroup> action) {
    for (LoopGroup g : groups) {
      if (g.loopIndex == fromLoop) {
        action.accept(g);
      } else {
        g.executor.execute(() -> action.accept(g));
      }
    }
  }
}
