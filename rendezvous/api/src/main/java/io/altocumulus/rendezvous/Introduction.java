package io.altocumulus.rendezvous;

import java.net.InetSocketAddress;

/**
 * A request to the edge that owns {@code target}: send the target a forwarded IHello (0x0F) in its
 * session naming {@code initiatorAddress} and echoing {@code tag} (RTMFP-WIRE §6.3 step 2). The
 * initiator's edge picked the address (observed, or a private one on retries / same NAT).
 *
 * @param origin the address's origin flag in the forwarded IHello: 2 observed, 1 private
 */
public record Introduction(Key target, InetSocketAddress initiatorAddress, int origin, byte[] tag) {}
