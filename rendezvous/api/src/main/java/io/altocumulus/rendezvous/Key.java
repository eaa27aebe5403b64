package io.altocumulus.rendezvous;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 32-byte identifier: a peer id (SHA-256 of the peer's certificate, RTMFP-WIRE §6.1) or a
 * NetGroup id (RTMFP-WIRE §8.9). Immutable; the hash is taken from the id's own bytes, which are
 * already uniformly distributed.
 */
public final class Key implements Comparable<Key> {
  public static final int LENGTH = 32;

  private final byte[] bytes;
  private final int hash;

  private Key(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /** A key from 32 raw bytes (copied). */
  public static Key of(byte[] raw) {
    if (raw == null || raw.length != LENGTH) {
      throw new IllegalArgumentException("a key is " + LENGTH + " bytes, got " + (raw == null ? "null" : raw.length));
    }
    return new Key(raw.clone());
  }

  /** A key from 64 hex characters (either case). */
  public static Key ofHex(String hex) {
    if (hex == null || hex.length() != LENGTH * 2) {
      throw new IllegalArgumentException("a key is " + (LENGTH * 2) + " hex characters");
    }
    return new Key(HexFormat.of().parseHex(hex));
  }

  /** The raw bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Lower-case hex, as Lua's {@code client.id} (CUMULUS-FEATURES §5.2). */
  public String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  /** The first 8 bytes as a long: a placement hash for consistent hashing. */
  public long prefix() {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes[i] & 0xFF);
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Key k && hash == k.hash && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(Key o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return hex().substring(0, 16) + "…";
  }
}
