package io.altocumulus.rtmfp.handshake;

import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * The way a {@link ResponderPolicy} answers an IHello later (a Lua {@code onHandshake}, a
 * rendezvous lookup). The core keeps nothing per deferred IHello but a count bounded by
 * {@code EndpointConfig.maxPendingHellos}: the tag and address live in the policy's own
 * continuation, and a source that is not proven costs no more than that slot.
 */
public interface HelloResponder {
  /**
   * Reserves one deferred answer; call on the loop inside {@code onIHello}, then return
   * {@link HelloDecision#PENDING}. False when the bound is reached: the excess is counted as
   * HANDSHAKE_OVERLOAD and the policy must answer now (usually IGNORE).
   */
  boolean defer();

  /**
   * Gives a deferred answer (ACCEPT, REDIRECT or IGNORE) for the IHello with {@code tag} that came
   * from {@code to}. Any thread; exactly once per successful {@link #defer()}.
   */
  void answer(byte[] tag, InetSocketAddress to, HelloDecision decision);

  /** The loop this responder runs on (the continuation may run there directly). */
  Executor loop();
}
