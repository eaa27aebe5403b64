package io.altocumulus.rtmfp.amf;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration shared by readers and writers: limits, externalizers by class name, and how the
 * AMF3 reference tables behave across AMF0 0x11 switches. Configure it, then share it (read-only
 * use is thread-safe). {@link #DEFAULT} is frozen.
 *
 * <p>Built in: {@code flex.messaging.io.ArrayCollection} and {@code flex.messaging.io.ObjectProxy},
 * whose body is one AMF3 value; they read as an externalizable {@link AmfObject} whose
 * {@link AmfObject#externalData()} is that value, and are written back the same way.
 */
public final class AmfContext {
  public static final String ARRAY_COLLECTION = "flex.messaging.io.ArrayCollection";
  public static final String OBJECT_PROXY = "flex.messaging.io.ObjectProxy";

  /** Default limits, the built-in externalizers, fresh AMF3 tables per switch. Frozen. */
  public static final AmfContext DEFAULT = new AmfContext().freeze();

  private final Map<String, AmfExternalizer> externalizers = new HashMap<>();
  private AmfExternalizer fallback;
  private AmfLimits limits;
  private boolean shareAmf3TablesAcrossSwitches;
  private boolean frozen;

  public AmfContext() {
    this(AmfLimits.DEFAULT);
  }

  public AmfContext(AmfLimits limits) {
    this.limits = Objects.requireNonNull(limits);
    externalizers.put(ARRAY_COLLECTION, SingleValueExternalizer.INSTANCE);
    externalizers.put(OBJECT_PROXY, SingleValueExternalizer.INSTANCE);
  }

  public AmfLimits limits() {
    return limits;
  }

  public AmfContext limits(AmfLimits l) {
    checkMutable();
    limits = Objects.requireNonNull(l);
    return this;
  }

  /** Registers (or replaces) the externalizer of {@code className}. */
  public AmfContext register(String className, AmfExternalizer externalizer) {
    checkMutable();
    externalizers.put(Objects.requireNonNull(className), Objects.requireNonNull(externalizer));
    return this;
  }

  /** The externalizer of {@code className}: the registered one, else the fallback, else null. */
  public AmfExternalizer externalizer(String className) {
    AmfExternalizer e = externalizers.get(className);
    return e != null ? e : fallback;
  }

  /**
   * The externalizer of classes nobody registered (null: they are malformed, as their length is
   * unknown). A script host whose scripts declare readers at run time (Cumulus's
   * {@code __readExternal}) answers for every class, and throws for those it cannot read.
   */
  public AmfContext fallback(AmfExternalizer externalizer) {
    checkMutable();
    fallback = externalizer;
    return this;
  }

  /**
   * Whether the AMF3 string/object/trait tables live for the whole AMF0 message (true) or are
   * reset at each 0x11 switch (false, the default: every switched value is a self-contained AMF3
   * value). The AMF specs leave this unclear (see the report / RTMFP-WIRE §13); both ends must
   * agree, so it is a setting.
   */
  public boolean shareAmf3TablesAcrossSwitches() {
    return shareAmf3TablesAcrossSwitches;
  }

  public AmfContext shareAmf3TablesAcrossSwitches(boolean share) {
    checkMutable();
    shareAmf3TablesAcrossSwitches = share;
    return this;
  }

  /** Makes this context read-only. */
  public AmfContext freeze() {
    frozen = true;
    return this;
  }

  private void checkMutable() {
    if (frozen) {
      throw new IllegalStateException("frozen AmfContext; create a new AmfContext()");
    }
  }

  /** Externalizable classes whose body is a single AMF3 value (Flex ArrayCollection/ObjectProxy). */
  static final class SingleValueExternalizer implements AmfExternalizer {
    static final SingleValueExternalizer INSTANCE = new SingleValueExternalizer();

    @Override
    public Object readExternal(String className, Amf3Reader in) {
      return AmfObject.externalized(className, in.readValue());
    }

    @Override
    public void writeExternal(Object value, Amf3Writer out) {
      if (!(value instanceof AmfObject o)) {
        throw new IllegalArgumentException("expected AmfObject, got " + value);
      }
      out.writeValue(o.externalData());
    }
  }
}
