package io.altocumulus.edge.net;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * IP addresses whose datagrams are dropped before any processing (CUMULUS-FEATURES §5.1
 * addToBlacklist, §7 "Ban list"). Written from Lua, read by every event loop; an empty list
 * costs one volatile read per datagram.
 */
public final class Blacklist {
  private final Set<InetAddress> banned = ConcurrentHashMap.newKeySet();
  private volatile boolean empty = true;
  private final LongAdder dropped = new LongAdder();

  public void add(InetAddress a) {
    banned.add(a);
    empty = false;
  }

  public void remove(InetAddress a) {
    banned.remove(a);
    empty = banned.isEmpty();
  }

  public boolean contains(InetAddress a) {
    return banned.contains(a);
  }

  /** True (and counted) when a datagram from {@code a} must be dropped. */
  public boolean drop(InetAddress a) {
    if (empty || !banned.contains(a)) {
      return false;
    }
    dropped.increment();
    return true;
  }

  /** Datagrams dropped so far. */
  public long dropped() {
    return dropped.sum();
  }

  public int size() {
    return banned.size();
  }
}
