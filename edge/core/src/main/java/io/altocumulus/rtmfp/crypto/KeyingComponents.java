package io.altocumulus.rtmfp.crypto;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.Option;
import io.altocumulus.rtmfp.wire.OptionList;
import io.altocumulus.rtmfp.wire.Vlu;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;

/**
 * Session keying components (RFC 7425 §4.6; RTMFP-WIRE §4.4, §4.6) in the byte layouts Flash and
 * Flash-exact clients use (REAL-CLIENTS §3).
 */
public final class KeyingComponents {
  /** Keying-component option types (RFC 7425 §4.6). */
  public static final int OPT_EPHEMERAL_DH_PUBLIC_KEY = 0x0D;
  public static final int OPT_EXTRA_RANDOMNESS = 0x0E;
  public static final int OPT_HMAC_NEGOTIATION = 0x1A;
  /** In a keying component: DH group select; in a certificate: static DH public key. */
  public static final int OPT_DH_GROUP_SELECT = 0x1D;
  public static final int OPT_SESSION_SEQUENCE_NEGOTIATION = 0x1E;

  /** HMAC negotiation declined ({@code 03 1a 00 00}) and sequence numbers declined ({@code 02 1e 00}). */
  private static final byte[] RESPONDER_PREFIX = {0x03, 0x1A, 0x00, 0x00, 0x02, 0x1E, 0x00};

  /** Flash's SKIC tail: HMAC "will send on request", length 10; sequence numbers likewise. */
  private static final byte[] INITIATOR_TAIL = {0x03, 0x1A, 0x02, 0x0A, 0x02, 0x1E, 0x02};

  /** A DH public key and its group, as found in a certificate or keying component. */
  public record DhKey(DhGroup group, byte[] publicKey) {}

  private KeyingComponents() {}

  /**
   * The server's SKRC: {@code 03 1a 00 00 02 1e 00 | VLU(2+len) 0d <gid> <key>} (139 bytes for a
   * 128-byte key; Flash-exact clients read the key from byte 11 on).
   */
  public static byte[] responderSkrc(DhGroup g, byte[] publicKey) {
    Option key = keyOption(OPT_EPHEMERAL_DH_PUBLIC_KEY, g, publicKey);
    ByteBuffer b = ByteBuffer.allocate(RESPONDER_PREFIX.length + key.encodedSize());
    b.put(RESPONDER_PREFIX);
    key.serialize(b);
    return b.array();
  }

  /**
   * An SKRC built by {@link #responderSkrc(DhGroup, byte[])} with its two negotiation options
   * replaced by {@code n}'s answer (RFC 7425 §4.6.4); the same array when nothing is negotiated.
   */
  public static byte[] responderSkrc(byte[] declinedSkrc, Negotiation n) {
    if (!n.any()) {
      return declinedSkrc;
    }
    byte[] prefix = n.responderOptions();
    if (prefix.length != RESPONDER_PREFIX.length) {
      throw new IllegalStateException("negotiation options must keep the SKRC layout");
    }
    byte[] skrc = declinedSkrc.clone();
    System.arraycopy(prefix, 0, skrc, 0, prefix.length);
    return skrc;
  }

  /** A Flash-style initiator certificate: one option {@code VLU(2+len) 1d <gid> <key>}. */
  public static byte[] initiatorCertificate(DhGroup g, byte[] publicKey) {
    Option key = keyOption(OPT_DH_GROUP_SELECT, g, publicKey);
    ByteBuffer b = ByteBuffer.allocate(key.encodedSize());
    key.serialize(b);
    return b.array();
  }

  /**
   * A Flash-style SKIC: {@code 02 1d <gid> | 41 0e <64 random> | 03 1a 02 0a | 02 1e 02} (76
   * bytes); the key itself is in the certificate.
   */
  public static byte[] initiatorSkic(DhGroup g, byte[] random64) {
    if (random64 == null || random64.length != 64) {
      throw new IllegalArgumentException("64 random bytes required");
    }
    ByteBuffer b = ByteBuffer.allocate(3 + 2 + 64 + INITIATOR_TAIL.length);
    b.put((byte) 0x02).put((byte) OPT_DH_GROUP_SELECT).put((byte) g.id());
    b.put((byte) 0x41).put((byte) OPT_EXTRA_RANDOMNESS).put(random64);
    b.put(INITIATOR_TAIL);
    return b.array();
  }

