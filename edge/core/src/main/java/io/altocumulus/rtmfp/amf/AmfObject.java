package io.altocumulus.rtmfp.amf;

import java.util.LinkedHashMap;

/**
 * An ActionScript object: anonymous ({@code className == null}) or typed, with sealed members
 * (AMF3 traits; for AMF0 typed objects, all members) and dynamic members (AMF0 anonymous object
 * members, AMF3 dynamic members). Externalizable objects carry whatever their
 * {@link AmfExternalizer} makes of the body in {@link #externalData()}.
 *
 * <p>Equality is identity, as for AMF references; see {@link Amf#deepEquals}.
 */
public final class AmfObject {
  private final String className;
  private final LinkedHashMap<String, Object> sealed = new LinkedHashMap<>();
  private final LinkedHashMap<String, Object> dynamic = new LinkedHashMap<>();
  private boolean isDynamic;
  private boolean externalizable;
  private Object externalData;

  /** An anonymous dynamic object. */
  public AmfObject() {
    this(null);
  }

  /** A typed object ({@code null} or "" = anonymous); anonymous ones are dynamic. */
  public AmfObject(String className) {
    this.className = className == null || className.isEmpty() ? null : className;
    this.isDynamic = this.className == null;
  }

  /** An externalizable object of {@code className} whose body is {@code data}. */
  public static AmfObject externalized(String className, Object data) {
    AmfObject o = new AmfObject(className);
    o.externalizable = true;
    o.isDynamic = false;
    o.externalData = data;
    return o;
  }

  /** Class name, or null for an anonymous object. */
  public String className() {
    return className;
  }

  /** Sealed members in trait order (mutable). */
  public LinkedHashMap<String, Object> sealed() {
    return sealed;
  }

  /** Dynamic members in wire order (mutable). */
  public LinkedHashMap<String, Object> dynamicProperties() {
    return dynamic;
  }

  /** The AMF3 trait "dynamic" flag; a writer also treats the object as dynamic when it has dynamic members. */
  public boolean isDynamic() {
    return isDynamic;
  }

  public AmfObject setDynamic(boolean d) {
    isDynamic = d;
    return this;
  }

  public boolean isExternalizable() {
    return externalizable;
  }

  public AmfObject setExternalizable(boolean e) {
    externalizable = e;
    return this;
  }

  public Object externalData() {
    return externalData;
  }

  public AmfObject setExternalData(Object data) {
    externalData = data;
    return this;
  }

  /** A member by name: sealed first, then dynamic; null when absent. */
  public Object get(String name) {
    Object v = sealed.get(name);
    return v != null || sealed.containsKey(name) ? v : dynamic.get(name);
  }

  public boolean has(String name) {
    return sealed.containsKey(name) || dynamic.containsKey(name);
  }

  /** Sets a member: replaces a sealed one of that name, else sets a dynamic one. */
  public AmfObject put(String name, Object value) {
    if (sealed.containsKey(name)) {
      sealed.put(name, value);
    } else {
      dynamic.put(name, value);
    }
    return this;
  }

  /** Number of members (sealed + dynamic). */
  public int size() {
    return sealed.size() + dynamic.size();
  }

  @Override
  public String toString() {
    return "AmfObject" + Amf.describe(this);
  }
}
