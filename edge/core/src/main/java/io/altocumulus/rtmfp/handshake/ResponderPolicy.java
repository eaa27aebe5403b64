package io.altocumulus.rtmfp.handshake;

import io.altocumulus.rtmfp.session.Session;
import io.altocumulus.rtmfp.session.SessionHandler;
import io.altocumulus.rtmfp.wire.EndpointDiscriminator;
import java.net.InetSocketAddress;

/** The server's decisions during the handshake; called on the event loop. */
public interface ResponderPolicy {
  /**
   * An IHello arrived (RFC 7016 §3.5.1.1). Accept it (RHello with a cookie), redirect the client
   * elsewhere, or stay silent. No state may be kept for it: the source is not proven yet.
   */
  HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from);

  /**
   * The form the core calls: as {@link #onIHello(EndpointDiscriminator, byte[], InetSocketAddress)},
   * and a policy that needs time may {@link HelloResponder#defer() defer} and return
   * {@link HelloDecision#PENDING}. Also called for a forwarded IHello (RFC 7016 §3.5.1.1.2, the
   * P2P target's side), {@code from} being the initiator's reply address.
   */
  default HelloDecision onIHello(EndpointDiscriminator epd, byte[] tag, InetSocketAddress from,
      HelloResponder responder) {
    return onIHello(epd, tag, from);
  }

  /** A session was established; returns the handler of its flows. */
  SessionHandler onSessionOpened(Session session);
}
