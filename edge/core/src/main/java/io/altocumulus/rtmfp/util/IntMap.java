package io.altocumulus.rtmfp.util;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Open-addressing map from non-zero int keys to values: the session table looks up a session per
 * datagram, and a boxed {@code HashMap<Integer,...>} would allocate for most random ids. Not
 * thread-safe: one instance per event loop.
 */
public final class IntMap<V> {
  private int[] keys;
  private Object[] values;
  private int size;
  private int mask;

  public IntMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
    keys = new int[cap];
    values = new Object[cap];
    mask = cap - 1;
  }

  private static int mix(int k) {
    int h = k * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  @SuppressWarnings("unchecked")
  public V get(int key) {
    if (key == 0) {
      return null;
    }
    int i = mix(key) & mask;
    while (true) {
      int k = keys[i];
      if (k == key) {
        return (V) values[i];
      }
      if (k == 0) {
        return null;
      }
      i = (i + 1) & mask;
    }
  }

  public boolean containsKey(int key) {
    return get(key) != null;
  }

  public void put(int key, V value) {
    if (key == 0 || value == null) {
      throw new IllegalArgumentException("key 0 and null values are reserved");
    }
    if ((size + 1) * 2 > keys.length) {
      resize(keys.length * 2);
    }
    int i = mix(key) & mask;
    while (keys[i] != 0 && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (keys[i] == 0) {
      size++;
    }
    keys[i] = key;
    values[i] = value;
  }

  @SuppressWarnings("unchecked")
  public V remove(int key) {
    if (key == 0) {
      return null;
    }
    int i = mix(key) & mask;
    while (keys[i] != key) {
      if (keys[i] == 0) {
        return null;
      }
      i = (i + 1) & mask;
    }
    V old = (V) values[i];
    keys[i] = 0;
    values[i] = null;
    size--;
    // Backward-shift deletion keeps probe chains intact without tombstones.
    int j = (i + 1) & mask;
    while (keys[j] != 0) {
      int k = keys[j];
      int home = mix(k) & mask;
      boolean move = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
      if (move) {
        keys[i] = k;
        values[i] = values[j];
        keys[j] = 0;
        values[j] = null;
        i = j;
      }
      j = (j + 1) & mask;
    }
    return old;
  }

  public int size() {
    return size;
  }

  @SuppressWarnings("unchecked")
  public void forEachValue(Consumer<V> action) {
    // Iterate over a snapshot so the action may remove entries.
    Object[] snap = Arrays.copyOf(values, values.length);
    for (Object v : snap) {
      if (v != null) {
        action.accept((V) v);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void resize(int cap) {
    int[] ok = keys;
    Object[] ov = values;
    keys = new int[cap];
    values = new Object[cap];
    mask = cap - 1;
    size = 0;
    for (int i = 0; i < ok.length; i++) {
      if (ok[i] != 0) {
        put(ok[i], (V) ov[i]);
      }
    }
  }
}
