package io.altocumulus.rtmfp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts refusals by {@link DropCause} and logs each cause at most once per interval, so hostile
 * traffic cannot flood the log. Shared by all event loops: LongAdder keeps increments cheap.
 */
public final class DropCounters {
  private static final Logger LOG = LoggerFactory.getLogger(DropCounters.class);
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final LongAdder[] counts = new LongAdder[DropCause.values().length];
  private final long[] lastLogged = new long[DropCause.values().length];

  public DropCounters() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
      lastLogged[i] = Long.MIN_VALUE / 2;
    }
  }

  /** Counts one refusal; logs it if this cause has not been logged in the last 10 s. */
  public void drop(DropCause cause, long nowNanos, Object detail) {
    counts[cause.ordinal()].increment();
    int i = cause.ordinal();
    long last = lastLogged[i];
    if (nowNanos - last >= LOG_INTERVAL_NANOS) {
      // Racy on purpose: at worst two loops log the same cause once each.
      lastLogged[i] = nowNanos;
      if (LOG.isInfoEnabled()) {
        LOG.info("dropped: {} ({}); total {} (further drops of this cause logged at most every 10 s)",
            cause, detail, counts[i].sum());
      }
    }
  }

  public long count(DropCause cause) {
    return counts[cause.ordinal()].sum();
  }

  public long total() {
    long t = 0;
    for (LongAdder a : counts) {
      t += a.sum();
    }
    return t;
  }

  public Map<DropCause, Long> snapshot() {
    Map<DropCause, Long> m = new EnumMap<>(DropCause.class);
    for (DropCause c : DropCause.values()) {
      m.put(c, counts[c.ordinal()].sum());
    }
    return m;
  }
}
