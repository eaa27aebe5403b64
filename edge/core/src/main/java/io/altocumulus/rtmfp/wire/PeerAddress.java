package io.altocumulus.rtmfp.wire;

import io.altocumulus.rtmfp.DropCause;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * An RFC 7016 socket address (RTMFP-WIRE §3.4): {@code flags(1) | address(4 or 16) | port(2)};
 * flag 0x80 marks IPv6 and the low 2 bits give the origin. Redirects must carry origin 1 or 2
 * (REAL-CLIENTS §6).
 */
public record PeerAddress(InetSocketAddress address, int origin) {
  public static final int ORIGIN_UNKNOWN = 0;
  /** Local or private address the peer reported. */
  public static final int ORIGIN_REPORTED = 1;
  /** Public address the server observed. */
  public static final int ORIGIN_OBSERVED = 2;
  public static final int ORIGIN_RELAY = 3;

  private static final int FLAG_IPV6 = 0x80;
  private static final int ORIGIN_MASK = 0x03;

  public PeerAddress {
    if (address == null || address.getAddress() == null) {
      throw new IllegalArgumentException("resolved socket address required");
    }
    if ((origin & ~ORIGIN_MASK) != 0) {
      throw new IllegalArgumentException("origin " + origin);
    }
  }

  public static PeerAddress observed(InetSocketAddress address) {
    return new PeerAddress(address, ORIGIN_OBSERVED);
  }

  public static PeerAddress reported(InetSocketAddress address) {
    return new PeerAddress(address, ORIGIN_REPORTED);
  }

  /**
   * Reads one address.
   *
   * @throws WireException {@link DropCause#MALFORMED_CHUNK} if truncated
   */
  public static PeerAddress parse(ByteBuffer in) {
    if (!in.hasRemaining()) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "truncated address");
    }
    int flags = in.get() & 0xFF;
    byte[] ip = new byte[(flags & FLAG_IPV6) != 0 ? 16 : 4];
    if (in.remaining() < ip.length + 2) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "truncated address");
    }
    in.get(ip);
    int port = in.getShort() & 0xFFFF;
    InetAddress a;
    try {
      a = InetAddress.getByAddress(ip); // no lookup: a literal of 4 or 16 bytes
    } catch (UnknownHostException e) {
      throw new WireException(DropCause.MALFORMED_CHUNK, "bad address");
    }
    return new PeerAddress(new InetSocketAddress(a, port), flags & ORIGIN_MASK);
  }

  private byte[] ipBytes() {
    return address.getAddress().getAddress();
  }

  public int encodedSize() {
    return 1 + ipBytes().length + 2;
  }

  public void serialize(ByteBuffer out) {
    byte[] ip = ipBytes();
    int flags = origin | (ip.length == 16 ? FLAG_IPV6 : 0);
    out.put((byte) flags).put(ip).putShort((short) address.getPort());
  }

  public boolean isIpv6() {
    return address.getAddress() instanceof Inet6Address;
  }
}
