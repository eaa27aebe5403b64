package io.altocumulus.rtmfp.handshake;

import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.crypto.DhKeyPair;
import io.altocumulus.rtmfp.crypto.KeyingComponents;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The responder's Diffie-Hellman key pairs, one per group, shared by the crypto workers. A pair is
 * reused for a short time (default 60 s or 100,000 handshakes) and then replaced: generating one
 * costs as much as the shared secret itself, and session keys stay unique because each depends
 * on the initiator's fresh key and random SKIC (RTMFP-WIRE §4.9). Thread-safe without locks.
 */
public final class ServerKeys {
  /** A key pair with the SKRC that carries its public key (RTMFP-WIRE §4.6). */
  public static final class Entry {
    public final DhKeyPair pair;
    public final byte[] skrc;
    final long createdAt;
    final AtomicInteger uses = new AtomicInteger();

    Entry(DhKeyPair pair, long createdAt) {
      this.pair = pair;
      this.skrc = KeyingComponents.responderSkrc(pair.group(), pair.publicKey());
      this.createdAt = createdAt;
    }
  }

  private final EnumMap<DhGroup, AtomicReference<Entry>> current = new EnumMap<>(DhGroup.class);
  private final long lifetimeNanos;
  private final int maxUses;
  private final ThreadLocal<SecureRandom> random = ThreadLocal.withInitial(SecureRandom::new);

  public ServerKeys(long lifetimeNanos, int maxUses) {
    this.lifetimeNanos = lifetimeNanos;
    this.maxUses = maxUses;
    for (DhGroup g : DhGroup.values()) {
      current.put(g, new AtomicReference<>());
    }
  }

  public ServerKeys() {
    this(60_000_000_000L, 100_000);
  }

  /**
   * Keys that answer with {@code pinned} for its group, for ever: a P2P responder's keying must use
   * the static key its certificate carries ({@link PeerIdentity}). Other groups rotate as usual.
   */
  public static ServerKeys pinned(DhKeyPair pinned) {
    ServerKeys k = new ServerKeys(Long.MAX_VALUE, Integer.MAX_VALUE);
    k.pinnedGroup = pinned.group();
    k.current.get(pinned.group()).set(new Entry(pinned, 0));
    return k;
  }

  private DhGroup pinnedGroup;

  /** The key pair to use now for {@code group}; may generate one (call off the event loop). */
  public Entry get(DhGroup group, long now) {
    AtomicReference<Entry> ref = current.get(group);
    Entry e = ref.get();
    if (group == pinnedGroup) {
      return e;
    }
    if (e == null || now - e.createdAt >= lifetimeNanos || e.uses.incrementAndGet() > maxUses) {
      Entry fresh = new Entry(DhKeyPair.generate(group, random.get()), now);
      fresh.uses.incrementAndGet();
      ref.compareAndSet(e, fresh);
      return fresh;
    }
    return e;
  }
}
