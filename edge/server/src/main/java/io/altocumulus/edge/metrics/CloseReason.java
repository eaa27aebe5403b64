package io.altocumulus.edge.metrics;

import java.util.Locale;

/**
 * Why a session ended, as a bounded label value ({@code rtmfp_sessions_closed_total{reason}}).
 * The core reports a free-text reason (RTMFP-WIRE §1 close, RFC 7016 §3.5.5); this folds it.
 */
public enum CloseReason {
  /** The client closed: close request (0x0C), or NetConnection {@code close}. */
  PEER,
  /** Nothing heard from the client for the idle timeout (keepAliveServer based). */
  IDLE_TIMEOUT,
  /** Retransmissions went unacknowledged until the session gave up (RFC 7016 §3.5.2). */
  RETRANSMISSION_TIMEOUT,
  /** A server application closed it ({@code client:close()} or a rejected connection). */
  APPLICATION,
  /** The node shut down or drained. */
  SHUTDOWN,
  /** Anything else the core reports. */
  OTHER;

  final String label = name().toLowerCase(Locale.ROOT);

  public String label() {
    return label;
  }

  /** Folds the core's reason text; unknown texts become {@link #OTHER}. */
  public static CloseReason of(String reason) {
    if (reason == null) {
      return OTHER;
    }
    return switch (reason) {
      case "closed by peer", "closed", "NetConnection closed by the client" -> PEER;
      case "idle timeout" -> IDLE_TIMEOUT;
      case "retransmission timeout" -> RETRANSMISSION_TIMEOUT;
      case "server shutdown" -> SHUTDOWN;
      case "closed by the server application" -> APPLICATION;
      default -> OTHER;
    };
  }
}
