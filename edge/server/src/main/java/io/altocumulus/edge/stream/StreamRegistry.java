package io.altocumulus.edge.stream;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/** The node's publications by name (Lua {@code cumulus.publications} later). Thread-safe. */
public final class StreamRegistry {
  private final ConcurrentHashMap<String, Publication> publications = new ConcurrentHashMap<>();
  private final RelayConfig relay;

  public StreamRegistry(RelayConfig relay) {
    this.relay = relay;
  }

  public RelayConfig relay() {
    return relay;
  }

  /** Claims {@code name} for a publisher: the publication, or null if it is already published. */
  Publication claim(String name, NetStreamHandler publisher) {
    while (true) {
      Publication p = publications.computeIfAbsent(name, n -> new Publication(n, this));
      Boolean ok = p.startPublishing(publisher);
      if (ok != null) {
        return ok ? p : null;
      }
    }
  }

  /** The group of {@code name}'s players on a loop (the publication is made if needed). */
  LoopGroup join(String name, int loopIndex, java.util.concurrent.Executor loop) {
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
  }

  public Publication find(String name) {
    return publications.get(name);
  }

  public Collection<Publication> all() {
    return publications.values();
  }
}
