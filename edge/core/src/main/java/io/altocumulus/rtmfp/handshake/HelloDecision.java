package io.altocumulus.rtmfp.handshake;

import io.altocumulus.rtmfp.wire.PeerAddress;
import java.util.List;

/**
 * What a responder answers to an IHello (RTMFP-WIRE §4.1): RHello, a Redirect, nothing, or
 * {@link #PENDING}: the policy reserved a deferred answer with {@link HelloResponder#defer()} and
 * gives it later through {@link HelloResponder#answer}.
 */
public record HelloDecision(Kind kind, List<PeerAddress> redirectTo) {
  public enum Kind { ACCEPT, REDIRECT, IGNORE, PENDING }

  public static final HelloDecision ACCEPT = new HelloDecision(Kind.ACCEPT, List.of());
  public static final HelloDecision IGNORE = new HelloDecision(Kind.IGNORE, List.of());
  public static final HelloDecision PENDING = new HelloDecision(Kind.PENDING, List.of());

  /** A Redirect listing these addresses (origin flags as given; REAL-CLIENTS.md §6 wants 1 or 2). */
  public static HelloDecision redirect(List<PeerAddress> addresses) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("a redirect needs at least one address");
    }
    return new HelloDecision(Kind.REDIRECT, List.copyOf(addresses));
  }
}
