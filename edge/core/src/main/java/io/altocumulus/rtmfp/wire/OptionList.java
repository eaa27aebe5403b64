package io.altocumulus.rtmfp.wire;

import io.altocumulus.rtmfp.DropCause;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An RFC 7016 §2.1.3 option list (RTMFP-WIRE §3.2). Used in endpoint discriminators,
 * certificates and keying components, where the list runs to the end of its field, and in
 * user-data chunks, where a zero-length marker ends it.
 */
public final class OptionList {
  /** Options in a handshake field; more is refused rather than allocated. */
  public static final int MAX_OPTIONS = 64;

  private final List<Option> options;

  public OptionList(List<Option> options) {
    this.options = List.copyOf(options);
  }

  public static OptionList of(Option... options) {
    return new OptionList(List.of(options));
  }

  /**
   * Reads options from position to limit, or up to and including a zero-length end marker.
   *
   * @throws WireException {@link DropCause#MALFORMED_CHUNK} if an option runs past the limit
   */
  public static OptionList parse(ByteBuffer in) {
    List<Option> list = new ArrayList<>(4);
    while (in.hasRemaining()) {
      long length = Vlu.read(in);
      if (length == 0) {
        break; // end marker
      }
      if (length > in.remaining()) {
        throw new WireException(DropCause.MALFORMED_CHUNK, "option runs past its field");
      }
      int end = in.position() + (int) length;
      int saved = in.limit();
      in.limit(end);
      int type;
      try {
        type = (int) Math.min(Vlu.read(in), Integer.MAX_VALUE);
      } finally {
        in.limit(saved);
      }
      byte[] value = new byte[end - in.position()];
      in.get(value);
      if (list.size() == MAX_OPTIONS) {
        throw new WireException(DropCause.MALFORMED_CHUNK, "more than " + MAX_OPTIONS + " options");
      }
      list.add(new Option(type, value));
    }
    return new OptionList(list);
  }

  /** Parses a whole field (no outer length) as an option list. */
  public static OptionList parse(byte[] field) {
    return parse(ByteBuffer.wrap(field));
  }

  public List<Option> options() {
    return Collections.unmodifiableList(options);
  }

  /** The first option of this type, or null. */
  public Option find(int type) {
    for (Option o : options) {
      if (o.type() == type) {
        return o;
      }
    }
    return null;
  }

  public int encodedSize() {
    int n = 0;
    for (Option o : options) {
      n += o.encodedSize();
    }
    return n;
  }

  /** Writes the options, without an end marker. */
  public void serialize(ByteBuffer out) {
    for (Option o : options) {
      o.serialize(out);
    }
  }

  public byte[] toByteArray() {
    ByteBuffer b = ByteBuffer.allocate(encodedSize());
    serialize(b);
    return b.array();
  }
}
