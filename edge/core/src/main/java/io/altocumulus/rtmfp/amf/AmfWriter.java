package io.altocumulus.rtmfp.amf;

import java.util.Map;
import java.util.Objects;

/**
 * Common part of {@link Amf0Writer} and {@link Amf3Writer}: both append to an {@link AmfOutput}
 * (which may already hold a message header). Values that cannot be encoded (unknown Java types,
 * nesting deeper than {@link AmfLimits#maxDepth()}, over-long strings…) give
 * {@link IllegalArgumentException}; the output then holds a partial value.
 */
public abstract class AmfWriter {
  final AmfOutput out;
  final AmfContext ctx;
  int depth;

  AmfWriter(AmfOutput out, AmfContext ctx) {
    this.out = Objects.requireNonNull(out);
    this.ctx = Objects.requireNonNull(ctx);
  }

  /** The buffer written into. */
  public AmfOutput output() {
    return out;
  }

  /** Forgets the reference tables (start of a new message). */
  public abstract void reset();

  /** Writes any value of the model (see the package comment), plus Map, List and Object[]. */
  public abstract void writeValue(Object v);

  public abstract void writeString(String s);

  public abstract void writeNumber(double d);

  public abstract void writeNull();

  public abstract void writeBoolean(boolean b);

  public abstract void writeUndefined();

  /** An integer: AMF3 integer where the encoding has one, else a number. */
  public abstract void writeInteger(int i);

  /**
   * Writes the values both encodings map the same way — null, undefined, booleans, numbers (small
   * integer types as integers) — and returns true; false for anything else.
   */
  protected final boolean writeScalar(Object v) {
    if (v == null) {
      writeNull();
    } else if (v == Amf.UNDEFINED) {
      writeUndefined();
    } else if (v instanceof Boolean b) {
      writeBoolean(b);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      writeInteger(((Number) v).intValue());
    } else if (v instanceof Number n) {
      writeNumber(n.doubleValue());
    } else {
      return false;
    }
    return true;
  }

  /** Writes an anonymous object with these members. */
  public abstract void writeObject(Map<String, ?> members);

  final void enter() {
    if (++depth > ctx.limits().maxDepth()) {
      depth = 0;
      throw new IllegalArgumentException("AMF value nested deeper than " + ctx.limits().maxDepth());
    }
  }

  final void exit() {
    depth--;
  }
}
