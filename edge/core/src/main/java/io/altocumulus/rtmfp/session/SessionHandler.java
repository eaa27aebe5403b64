package io.altocumulus.rtmfp.session;

import io.altocumulus.rtmfp.flow.RecvFlow;

/**
 * The layer above a session (NetConnection on a server, the client API on a client). All calls
 * happen on the session's event loop.
 */
public interface SessionHandler {
  /**
   * A peer opened a flow (first fragment with metadata). Return the handler for its messages, or
   * null to refuse it: the session then answers with a flow exception report (RFC 7016 §2.3.16).
   */
  FlowHandler onFlowOpened(Session session, RecvFlow flow);

  /** The session ended; {@code reason} says why (closed by peer, idle timeout, shutdown...). */
  void onClosed(Session session, String reason);

  /** The peer rejected one of our flows with a flow exception report. */
  default void onFlowRejected(Session session, long flowId, long code) {}

  /** Periodic housekeeping, about every 2 s. */
  default void onManage(Session session) {}
}
