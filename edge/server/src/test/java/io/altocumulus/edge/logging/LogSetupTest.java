package io.altocumulus.edge.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSetupTest {
  @TempDir Path dir;

  /** A private context, so the test does not reconfigure the one other tests log to. */
  private static LoggerContext newContext() {
    LoggerContext ctx = new LoggerContext();
    ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    return ctx;
  }

  @Test
  void mapsCumulusLevels() {
    Level[] expected = {Level.OFF, Level.ERROR, Level.ERROR, Level.ERROR, Level.WARN, Level.INFO,
        Level.INFO, Level.DEBUG, Level.TRACE};
    for (int i = 0; i <= 8; i++) {
      assertThat(CumulusLevel.toLogback(i)).as("level %d", i).isEqualTo(expected[i]);
    }
    assertThatThrownBy(() -> CumulusLevel.toLogback(9)).hasMessageContaining("log=9");
  }

  @Test
  void rotatesPastOneMillionBytesKeepingElevenFiles() throws Exception {
    LoggerContext ctx = newContext();
    Path logs = dir.resolve("logs"); // created by the set-up
    LogSetup.configure(ctx, 6, logs, "edge", false);
    Logger log = ctx.getLogger("test");
    String line = "x".repeat(1000);
    long deadline = System.nanoTime() + 4_000_000_000L;
    int n = 0;
    while (!Files.exists(logs.resolve("edge.1")) && System.nanoTime() < deadline) {
      log.info(line);
      n++;
    }
    log.debug("dropped at info level");
    ctx.stop();
    assertThat(n).as("lines written").isGreaterThan(900); // ≥ ~1 MB before the first roll
    assertThat(logs.resolve("edge.1")).exists();
    assertThat(Files.size(logs.resolve("edge.1"))).isGreaterThanOrEqualTo(LogSetup.ROTATE_BYTES);
    assertThat(Files.size(logs.resolve("edge.0"))).isLessThan(LogSetup.ROTATE_BYTES);
    assertThat(logs.resolve("edge.2")).doesNotExist();
    assertThat(Files.readString(logs.resolve("edge.0"))).doesNotContain("dropped at info level");
  }

  @Test
  void keepsAtMostIndexTen() throws Exception {
    LoggerContext ctx = newContext();
    LogSetup.configure(ctx, 6, dir, "log", false);
    assertThat(dir.resolve("log.0")).exists();
    // Fill 12 rotations' worth quickly by pre-creating files and forcing rolls.
    ch.qos.logback.core.rolling.RollingFileAppender<?> file =
        (ch.qos.logback.core.rolling.RollingFileAppender<?>) ctx.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("file");
    for (int i = 0; i < 12; i++) {
      ctx.getLogger("t").info("roll " + i);
      file.rollover();
    }
    ctx.stop();
    for (int i = 0; i <= 10; i++) {
      assertThat(dir.resolve("log." + i)).as("log.%d", i).exists();
    }
    assertThat(dir.resolve("log.11")).doesNotExist();
  }
}
