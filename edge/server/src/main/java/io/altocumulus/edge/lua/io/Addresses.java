package io.altocumulus.edge.lua.io;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The {@code "host:port"} strings of the Lua socket API (CUMULUS-FEATURES §5.15). */
final class Addresses {
  private Addresses() {}

  /** {@code "ip:port"}, {@code "[v6]:port"} for IPv6, null for null. */
  static String format(SocketAddress a) {
    if (!(a instanceof InetSocketAddress isa)) {
      return null;
    }
    if (isa.getAddress() == null) {
      return isa.getHostString() + ":" + isa.getPort();
    }
    String ip = isa.getAddress().getHostAddress();
    return (isa.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + isa.getPort();
  }

  /**
   * Parses {@code "host:port"} (IPv6 in brackets) and resolves the host, which blocks on a DNS
   * name (literal addresses do not).
   *
   * @throws IllegalArgumentException with the error text for Lua
   */
  static InetSocketAddress parse(String hostPort) {
    if (hostPort == null) {
      throw new IllegalArgumentException("address expected (host:port)");
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("invalid address '" + hostPort + "' (host:port expected)");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = port(hostPort.substring(colon + 1), hostPort);
    InetSocketAddress a = new InetSocketAddress(host, port);
    if (a.isUnresolved()) {
      throw new IllegalArgumentException("unknown host '" + host + "'");
    }
    return a;
  }

  static int port(String s, String whole) {
    int port;
    try {
      port = Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid port in '" + whole + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("invalid port " + port);
    }
    return port;
  }
}
