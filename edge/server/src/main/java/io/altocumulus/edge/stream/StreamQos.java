package io.altocumulus.edge.stream;

import java.util.function.LongSupplier;

/**
 * Quality of one media direction (audio or video) over the last 5 s (CUMULUS-FEATURES §5.11,
 * Lua {@code audioQOS}/{@code videoQOS}): lost rate, byte rate, congestion, latency and dropped
 * frames. Written by one thread (the publisher's loop, or a server publication's owner); read
 * approximately from any other (Lua, metrics). Recording allocates nothing.
 */
public final class StreamQos {
  static final int BYTES = 0;
  static final int MESSAGES = 1;
  static final int LOST = 2;
  static final int DROPPED = 3;

  private static final long SECOND = 1_000_000_000L;
  private static final int SECONDS = QosWindow.SECONDS;

  private final QosWindow window = new QosWindow(4);
  private final LongSupplier clock;
  // Latency (ms): starts at ping/2, then follows how far arrivals drift from the media clock.
  private volatile long latency;
  private boolean based;
  private long baseOffsetMillis; // arrival(ms) - media time(ms) of the first message
  // The latency at the start of each second of the window, for the congestion trend.
  private final long[] latencyAt = new long[SECONDS];
  private final long[] latencySecond = new long[SECONDS];

  StreamQos(LongSupplier clock) {
    this.clock = clock;
    java.util.Arrays.fill(latencySecond, Long.MIN_VALUE);
  }

  // ---- recording (the writer's thread) ----

  /**
   * A media message of {@code bytes} arrived at {@code nowNanos} with media time {@code timeMillis};
   * {@code pingMillis} is the sender's round trip (0 when unknown).
   */
  void received(int bytes, int timeMillis, long pingMillis, long nowNanos) {
    window.add(BYTES, bytes, nowNanos);
    window.add(MESSAGES, 1, nowNanos);
    long arrival = nowNanos / 1_000_000L;
    long half = pingMillis / 2;
    if (!based) {
      based = true;
      baseOffsetMillis = arrival - timeMillis;
      setLatency(half, nowNanos);
    } else {
      // Positive drift: messages arrive later than the media clock says they should.
      setLatency(Math.max(0, half + (arrival - timeMillis) - baseOffsetMillis), nowNanos);
    }
  }

  /** Bytes and a message sent toward a player (its outgoing QoS); latency is half its round trip. */
  void sent(int bytes, long pingMillis, long nowNanos) {
    window.add(BYTES, bytes, nowNanos);
    window.add(MESSAGES, 1, nowNanos);
    setLatency(pingMillis / 2, nowNanos);
  }

  void lost(long fragments, long nowNanos) {
    window.add(LOST, fragments, nowNanos);
  }

  void dropped(long nowNanos) {
    window.add(DROPPED, 1, nowNanos);
  }

  /** A new publishing session: the media clock restarts, so does the latency base. */
  void rebase() {
    based = false;
  }

  private void setLatency(long ms, long nowNanos) {
    latency = ms;
    long sec = Math.floorDiv(nowNanos, SECOND);
    int i = (int) Math.floorMod(sec, SECONDS);
    if (latencySecond[i] != sec) {
      latencySecond[i] = sec;
      latencyAt[i] = ms;
    }
  }

  // ---- reading (any thread) ----

  /** Lost fragments / (lost + received messages) over 5 s, 0..1. */
  public double lostRate() {
    return lostRate(clock.getAsLong());
  }

  public double lostRate(long nowNanos) {
    long lost = window.sum(LOST, nowNanos);
    long got = window.sum(MESSAGES, nowNanos);
    return lost + got == 0 ? 0 : Math.min(1.0, lost / (double) (lost + got));
  }

  /** Bytes per second over 5 s. */
  public double byteRate() {
    return byteRate(clock.getAsLong());
  }

  public double byteRate(long nowNanos) {
    return window.rate(BYTES, nowNanos);
  }

  /** Latency in ms (see the class comment). */
  public long latency() {
    return latency;
  }

  /** Frames dropped over 5 s (waiting for a keyframe, refused by a full queue). */
  public long droppedFrames() {
    return droppedFrames(clock.getAsLong());
  }

  public long droppedFrames(long nowNanos) {
    return window.sum(DROPPED, nowNanos);
  }

  /** Lost fragments over 5 s. */
  public long lostFragments(long nowNanos) {
    return window.sum(LOST, nowNanos);
  }

  /** Messages over 5 s. */
  public long messages(long nowNanos) {
    return window.sum(MESSAGES, nowNanos);
  }

  /**
   * Lost rate plus the latency growth across the window normalised to one second, clamped to
   * -1..1: positive when the path gets worse, negative when a backlog drains.
   */
  public double congestionRate() {
    return congestionRate(clock.getAsLong());
  }

  public double congestionRate(long nowNanos) {
    long sec = Math.floorDiv(nowNanos, SECOND);
    long oldestSec = Long.MAX_VALUE;
    long oldest = latency;
    for (int i = 0; i < SECONDS; i++) {
      long s = latencySecond[i];
      if (s <= sec && sec - s < SECONDS && s < oldestSec) {
        oldestSec = s;
        oldest = latencyAt[i];
      }
    }
    double c = lostRate(nowNanos) + (latency - oldest) / 1000.0;
    return Math.max(-1.0, Math.min(1.0, c));
  }
}
