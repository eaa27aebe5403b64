package io.altocumulus.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.edge.config.NodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Main main, String... args) {
    return main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void helpListsEveryOption() {
    assertThat(run(new Main(false), "--help")).isZero();
    assertThat(out.toString()).contains("-l, --log", "--config", "--host", "--port", "--www", "--pidfile",
        "--threads", "--help", "--version", "Exit codes");
  }

  @Test
  void versionPrints() {
    assertThat(run(new Main(false), "--version")).isZero();
    assertThat(out.toString()).startsWith("altocumulus-edge ");
  }

  @Test
  void overridesBeatTheFile() throws Exception {
    Path ini = dir.resolve("edge.ini");
    Files.writeString(ini, "port=2000\nhost=127.0.0.1\nthreads=3\nwww=apps\n");
    Main main = new Main(false);
    new CommandLine(main).parseArgs("--config", ini.toString(), "--port", "3000", "--host", "::",
        "--threads", "2", "--www", dir.resolve("w").toString());
    NodeConfig c = main.loadConfig();
    assertThat(c.port()).isEqualTo(3000);
    assertThat(c.host()).isEqualTo("::");
    assertThat(c.threads()).isEqualTo(2);
    assertThat(c.www()).isEqualTo(dir.resolve("w"));
  }

  @Test
  void logNineIsRefusedWithExitTwo() {
    assertThat(run(new Main(false), "--log", "9")).isEqualTo(Main.EXIT_USAGE);
    assertThat(err.toString()).contains("log=9 is out of range: valid 0..8");
  }

  @Test
  void badPortIsRefusedWithExitTwo() {
    assertThat(run(new Main(false), "--port", "70000")).isEqualTo(Main.EXIT_USAGE);
    assertThat(err.toString()).contains("port=70000 is out of range: valid 1..65535");
  }

  @Test
  void missingExplicitConfigIsRefused() {
    assertThat(run(new Main(false), "--config", dir.resolve("missing.ini").toString())).isEqualTo(Main.EXIT_USAGE);
    assertThat(err.toString()).contains("missing.ini", "does not exist");
  }

  @Test
  void unknownOptionIsUsageError() {
    assertThat(run(new Main(false), "--daemon")).isEqualTo(Main.EXIT_USAGE);
  }

  /** Full path: config, logs, www created, pidfile written, launcher found, closed cleanly. */
  @Test
  void startsLauncherWritesPidfileAndCleansUp() throws Exception {
    Path ini = dir.resolve("edge.ini");
    Files.writeString(ini, "application.dir=" + dir + "\n[logs]\nname=edge\n");
    Path pid = dir.resolve("run/edge.pid");
    Main main = new Main(false);
    TestLauncher.started = null;
    TestLauncher.closed = false;
    int code = run(main, "--config", ini.toString(), "--pidfile", pid.toString(), "--port", "1940", "-l", "4");
    assertThat(code).as(err.toString()).isZero();
    assertThat(TestLauncher.started.port()).isEqualTo(1940);
    assertThat(dir.resolve("www")).isDirectory();
    assertThat(dir.resolve("logs/edge.0")).exists();
    assertThat(Files.readString(pid).trim()).isEqualTo(String.valueOf(ProcessHandle.current().pid()));
    main.running().close();
    assertThat(TestLauncher.closed).isTrue();
    assertThat(pid).doesNotExist();
  }
}
