package io.altocumulus.edge.p2p;

import io.altocumulus.rendezvous.Key;
import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.wire.PeerAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The node's own peers, across all event loops: peer id → session and address book (RTMFP-WIRE
 * §6.2), and observed address → the same entry, so that an introduction needs no hop to find
 * either end. Concurrent maps, written when a session opens, sends setPeerInfo or closes.
 */
public final class PeerIndex {
  /** setPeerInfo addresses kept per peer (the rest are ignored). */
  public static final int MAX_REPORTED = 16;

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+(%\\w+)?");

  /** One local peer. {@code reported} is null until its first setPeerInfo. */
  public static final class LocalPeer {
    final Key id;
    final Session session;
    /** The key of this peer in the by-address map: the session's address when last indexed. */
    volatile InetSocketAddress registeredAddress;
    volatile List<InetSocketAddress> reported;

    LocalPeer(Key id, Session session) {
      this.id = id;
      this.session = session;
      this.registeredAddress = session.address();
    }

    public Key id() {
      return id;
    }

    public Session session() {
      return session;
    }

    /** True once the peer sent setPeerInfo: only such peers are introduced (REAL-CLIENTS.md §8). */
    public boolean introducible() {
      return reported != null;
    }

    /** Address book: the observed address first, then the setPeerInfo ones (RTMFP-WIRE §6.2). */
    public List<InetSocketAddress> addresses() {
      InetSocketAddress observed = session.address();
      List<InetSocketAddress> r = reported;
      List<InetSocketAddress> out = new ArrayList<>(1 + (r == null ? 0 : r.size()));
      out.add(observed);
      if (r != null) {
        for (InetSocketAddress a : r) {
          InetSocketAddress v = a.getAddress().isAnyLocalAddress() ? new InetSocketAddress(observed.getAddress(), a.getPort()) : a;
          if (!out.contains(v)) {
            out.add(v);
          }
        }
      }
      return out;
    }

    /** The address book as a Redirect lists it: observed with origin 2, reported with origin 1 (REAL-CLIENTS §6). */
    public List<PeerAddress> redirectAddresses() {
      List<InetSocketAddress> book = addresses();
      List<PeerAddress> out = new ArrayList<>(book.size());
      for (int i = 0; i < book.size(); i++) {
        out.add(new PeerAddress(book.get(i), i == 0 ? PeerAddress.ORIGIN_OBSERVED : PeerAddress.ORIGIN_REPORTED));
      }
      return out;
    }
  }

  private final ConcurrentHashMap<Key, LocalPeer> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetSocketAddress, LocalPeer> byAddress = new ConcurrentHashMap<>();

  /** A session opened: known, not yet introducible. */
  public LocalPeer opened(Session session) {
    byte[] raw = session.peerId();
    if (raw == null || raw.length != Key.LENGTH) {
      return null;
    }
    LocalPeer p = new LocalPeer(Key.of(raw), session);
    byId.put(p.id, p);
    byAddress.put(p.registeredAddress, p);
    return p;
  }

  /** setPeerInfo: the reported addresses, parsed; wildcards take the observed IP later. */
  public void peerInfo(LocalPeer p, List<String> addresses) {
    List<InetSocketAddress> parsed = new ArrayList<>(Math.min(addresses.size(), MAX_REPORTED));
    for (String s : addresses) {
      InetSocketAddress a = parseLiteral(s);
      if (a != null && parsed.size() < MAX_REPORTED && !parsed.contains(a)) {
        parsed.add(a);
      }
    }
    p.reported = List.copyOf(parsed);
  }

  /**
   * The session moved to a new observed address (RFC 7016 §3.5.4.2, RTMFP-WIRE §6.2 entry 0):
   * re-key the by-address entry. Returns false if nothing changed (closed, or already there).
   */
  public boolean moved(LocalPeer p) {
    InetSocketAddress now = p.session.address();
    InetSocketAddress before = p.registeredAddress;
    if (now.equals(before) || byId.get(p.id) != p) {
      return false;
    }
    byAddress.remove(before, p);
    p.registeredAddress = now;
    byAddress.put(now, p);
    return true;
  }

  public void closed(LocalPeer p) {
    byId.remove(p.id, p);
    byAddress.remove(p.registeredAddress, p);
  }

  public LocalPeer get(Key id) {
    return byId.get(id);
  }

  /** The local peer whose session has this observed address (the initiator of an introduction). */
  public LocalPeer atAddress(InetSocketAddress from) {
    LocalPeer p = byAddress.get(from);
    return p != null && p.session.isOpen() ? p : null;
  }

  public void forEach(java.util.function.Consumer<LocalPeer> action) {
    byId.values().forEach(action);
  }

  public int size() {
    return byId.size();
  }

  /**
   * "ip:port" or "[ipv6]:port" as setPeerInfo sends them; IP literals only (no name lookups from
   * client input), null if it is not one.
   */
  static InetSocketAddress parseLiteral(String s) {
    if (s == null || s.length() > 64) {
      return null;
    }
    String host;
    String port;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0 || close + 2 > s.length() || s.charAt(close + 1) != ':') {
        return null;
      }
      host = s.substring(1, close);
      port = s.substring(close + 2);
      if (!IPV6.matcher(host).matches()) {
        return null;
      }
    } else {
      int colon = s.lastIndexOf(':');
      if (colon <= 0) {
        return null;
      }
      host = s.substring(0, colon);
      port = s.substring(colon + 1);
      if (!IPV4.matcher(host).matches()) {
        return null;
      }
    }
    try {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        return null;
      }
      return new InetSocketAddress(InetAddress.getByName(host), p); // a literal: no lookup
    } catch (Exception e) {
      return null;
    }
  }
}
