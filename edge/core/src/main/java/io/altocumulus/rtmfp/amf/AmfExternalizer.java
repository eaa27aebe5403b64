package io.altocumulus.rtmfp.amf;

/**
 * Reads and writes the body of an AMF3 externalizable class (AMF3 spec §3.12: the body format is
 * private to the class, so without one of these its length is unknown). Registered by class name
 * on an {@link AmfContext}.
 */
public interface AmfExternalizer {
  /**
   * Reads the body that follows the traits of an externalizable object of {@code className}.
   * Throw {@code WireException(MALFORMED_AMF)} for a bad body; other runtime exceptions are
   * wrapped into one by the reader.
   */
  Object readExternal(String className, Amf3Reader in);

  /** Writes the body of {@code value} (the traits are already written). */
  void writeExternal(Object value, Amf3Writer out);
}
