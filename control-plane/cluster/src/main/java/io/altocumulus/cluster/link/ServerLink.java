package io.altocumulus.cluster.link;

import java.util.List;
import java.util.Map;

/**
 * One up link to another node: what Lua shows as a server object (CUMULUS-FEATURES §5.12:
 * {@code address}, {@code publicAddress}, {@code isTarget}, properties, {@code send}).
 */
public interface ServerLink {
  /** The remote node's id. */
  String nodeId();

  /** The remote's gRPC address as registered (Lua {@code server.address}). */
  String address();

  /** The remote's RTMFP address from its hello (Lua {@code server.publicAddress}). */
  String publicAddress();

  /** The remote's node properties from its hello (Lua {@code server.<name>}). */
  Map<String, String> properties();

  /** True when this node opened the link (Cumulus "targets"), false for an incoming one ("initiators"). */
  boolean isTarget();

  /** App paths the remote announced so far. */
  List<String> remoteApps();

  /** Whether the link is still up. */
  boolean isUp();

  /**
   * Queues a Lua message: handler name and AMF-encoded arguments. Messages on one link arrive in
   * the order sent.
   *
   * @return false if the link is down (nothing sent)
   * @throws IllegalArgumentException if the handler is empty, {@code "."} or over 255 bytes
   */
  boolean send(String handler, byte[] amfPayload);
}
