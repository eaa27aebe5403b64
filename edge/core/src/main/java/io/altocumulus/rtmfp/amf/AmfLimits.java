package io.altocumulus.rtmfp.amf;

/**
 * Bounds applied by the readers to one message (one reader instance). Anything over a bound is
 * refused with {@code WireException(MALFORMED_AMF)}. Immutable; derive variants with the
 * {@code with*} methods.
 */
public final class AmfLimits {
  /** Depth 64, 65536 values, 1 MiB strings/byte arrays/XML, 65536 array items, 4 MiB input. */
  public static final AmfLimits DEFAULT = new AmfLimits(64, 65_536, 1 << 20, 65_536, 4 << 20);

  private final int maxDepth;
  private final int maxElements;
  private final int maxStringBytes;
  private final int maxArrayLength;
  private final int maxMessageBytes;

  public AmfLimits(int maxDepth, int maxElements, int maxStringBytes, int maxArrayLength,
      int maxMessageBytes) {
    if (maxDepth < 1 || maxElements < 1 || maxStringBytes < 0 || maxArrayLength < 0
        || maxMessageBytes < 0) {
      throw new IllegalArgumentException("bad AMF limits");
    }
    this.maxDepth = maxDepth;
    this.maxElements = maxElements;
    this.maxStringBytes = maxStringBytes;
    this.maxArrayLength = maxArrayLength;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Deepest nesting of containers (objects, arrays, dictionaries, vectors, externals). */
  public int maxDepth() {
    return maxDepth;
  }

  /** Most values decoded from one message (every value, nested or not, counts one). */
  public int maxElements() {
    return maxElements;
  }

  /** Longest string, XML text or ByteArray, in bytes. */
  public int maxStringBytes() {
    return maxStringBytes;
  }

  /** Most items in one array, vector, dictionary or sealed-member list. */
  public int maxArrayLength() {
    return maxArrayLength;
  }

  /** Most bytes a reader accepts (position to limit when it is created). */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  public AmfLimits withMaxDepth(int v) {
    return new AmfLimits(v, maxElements, maxStringBytes, maxArrayLength, maxMessageBytes);
  }

  public AmfLimits withMaxElements(int v) {
    return new AmfLimits(maxDepth, v, maxStringBytes, maxArrayLength, maxMessageBytes);
  }

  public AmfLimits withMaxStringBytes(int v) {
    return new AmfLimits(maxDepth, maxElements, v, maxArrayLength, maxMessageBytes);
  }

  public AmfLimits withMaxArrayLength(int v) {
    return new AmfLimits(maxDepth, maxElements, maxStringBytes, v, maxMessageBytes);
  }

  public AmfLimits withMaxMessageBytes(int v) {
    return new AmfLimits(maxDepth, maxElements, maxStringBytes, maxArrayLength, v);
  }
}
