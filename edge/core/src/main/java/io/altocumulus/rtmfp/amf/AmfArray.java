package io.altocumulus.rtmfp.amf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * An ActionScript Array: a dense part (indices 0..n-1) and an associative part (string keys).
 * AMF0 strict arrays read into the dense part only; AMF0 ECMA arrays put the keys "0", "1", …
 * that arrive in order into the dense part and every other key into the associative part.
 * Writers in pure AMF0 write a strict array when the associative part is empty, else an ECMA
 * array. Equality is identity; see {@link Amf#deepEquals}.
 */
public final class AmfArray {
  private final ArrayList<Object> dense;
  private final LinkedHashMap<String, Object> associative = new LinkedHashMap<>();

  public AmfArray() {
    dense = new ArrayList<>();
  }

  AmfArray(int capacity) {
    dense = new ArrayList<>(capacity);
  }

  /** A dense array holding {@code values}. */
  public static AmfArray of(Collection<?> values) {
    AmfArray a = new AmfArray(values.size());
    a.dense.addAll(values);
    return a;
  }

  public static AmfArray of(Object... values) {
    return of(java.util.Arrays.asList(values));
  }

  public List<Object> dense() {
    return dense;
  }

  public LinkedHashMap<String, Object> associative() {
    return associative;
  }

  @Override
  public String toString() {
    return "AmfArray" + Amf.describe(this);
  }
}
