package io.altocumulus.rtmfp.amf;

import java.util.LinkedHashMap;

/**
 * AMF3 Dictionary (AMF3 spec §3.16): keys of any AMF type. Container keys (objects, arrays…)
 * hash by identity, as in ActionScript. Equality is identity; see {@link Amf#deepEquals}.
 */
public final class AmfDictionary {
  private final LinkedHashMap<Object, Object> entries = new LinkedHashMap<>();
  private boolean weakKeys;

  public AmfDictionary() {}

  public AmfDictionary(boolean weakKeys) {
    this.weakKeys = weakKeys;
  }

  public LinkedHashMap<Object, Object> entries() {
    return entries;
  }

  public boolean weakKeys() {
    return weakKeys;
  }

  public AmfDictionary setWeakKeys(boolean w) {
    weakKeys = w;
    return this;
  }

  @Override
  public String toString() {
    return Amf.describe(this);
  }
}
