package io.altocumulus.cluster.redirect;

import io.altocumulus.proto.cluster.v1.NodeInfo;
import io.altocumulus.proto.cluster.v1.Role;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Where a node sends the clients it should not take (issue 6 "Load-aware redirect";
 * ARCHITECTURE.md): the IHello is answered with a Redirect (RTMFP-WIRE, chunk 0x71) listing other
 * edges' {@code publicAddress}. Pure: time and randomness are injected.
 *
 * <p>Whether to redirect: a draining node always does; an over-capacity node starts at
 * {@code sessions >= capacity} and stops only once {@code sessions <= capacity * lowWater} and it
 * has redirected for at least {@code minRedirectMs}, so it does not flap around its capacity.
 *
 * <p>Where to: edges other than this one, registered now (the caller passes the live membership
 * view, so a node whose registration is gone is never chosen), not draining, weight above 0, with
 * a public address and load headroom ({@code 1 - sessions/capacity}; 1 without a capacity).
 * Eligibility has hysteresis too: a node enters when its headroom reaches {@code enterHeadroom}
 * and leaves when it falls under {@code leaveHeadroom}, and a node that left stays out for
 * {@code minRedirectMs}. From the eligible nodes, up to {@code maxTargets} are drawn at random
 * in proportion to {@code weight x headroom}: the registered load is up to a few seconds old,
 * and always naming the same best node would send it every redirected client until its next
 * load write. Flash sends its IHello to every address listed and keeps the first that answers.
 *
 * <p>Thread-safe (synchronized: it runs per redirected IHello, not per packet).
 */
public final class RedirectPolicy {
  /** Tuning, with defaults from {@link #defaults()}. */
  public record Settings(int maxTargets, double lowWater, double enterHeadroom, double leaveHeadroom,
      long minRedirectMs) {
    public Settings {
      if (maxTargets < 1 || lowWater <= 0 || lowWater > 1 || leaveHeadroom < 0
          || enterHeadroom < leaveHeadroom || enterHeadroom > 1 || minRedirectMs < 0) {
        throw new IllegalArgumentException("bad redirect settings " + this);
      }
    }

    public static Settings defaults() {
      return new Settings(3, 0.90, 0.15, 0.05, 5_000);
    }
  }

  private final String selfId;
  private final Settings settings;
  private final LongSupplier clockMs;
  private final RandomGenerator random;
  private final Set<String> eligible = new HashSet<>();
  private final Map<String, Long> leftAtMs = new HashMap<>();
  private boolean overCapacity;
  private long overSinceMs;

  public RedirectPolicy(String selfId, Settings settings, LongSupplier clockMs, RandomGenerator random) {
    this.selfId = selfId;
    this.settings = settings;
    this.clockMs = clockMs;
    this.random = random;
  }

  /** With default settings, the wall clock and a fresh random generator. */
  public static RedirectPolicy create(String selfId) {
    return new RedirectPolicy(selfId, Settings.defaults(), System::currentTimeMillis,
        java.util.concurrent.ThreadLocalRandom.current());
  }

  /**
   * Whether this node should answer a new client's IHello with a Redirect.
   *
   * @param self this node's registration (draining flag, capacity)
   * @param sessions sessions open on this node now (not the registered snapshot, which lags)
   */
  public synchronized boolean shouldRedirect(NodeInfo self, int sessions) {
    if (self.getDraining()) {
      return true;
    }
    int capacity = self.getCapacity();
    if (capacity == 0) {
      overCapacity = false;
      return false;
    }
    long now = clockMs.getAsLong();
    if (!overCapacity) {
      if (sessions >= capacity) {
        overCapacity = true;
        overSinceMs = now;
      }
    } else if (sessions <= capacity * settings.lowWater() && now - overSinceMs >= settings.minRedirectMs()) {
      overCapacity = false;
    }
    return overCapacity;
  }

  /**
   * The public addresses to list in a Redirect, best first by draw; empty when no other edge can
   * take the client (the caller then serves it, or refuses it if full).
   *
   * @param nodes the live membership view (this node's own entry is skipped)
   */
  public synchronized List<String> targets(Collection<NodeInfo> nodes) {
    long now = clockMs.getAsLong();
    Set<String> present = new HashSet<>();
    List<NodeInfo> candidates = new ArrayList<>();
    List<Double> scores = new ArrayList<>();
    for (NodeInfo n : nodes) {
      String id = n.getId();
      present.add(id);
      if (id.equals(selfId)) {
        continue;
      }
      boolean usable = n.getRolesList().contains(Role.ROLE_EDGE) && !n.getDraining()
          && n.getWeight() > 0 && !n.getPublicAddress().isEmpty();
      double headroom = headroom(n);
      boolean was = eligible.contains(id);
      boolean is;
      if (!usable) {
        is = false;
      } else if (was) {
        is = headroom >= settings.leaveHeadroom();
      } else {
        Long left = leftAtMs.get(id);
        is = headroom >= settings.enterHeadroom()
            && (left == null || now - left >= settings.minRedirectMs());
      }
      if (was && !is) {
        eligible.remove(id);
        leftAtMs.put(id, now);
      } else if (is) {
        eligible.add(id);
      }
      if (is) {
        candidates.add(n);
        scores.add(n.getWeight() * Math.max(headroom, 0.001));
      }
    }
    eligible.retainAll(present);  // gone from ZooKeeper: gone from here
    leftAtMs.keySet().retainAll(present);
    List<String> chosen = new ArrayList<>();
    while (chosen.size() < settings.maxTargets() && !candidates.isEmpty()) {
      double total = 0;
      for (double s : scores) {
        total += s;
      }
      double x = random.nextDouble() * total;
      int i = 0;
      while (i < scores.size() - 1 && (x -= scores.get(i)) >= 0) {
        i++;
      }
      chosen.add(candidates.remove(i).getPublicAddress());
      scores.remove(i);
    }
    return chosen;
  }

  private static double headroom(NodeInfo n) {
    if (n.getCapacity() == 0) {
      return 1.0;
    }
    return 1.0 - (double) n.getLoad().getSessions() / n.getCapacity();
  }
}
