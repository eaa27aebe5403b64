package io.altocumulus.edge.stream;

/**
 * How the relay keeps players live (issue #3 §3): media messages older than their deadline are
 * abandoned instead of retransmitted, and each player's media flows queue a bounded number of
 * bytes. Config keys {@code relay.audioDeadline}, {@code relay.videoDeadline} (ms) and
 * {@code relay.queueLimit} (bytes).
 */
public record RelayConfig(long audioDeadlineMillis, long videoDeadlineMillis, long queueLimitBytes) {
  public static final RelayConfig DEFAULT = new RelayConfig(1_000, 2_000, 1 << 20);
}
