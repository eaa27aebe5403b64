package io.altocumulus.rendezvous;

/**
 * The rendezvous service as an edge uses it: the directory and the group registry, in-process
 * (the embedded default) or through the gRPC shards. An edge attaches once with its node id and
 * its callbacks before registering anything.
 */
public interface Rendezvous extends AutoCloseable {
  PeerDirectory peers();

  GroupRegistry groups();

  /** Connects this edge: introductions and ring repairs for its peers come to {@code callbacks}. */
  void attach(String edgeId, EdgeCallbacks callbacks);

  @Override
  void close();
}