  /**
   * The initiator's DH key (RFC 7425 §4.6.2). An ephemeral initiator puts option 0x0D
   * {@code <group><key>} in its SKIC. A static initiator puts one option 0x1D
   * {@code <group><key>} per group in its certificate and names the group it uses with the SKIC's
   * DH Group Select option 0x1D {@code <group>}: Flash sends a single group-2 key
   * ({@code 81 02 1d 02 <key>}), rtmfp-cpp sends keys for groups 16, 14 and 2 and selects the
   * best the responder advertises. Without a group select, the first key of a group we implement.
   *
   * @throws WireException {@link DropCause#BAD_DH_KEY} for a group we do not implement,
   *     {@link DropCause#BAD_KEYING} if no key can be found or the fields do not parse
   */
  public static DhKey initiatorKey(byte[] initiatorCertificate, byte[] skic) {
    OptionList skicOptions = parse(skic, "SKIC");
    Option o = skicOptions == null ? null : skicOptions.find(OPT_EPHEMERAL_DH_PUBLIC_KEY);
    if (o != null) {
      return decodeKey(o);
    }
    OptionList certOptions = parse(initiatorCertificate, "initiator certificate");
    if (certOptions == null) {
      throw new WireException(DropCause.BAD_KEYING, "no initiator DH public key");
    }
    Option select = skicOptions == null ? null : skicOptions.find(OPT_DH_GROUP_SELECT);
    long selected = -1;
    if (select != null) {
      selected = groupOf(select);
      if (selected > Integer.MAX_VALUE || DhGroup.byId((int) selected) == null) {
        throw new WireException(DropCause.BAD_DH_KEY, "DH group " + selected + " not implemented");
      }
    }
    WireException firstUnimplemented = null;
    for (Option c : certOptions.options()) {
      if (c.type() != OPT_DH_GROUP_SELECT) {
        continue;
      }
      if (selected >= 0) {
        if (groupOf(c) == selected) {
          return decodeKey(c);
        }
        continue;
      }
      try {
        return decodeKey(c);
      } catch (WireException e) {
        if (e.dropCause() != DropCause.BAD_DH_KEY) {
          throw e;
        }
        firstUnimplemented = firstUnimplemented == null ? e : firstUnimplemented;
      }
    }
    if (firstUnimplemented != null) {
      throw firstUnimplemented;
    }
    throw new WireException(DropCause.BAD_KEYING, selected >= 0
        ? "initiator certificate has no key for selected DH group " + selected
        : "no initiator DH public key");
  }

  /** The responder's DH key: option 0x0D in the SKRC (client side). */
  public static DhKey responderKey(byte[] skrc) {
    Option o = find(skrc, OPT_EPHEMERAL_DH_PUBLIC_KEY, "SKRC");
    if (o == null) {
      throw new WireException(DropCause.BAD_KEYING, "no responder DH public key");
    }
    return decodeKey(o);
  }

  private static Option keyOption(int type, DhGroup g, byte[] publicKey) {
    ByteBuffer v = ByteBuffer.allocate(Vlu.size(g.id()) + publicKey.length);
    Vlu.write(v, g.id());
    v.put(publicKey);
    return Option.of(type, v.array());
  }

  private static Option find(byte[] field, int type, String what) {
    OptionList list = parse(field, what);
    return list == null ? null : list.find(type);
  }

  private static OptionList parse(byte[] field, String what) {
    if (field == null) {
      return null;
    }
    try {
      return OptionList.parse(field);
    } catch (WireException e) {
      throw new WireException(DropCause.BAD_KEYING, what + ": " + e.getMessage());
    }
  }

  /** The leading group-id VLU of a 0x0D/0x1D option value. */
  private static long groupOf(Option o) {
    try {
      return Vlu.read(ByteBuffer.wrap(o.value()));
    } catch (WireException e) {
      throw new WireException(DropCause.BAD_KEYING, "DH option without a group");
    }
  }

  private static DhKey decodeKey(Option o) {
    ByteBuffer v = ByteBuffer.wrap(o.value());
    long id;
    try {
      id = Vlu.read(v);
    } catch (WireException e) {
      throw new WireException(DropCause.BAD_KEYING, "DH key option without a group");
    }
    if (!v.hasRemaining()) {
      throw new WireException(DropCause.BAD_KEYING, "DH key option without a key");
    }
    DhGroup g = id <= Integer.MAX_VALUE ? DhGroup.byId((int) id) : null;
    if (g == null) {
      throw new WireException(DropCause.BAD_DH_KEY, "DH group " + id + " not implemented");
    }
    byte[] key = new byte[v.remaining()];
    v.get(key);
    return new DhKey(g, key);
  }
}
