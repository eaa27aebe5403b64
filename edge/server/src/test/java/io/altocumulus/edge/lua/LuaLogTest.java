package io.altocumulus.edge.lua;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.slf4j.LoggerFactory;

/** The logging globals: Cumulus's rendering of values, the level, and the script's file and line (§3). */
class LuaLogTest {
  @TempDir
  Path www;
  LuaHost host;
  ListAppender<ILoggingEvent> appender = new ListAppender<>();
  Logger logger = (Logger) LoggerFactory.getLogger("lua");
  Level before;

  @BeforeEach
  void start() {
    before = logger.getLevel();
    logger.setLevel(Level.TRACE);
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void stop() {
    if (host != null) {
      host.close();
    }
    logger.detachAppender(appender);
    logger.setLevel(before);
  }

  @Test
  void cumulusToStringRules() {
    assertThat(LuaLog.toString(LuaValue.NIL)).isEqualTo("(null)");
    assertThat(LuaLog.toString(LuaValue.TRUE)).isEqualTo("(true)");
    assertThat(LuaLog.toString(LuaValue.FALSE)).isEqualTo("(false)");
    assertThat(LuaLog.toString(LuaValue.valueOf(3))).isEqualTo("3");
    assertThat(LuaLog.toString(LuaValue.valueOf(2.5))).isEqualTo("2.5");
    assertThat(LuaLog.toString(LuaValue.valueOf("s"))).isEqualTo("s");
    assertThat(LuaLog.toString(new LuaTable())).startsWith("table_");
    assertThat(LuaLog.join(LuaValue.varargsOf(LuaValue.valueOf("a"), LuaValue.NIL, LuaValue.TRUE)))
        .isEqualTo("a(null)(true)");
  }

  @Test
  void globalsLogAtTheirLevelWithFileAndLine() throws Exception {
    Files.writeString(www.resolve("main.lua"), """
        local x = nil
        ERROR('e', x, true)
        WARN('w', false)
        NOTE('n', 1)
        INFO('i')
        function f()
          DEBUG('d')
        end
        f()
        TRACE('t', {})
        print('p')
        """);
    host = new LuaHost(www, Map.of(), null).start();
    host.submit(() -> 0).get(10, TimeUnit.SECONDS);
    List<ILoggingEvent> events = appender.list;
    assertThat(events).extracting(ILoggingEvent::getLevel)
        .containsExactly(Level.ERROR, Level.WARN, Level.INFO, Level.INFO, Level.DEBUG, Level.TRACE, Level.INFO);
    assertThat(events.get(0).getFormattedMessage()).isEqualTo("main.lua:2 e(null)(true)");
    assertThat(events.get(1).getFormattedMessage()).isEqualTo("main.lua:3 w(false)");
    assertThat(events.get(2).getFormattedMessage()).isEqualTo("main.lua:4 n1");
    assertThat(events.get(4).getFormattedMessage()).isEqualTo("main.lua:7 d");
    assertThat(events.get(5).getFormattedMessage()).startsWith("main.lua:10 ttable_");
    assertThat(events.get(6).getFormattedMessage()).isEqualTo("main.lua:11 p");
  }
}
