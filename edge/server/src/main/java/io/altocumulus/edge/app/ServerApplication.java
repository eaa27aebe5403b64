package io.altocumulus.edge.app;

import java.util.List;
import java.util.Map;

/**
 * A server application: what a folder under {@code www/} runs (CUMULUS-FEATURES §3). The Lua
 * host implements it per {@code main.lua}; a folder without a script accepts every connection
 * and has no methods. All calls run on the client's event loop.
 */
public interface ServerApplication {
  /**
   * A client connects (CUMULUS-FEATURES §4 onConnection). Returns extra members for the
   * {@code _result} info object; throws {@link ConnectionRejected} to refuse.
   */
  default Map<String, Object> onConnection(Client client, List<Object> args) {
    return Map.of();
  }

  /** A connected client is gone (onDisconnection). */
  default void onDisconnection(Client client) {}

  /**
   * A NetConnection call that is not built in (CUMULUS-FEATURES §4 RPC). Return
   * {@link CallResult#notFound()} when there is no such method.
   */
  default CallResult onCall(Client client, String method, List<Object> args) {
    return CallResult.notFound();
  }

  /** Thrown by {@link #onConnection} to reject the client with NetConnection.Connect.Rejected. */
  final class ConnectionRejected extends RuntimeException {
    public ConnectionRejected(String description) {
      super(description, null, false, false);
    }
  }

  /** Outcome of an RPC: a value for {@code _result}, an error for {@code _error}, nothing, or no such method. */
  record CallResult(Kind kind, Object value, String error) {
    public enum Kind { RESULT, NO_RESULT, ERROR, NOT_FOUND }

    public static CallResult result(Object value) {
      return new CallResult(Kind.RESULT, value, null);
    }

    public static CallResult noResult() {
      return new CallResult(Kind.NO_RESULT, null, null);
    }

    public static CallResult error(String description) {
      return new CallResult(Kind.ERROR, null, description);
    }

    public static CallResult notFound() {
      return new CallResult(Kind.NOT_FOUND, null, null);
    }
  }
}
