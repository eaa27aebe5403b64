package io.altocumulus.rtmfp.handshake;

import io.altocumulus.rtmfp.wire.PeerAddress;
import java.util.List;

/** What a responder answers to an IHello (RTMFP-WIRE §4.1): RHello, a Redirect, or nothing. */
public record HelloDecision(Kind kind, List<PeerAddress> redirectTo) {
  public enum Kind { ACCEPT, REDIRECT, IGNORE }

  public static final HelloDecision ACCEPT = new HelloDecision(Kind.ACCEPT, List.of());
  public static final HelloDecision IGNORE = new HelloDecision(Kind.IGNORE, List.of());

  /** A Redirect listing these addresses (origin flags as given; REAL-CLIENTS.md §6 wants 1 or 2). */
  public static HelloDecision redirect(List<PeerAddress> addresses) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("a redirect needs at least one address");
    }
    return new HelloDecision(Kind.REDIRECT, List.copyOf(addresses));
  }
}
