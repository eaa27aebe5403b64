package io.altocumulus.rtmfp.time;

/** A clock that moves only when told to; used by the core's tests instead of sleeps. */
public final class FakeClock implements Clock {
  private long now;

  public FakeClock() {
    this(1_000_000_000L);
  }

  public FakeClock(long startNanos) {
    this.now = startNanos;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  public void advanceMillis(long ms) {
    now += ms * 1_000_000L;
  }

  public void advanceNanos(long ns) {
    now += ns;
  }
}
