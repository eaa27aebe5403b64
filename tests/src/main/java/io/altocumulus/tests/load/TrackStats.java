package io.altocumulus.tests.load;

/**
 * What one player received of one track: frames, bytes, and frames lost as gaps in the
 * generator's sequence numbers (a flow delivers in order, RTMFP-WIRE §7.4, so a gap is a loss:
 * abandoned fragments in the -3000 mode, or frames the server skipped). Single writer (the
 * client's loop), read from the reporter.
 */
public final class TrackStats {
  private volatile long received;
  private volatile long bytes;
  private volatile long lost;
  private volatile long outOfOrder;
  private volatile long configs;
  private long first = -1;
  private long last = -1;

  public void onFrame(boolean audio, byte[] buf, int off, int len) {
    bytes += len;
    long seq = MediaPattern.sequenceOf(audio, buf, off, len);
    if (seq < 0) {
      configs++;
      return;
    }
    received++;
    if (last < 0) {
      first = seq;
      last = seq;
    } else if (seq > last) {
      lost += seq - last - 1;
      last = seq;
    } else {
      outOfOrder++;
    }
  }

  public long received() {
    return received;
  }

  public long bytes() {
    return bytes;
  }

  public long lost() {
    return lost;
  }

  public long outOfOrder() {
    return outOfOrder;
  }

  public long configs() {
    return configs;
  }

  /** Frames expected from the first seen to the last seen. */
  public long expected() {
    return last < 0 ? 0 : last - first + 1;
  }
}
