package io.altocumulus.rtmfp.wire;

import io.altocumulus.rtmfp.DropCause;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The endpoint discriminator of an IHello (RFC 7425 §4.4, RTMFP-WIRE §4.1): an option list
 * naming either a server by URL (option 0x0A) or a peer by id (option 0x0F). The URL may be a
 * full {@code rtmfp://host:port/app?q}, a bare path or empty (REAL-CLIENTS §7).
 */
public final class EndpointDiscriminator {
  public static final int OPT_REQUIRED_HOSTNAME = 0x00;
  public static final int OPT_ANCILLARY_DATA = 0x0A;
  public static final int OPT_FINGERPRINT = 0x0F;
  public static final int PEER_ID_LENGTH = 32;

  public enum Kind { URL, PEER_ID, OTHER }

  private final Kind kind;
  private final byte[] encoded;
  private final String url;
  private final String host;
  private final int port;
  private final String path;
  private final String query;
  private final byte[] peerId;

  private EndpointDiscriminator(Kind kind, byte[] encoded, String url, byte[] peerId) {
    this.kind = kind;
    this.encoded = encoded;
    this.url = url;
    this.peerId = peerId;
    if (url == null) {
      host = null;
      port = -1;
      path = null;
      query = null;
      return;
    }
    String rest = url;
    String h = null;
    int p = -1;
    int scheme = rest.indexOf("://");
    int firstSlash = rest.indexOf('/');
    if (scheme > 0 && (firstSlash < 0 || scheme < firstSlash)) {
      rest = rest.substring(scheme + 3);
      int authEnd = indexOfAny(rest, "/?#");
      String authority = authEnd < 0 ? rest : rest.substring(0, authEnd);
      rest = authEnd < 0 ? "" : rest.substring(authEnd);
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        authority = authority.substring(at + 1);
      }
      int colon = authority.lastIndexOf(':');
      int bracket = authority.lastIndexOf(']');
      if (colon > bracket) {
        h = authority.substring(0, colon);
        p = parsePort(authority.substring(colon + 1));
      } else {
        h = authority;
      }
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
    }
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    int q = rest.indexOf('?');
    this.query = q < 0 ? "" : rest.substring(q + 1);
    this.path = normalisePath(q < 0 ? rest : rest.substring(0, q));
    this.host = h;
    this.port = p;
  }

  /**
   * Parses an EPD (the field without its outer length). A fingerprint makes a peer lookup; else
   * ancillary data makes a URL; anything else is {@link Kind#OTHER}.
   *
   * @throws WireException {@link DropCause#BAD_ENDPOINT_DISCRIMINATOR} if it is not an option
   *     list or the peer id is not 32 bytes
   */
  public static EndpointDiscriminator parse(byte[] epd) {
    OptionList options;
    try {
      options = OptionList.parse(epd);
    } catch (WireException e) {
      throw new WireException(DropCause.BAD_ENDPOINT_DISCRIMINATOR, "EPD: " + e.getMessage());
    }
    Option fingerprint = options.find(OPT_FINGERPRINT);
    if (fingerprint != null) {
      if (fingerprint.value().length != PEER_ID_LENGTH) {
        throw new WireException(DropCause.BAD_ENDPOINT_DISCRIMINATOR,
            "peer id of " + fingerprint.value().length + " bytes");
      }
      return new EndpointDiscriminator(Kind.PEER_ID, epd.clone(), null, fingerprint.value());
    }
    Option ancillary = options.find(OPT_ANCILLARY_DATA);
    if (ancillary != null) {
      // URLs are ASCII; a bad byte becomes U+FFFD and simply names no application.
      String url = new String(ancillary.value(), StandardCharsets.UTF_8);
      return new EndpointDiscriminator(Kind.URL, epd.clone(), url, null);
    }
    return new EndpointDiscriminator(Kind.OTHER, epd.clone(), null, null);
  }

  /** The Flash form: one ancillary-data option holding the URL. */
  public static EndpointDiscriminator forUrl(String url) {
    byte[] epd = OptionList.of(Option.of(OPT_ANCILLARY_DATA, url.getBytes(StandardCharsets.UTF_8)))
        .toByteArray();
    return new EndpointDiscriminator(Kind.URL, epd, url, null);
  }

  /** The Flash peer-lookup form: {@code 21 0f <32-byte peer id>}. */
  public static EndpointDiscriminator forPeerId(byte[] peerId) {
    if (peerId.length != PEER_ID_LENGTH) {
      throw new IllegalArgumentException("peer id must be 32 bytes");
    }
    byte[] epd = OptionList.of(Option.of(OPT_FINGERPRINT, peerId)).toByteArray();
    return new EndpointDiscriminator(Kind.PEER_ID, epd, null, peerId.clone());
  }

  public Kind kind() {
    return kind;
  }

  /** The URL or path as sent; null unless {@link Kind#URL}. */
  public String url() {
    return url;
  }

  /** Host from a full URL; null for a bare path or a non-URL EPD. */
  public String host() {
    return host;
  }

  /** Port from a full URL, or -1 if none was given. */
  public int port() {
    return port;
  }

  /** Application path without leading/trailing '/' ("" for the root, "a/b"); null unless URL. */
  public String path() {
    return path;
  }

  /** Query string without '?', "" if none; null unless URL. */
  public String query() {
    return query;
  }

  /** The 32-byte peer id; null unless {@link Kind#PEER_ID}. */
  public byte[] peerId() {
    return peerId == null ? null : peerId.clone();
  }

  /** The EPD bytes (option list, without the outer length). */
  public byte[] encoded() {
    return encoded.clone();
  }

  private static String normalisePath(String p) {
    StringBuilder sb = new StringBuilder(p.length());
    for (String part : p.split("/")) {
      if (!part.isEmpty()) {
        if (sb.length() > 0) {
          sb.append('/');
        }
        sb.append(part);
      }
    }
    return sb.toString();
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static int parsePort(String s) {
    if (s.isEmpty() || s.length() > 5) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return -1;
      }
    }
    int v = Integer.parseInt(s);
    return v <= 0xFFFF ? v : -1;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case URL -> "EPD[url=" + url + "]";
      case PEER_ID -> "EPD[peer=" + HexFormat.of().formatHex(peerId) + "]";
      case OTHER -> "EPD[other]";
    };
  }
}
