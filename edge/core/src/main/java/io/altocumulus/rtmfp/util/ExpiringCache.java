package io.altocumulus.rtmfp.util;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounded map whose entries expire a fixed time after insertion. Used for state that a proven
 * source may create (cookie replay records, hello attempts): its size can never exceed the bound,
 * so hostile traffic cannot grow it. Not thread-safe: one per event loop.
 */
public final class ExpiringCache<K, V> {
  private static final class Entry<V> {
    final V value;
    final long expiresAt;

    Entry(V value, long expiresAt) {
      this.value = value;
      this.expiresAt = expiresAt;
    }
  }

  private final LinkedHashMap<K, Entry<V>> map = new LinkedHashMap<>();
  private final int capacity;
  private final long ttlNanos;

  public ExpiringCache(int capacity, long ttlNanos) {
    this.capacity = capacity;
    this.ttlNanos = ttlNanos;
  }

  public V get(K key, long now) {
    Entry<V> e = map.get(key);
    if (e == null) {
      return null;
    }
    if (now - e.expiresAt >= 0) {
      map.remove(key);
      return null;
    }
    return e.value;
  }

  /** Inserts; returns false (and stores nothing) when full even after dropping expired entries. */
  public boolean put(K key, V value, long now) {
    if (map.size() >= capacity) {
      expire(now);
      if (map.size() >= capacity) {
        return false;
      }
    }
    map.put(key, new Entry<>(value, now + ttlNanos));
    return true;
  }

  public V remove(K key) {
    Entry<V> e = map.remove(key);
    return e == null ? null : e.value;
  }

  /** Drops expired entries; insertion order equals expiry order, so this stops at the first live one. */
  public void expire(long now) {
    Iterator<Map.Entry<K, Entry<V>>> it = map.entrySet().iterator();
    while (it.hasNext()) {
      if (now - it.next().getValue().expiresAt >= 0) {
        it.remove();
      } else {
        break;
      }
    }
  }

  public int size() {
    return map.size();
  }
}
