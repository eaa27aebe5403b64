package io.altocumulus.rtmfp.crypto;

import io.altocumulus.rtmfp.DropCause;
import io.altocumulus.rtmfp.wire.Option;
import io.altocumulus.rtmfp.wire.OptionList;
import io.altocumulus.rtmfp.wire.WireException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/** RFC 7425 §4.3 certificates and peer ids (RTMFP-WIRE §4.3, §6.1). */
public final class Certificates {
  /** RFC 7425 option types used in certificates. */
  public static final int OPT_ACCEPTS_ANCILLARY_DATA = 0x0A;
  public static final int OPT_EXTRA_RANDOMNESS = 0x0E;
  public static final int OPT_SUPPORTED_DH_GROUP = 0x15;
  public static final int OPT_STATIC_DH_PUBLIC_KEY = 0x1D;

  public static final int SERVER_CERTIFICATE_LENGTH = 77;

  private Certificates() {}

  /**
   * The 77-byte server certificate Flash-exact clients read by position (REAL-CLIENTS §2–3):
   * {@code 01 0a | 41 0e <64 random> | 02 15 02 | 02 15 05 | 02 15 0e}. It names exactly the
   * groups {@link DhGroup} implements.
   */
  public static byte[] serverCertificate(byte[] random64) {
    if (random64 == null || random64.length != 64) {
      throw new IllegalArgumentException("64 random bytes required");
    }
    ByteBuffer b = ByteBuffer.allocate(SERVER_CERTIFICATE_LENGTH);
    b.put((byte) 0x01).put((byte) OPT_ACCEPTS_ANCILLARY_DATA);
    b.put((byte) 0x41).put((byte) OPT_EXTRA_RANDOMNESS).put(random64);
    for (DhGroup g : DhGroup.values()) {
      b.put((byte) 0x02).put((byte) OPT_SUPPORTED_DH_GROUP).put((byte) g.id());
    }
    return b.array();
  }

  /** Peer id: SHA-256 over the certificate bytes, without any outer length (RTMFP-WIRE §4.4). */
  public static byte[] peerId(byte[] certificate) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(certificate);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /**
   * The DH groups a responder certificate advertises (option 0x15), in certificate order, keeping
   * only the groups we implement.
   *
   * @throws WireException {@link DropCause#BAD_KEYING} if the certificate is not an option list
   */
  public static List<DhGroup> groupsOf(byte[] responderCertificate) {
    OptionList options;
    try {
      options = OptionList.parse(responderCertificate);
    } catch (WireException e) {
      throw new WireException(DropCause.BAD_KEYING, "certificate: " + e.getMessage());
    }
    List<DhGroup> groups = new ArrayList<>(3);
    for (Option o : options.options()) {
      if (o.type() == OPT_SUPPORTED_DH_GROUP) {
        long id = o.valueAsVlu();
        DhGroup g = id >= 0 && id <= Integer.MAX_VALUE ? DhGroup.byId((int) id) : null;
        if (g != null && !groups.contains(g)) {
          groups.add(g);
        }
      }
    }
    return groups;
  }
}
