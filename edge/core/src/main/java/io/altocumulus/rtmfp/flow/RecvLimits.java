package io.altocumulus.rtmfp.flow;

/**
 * Bounds on what one receiving flow may hold, so a peer can't make us buffer without limit.
 *
 * @param maxBufferedFragments out-of-order fragments held while waiting for a gap to fill
 * @param maxMessageBytes largest message reassembled from fragments
 * @param maxBufferedBytes out-of-order bytes plus the partial message; also the receive window
 *     advertised in acks
 */
public record RecvLimits(int maxBufferedFragments, int maxMessageBytes, long maxBufferedBytes) {
  public static final RecvLimits DEFAULT = new RecvLimits(1024, 1 << 20, 2L << 20);

  public RecvLimits {
    if (maxBufferedFragments < 0 || maxMessageBytes < 0 || maxBufferedBytes < 0) {
      throw new IllegalArgumentException("negative limit");
    }
  }
}
