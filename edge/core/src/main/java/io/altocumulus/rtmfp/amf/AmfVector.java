package io.altocumulus.rtmfp.amf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * AMF3 Vector (AMF3 spec §3.15). Item types by kind: INT → {@link Integer}, UINT → {@link Long}
 * in [0, 2^32), DOUBLE → {@link Double}, OBJECT → any AMF value. {@code typeName} is the item
 * class name of an OBJECT vector ("" or "*" for untyped; null for the other kinds).
 * Equality is identity; see {@link Amf#deepEquals}.
 */
public final class AmfVector {
  public enum Kind {
    INT(Amf.AMF3_VECTOR_INT),
    UINT(Amf.AMF3_VECTOR_UINT),
    DOUBLE(Amf.AMF3_VECTOR_DOUBLE),
    OBJECT(Amf.AMF3_VECTOR_OBJECT);

    final int marker;

    Kind(int marker) {
      this.marker = marker;
    }
  }

  private final Kind kind;
  private boolean fixed;
  private final String typeName;
  private final ArrayList<Object> values;

  public AmfVector(Kind kind, boolean fixed, String typeName) {
    this(kind, fixed, typeName, 0);
  }

  AmfVector(Kind kind, boolean fixed, String typeName, int capacity) {
    this.kind = Objects.requireNonNull(kind);
    this.fixed = fixed;
    this.typeName = kind == Kind.OBJECT ? (typeName == null ? "" : typeName) : null;
    this.values = new ArrayList<>(capacity);
  }

  public Kind kind() {
    return kind;
  }

  public boolean fixed() {
    return fixed;
  }

  public AmfVector setFixed(boolean f) {
    fixed = f;
    return this;
  }

  public String typeName() {
    return typeName;
  }

  /** The items (mutable); see the class comment for the Java type per kind. */
  public List<Object> values() {
    return values;
  }

  @Override
  public String toString() {
    return Amf.describe(this);
  }
}
