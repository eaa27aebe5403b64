package io.altocumulus.cluster.link;

import java.util.List;

/**
 * Server link events, delivered on one thread per {@link ServerLinks} in order: for a link, up
 * first, then its app syncs and messages in the order the remote sent them, then down. The edge
 * raises Lua {@code onServerConnection} / {@code onServerDisconnection} from up / down. Do not
 * block the thread: hand work to the app's own executor.
 */
public interface LinkListener {
  default void linkUp(ServerLink link) {}

  default void linkDown(ServerLink link) {}

  /** Cumulus's system handler "." (CUMULUS-FEATURES §6 "App sync"): app paths running on the remote. */
  default void appSync(ServerLink link, List<String> appPaths) {}

  /** A Lua message: call {@code server:<handler>(...)} with the decoded AMF arguments. */
  default void message(ServerLink link, String handler, byte[] amfPayload) {}
}
