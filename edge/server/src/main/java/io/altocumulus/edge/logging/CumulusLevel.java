package io.altocumulus.edge.logging;

import ch.qos.logback.classic.Level;

/**
 * Cumulus's {@code --log} verbosity 0..8 (CUMULUS-FEATURES §1) mapped onto logback levels.
 * Logback has no fatal, critical or note levels, so those share the nearest one.
 */
public final class CumulusLevel {
  public static final int MIN = 0;
  public static final int MAX = 8;
  public static final int DEFAULT = 6;

  private static final Level[] LEVELS = {
      Level.OFF,   // 0 none
      Level.ERROR, // 1 fatal
      Level.ERROR, // 2 critical
      Level.ERROR, // 3 error
      Level.WARN,  // 4 warn
      Level.INFO,  // 5 note
      Level.INFO,  // 6 info
      Level.DEBUG, // 7 debug
      Level.TRACE, // 8 trace
  };

  private CumulusLevel() {}

  /** @throws IllegalArgumentException outside 0..8 */
  public static Level toLogback(int cumulusLevel) {
    if (cumulusLevel < MIN || cumulusLevel > MAX) {
      throw new IllegalArgumentException("log=" + cumulusLevel + " is out of range: valid 0..8");
    }
    return LEVELS[cumulusLevel];
  }
}
