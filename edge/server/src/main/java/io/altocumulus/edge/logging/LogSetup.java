package io.altocumulus.edge.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.TriggeringPolicyBase;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Programmatic logback set-up, no logback.xml needed: the file {@code <dir>/<name>.0} rotated
 * at 1,000,000 bytes into {@code .1} … {@code .10} (the oldest dropped), as Cumulus does
 * (CUMULUS-FEATURES §2), plus a console appender when the process is interactive.
 */
public final class LogSetup {
  /** Cumulus's LOG_SIZE: rotate when the current file passes this many bytes. */
  public static final long ROTATE_BYTES = 1_000_000;
  /** Highest rotated index: files {@code .0} to {@code .10}, eleven in all. */
  public static final int MAX_INDEX = 10;

  static final String FILE_PATTERN = "%d{dd/MM HH:mm:ss.SSS} %-5level\t%thread\t%logger{36}  %msg%n";
  static final String CONSOLE_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";

  private LogSetup() {}

  /** Configures the global logback context (the one slf4j uses). */
  public static void configure(int cumulusLevel, Path logsDirectory, String logsName, boolean console) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    configure(ctx, cumulusLevel, logsDirectory, logsName, console);
  }

  /**
   * Resets {@code ctx} and installs the appenders.
   *
   * @param cumulusLevel 0..8 (see {@link CumulusLevel})
   * @param logsDirectory created if missing
   * @param console also log to stdout (Cumulus does so only when interactive)
   */
  public static void configure(LoggerContext ctx, int cumulusLevel, Path logsDirectory, String logsName,
      boolean console) {
    Level level = CumulusLevel.toLogback(cumulusLevel);
    try {
      Files.createDirectories(logsDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create logs.directory " + logsDirectory, e);
    }
    ctx.reset();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);
    // Netty's own debug output is set-up chatter: at --log 7 keep it at info, at 8 show all.
    ctx.getLogger("io.netty").setLevel(cumulusLevel == 7 ? Level.INFO : null);

    PatternLayoutEncoder fileEncoder = new PatternLayoutEncoder();
    fileEncoder.setContext(ctx);
    fileEncoder.setPattern(FILE_PATTERN);
    fileEncoder.start();

    RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
    file.setContext(ctx);
    file.setName("file");
    file.setFile(logsDirectory.resolve(logsName + ".0").toString());
    file.setEncoder(fileEncoder);

    FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
    rolling.setContext(ctx);
    rolling.setParent(file);
    rolling.setFileNamePattern(logsDirectory.resolve(logsName).toString() + ".%i");
    rolling.setMinIndex(1);
    rolling.setMaxIndex(MAX_INDEX);
    rolling.start();

    SizeTrigger<ILoggingEvent> trigger = new SizeTrigger<>(ROTATE_BYTES);
    trigger.setContext(ctx);
    trigger.start();

    file.setRollingPolicy(rolling);
    file.setTriggeringPolicy(trigger);
    file.start();
    root.addAppender(file);

    if (console) {
      PatternLayoutEncoder consoleEncoder = new PatternLayoutEncoder();
      consoleEncoder.setContext(ctx);
      consoleEncoder.setPattern(CONSOLE_PATTERN);
      consoleEncoder.start();
      ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
      out.setContext(ctx);
      out.setName("console");
      out.setEncoder(consoleEncoder);
      out.start();
      root.addAppender(out);
    }
  }

  /**
   * Rolls when the active file has reached {@code maxBytes}, checked at every event (a stat
   * call; logging is not on the packet path). Logback's SizeBasedTriggeringPolicy did not
   * fire in our tests with 1.5.38, so the rule is spelled out here.
   */
  static final class SizeTrigger<E> extends TriggeringPolicyBase<E> {
    private final long maxBytes;

    SizeTrigger(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    @Override
    public boolean isTriggeringEvent(File activeFile, E event) {
      return activeFile != null && activeFile.length() >= maxBytes;
    }
  }

  /** Cumulus echoes to stdout only when interactive (not daemonised): a terminal is attached. */
  public static boolean isInteractive() {
    return System.console() != null;
  }
}
