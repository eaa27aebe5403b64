package io.altocumulus.rendezvous;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Where a peer is (RTMFP-WIRE §6.2): the edge that holds its session and its address book, the
 * observed public address first, then the addresses of its last {@code setPeerInfo}. Only peers
 * that sent {@code setPeerInfo} are registered (RTMFP-WIRE §6.3, REAL-CLIENTS.md §8).
 *
 * @param edgeId the owning edge's node id
 * @param addresses observed public address first (origin 2 in a Redirect), then private ones (origin 1)
 */
public record PeerRecord(Key peerId, String edgeId, List<InetSocketAddress> addresses) {
  public PeerRecord {
    addresses = List.copyOf(addresses);
  }
}
