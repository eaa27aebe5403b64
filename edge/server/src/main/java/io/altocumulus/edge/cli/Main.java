package io.altocumulus.edge.cli;

import io.altocumulus.edge.config.ConfigException;
import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.logging.CumulusLevel;
import io.altocumulus.edge.logging.LogSetup;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The edge node's command line. Runs in the foreground (systemd daemonises it: see
 * {@code ops/systemd/README.md}); SIGTERM or SIGINT closes the node cleanly.
 *
 * <p>Exit codes: {@value #EXIT_OK} normal end (also {@code --help}, {@code --version});
 * {@value #EXIT_FAILURE} start-up failed (no {@link NodeLauncher}, port in use, I/O error);
 * {@value #EXIT_USAGE} bad command line or configuration value. Stopped by SIGTERM the JVM
 * exits with 143 (128 + 15), which the systemd unit counts as success.
 */
@Command(name = "altocumulus-edge", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    sortOptions = false, usageHelpAutoWidth = true,
    description = {"Altocumulus RTMFP edge node. Runs in the foreground; stop it with SIGTERM or Ctrl-C.",
        "Command-line values override the configuration file."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  normal end, --help, --version",
        "  1  start-up failed (no node launcher on the class path, port in use, I/O error)",
        "  2  invalid command line or configuration value"})
public final class Main implements Callable<Integer> {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;
  /** Read when {@code --config} is not given, if it exists. */
  public static final String DEFAULT_CONFIG = "altocumulus.ini";

  @Option(names = {"-l", "--log"}, paramLabel = "0..8", defaultValue = "6",
      description = "Log level: 0 none, 1 fatal, 2 critical, 3 error, 4 warn, 5 note, 6 info, 7 debug, "
          + "8 trace (default: ${DEFAULT-VALUE}).")
  int logLevel;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (Cumulus INI). Default: " + DEFAULT_CONFIG
          + " in the working directory, if it exists.")
  Path config;

  @Option(names = "--host", paramLabel = "ADDRESS",
      description = "Bind address (config key host; default 0.0.0.0, :: for IPv4 and IPv6).")
  String host;

  @Option(names = "--port", paramLabel = "1..65535", description = "UDP port (config key port; default 1935).")
  String port;

  @Option(names = "--www", paramLabel = "DIR",
      description = "Applications folder (config key www; default <application.dir>/www). Created if missing.")
  Path www;

  @Option(names = "--threads", paramLabel = "0..256",
      description = "Event loops, one SO_REUSEPORT socket each (config key threads; 0 = number of cores).")
  String threads;

  @Option(names = "--metrics-port", paramLabel = "0..65535",
      description = "TCP port of the Prometheus endpoint /metrics (config key metrics.port; 0 = off, the default).")
  String metricsPort;

  @Option(names = "--pidfile", paramLabel = "FILE", description = "Write the process id to FILE; deleted at exit.")
  Path pidfile;

  private final boolean installShutdownHook;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Running running;

  public Main() {
    this(true);
  }

  /** @param installShutdownHook false in tests: the caller closes {@link #running()} itself */
  Main(boolean installShutdownHook) {
    this.installShutdownHook = installShutdownHook;
  }

  public static void main(String[] args) {
    // Netty's default leak detection (SIMPLE) records a stack trace for one pooled buffer in 128:
    // with one buffer per datagram sent, that was ~1 % of the relay's CPU (tests/BENCHMARKS.md
    // "Relay profile"). The node's own process turns it off unless asked for with
    // -Dio.netty.leakDetection.level=...; tests, which build UdpNode directly, keep it.
    if (System.getProperty("io.netty.leakDetection.level") == null
        && System.getProperty("io.netty.leakDetectionLevel") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    Main main = new Main();
    int code = main.execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    if (code != EXIT_OK || main.running == null) {
      System.exit(code);
    }
    // The node's loops are non-daemon threads; keep main parked until the hook has run.
    main.awaitStopped();
  }

  /** Parses {@code args}, loads the configuration and starts the node; returns an exit code. */
  public int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(this);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof ConfigException) {
        cmd.getErr().println("altocumulus-edge: " + e.getMessage());
        return EXIT_USAGE;
      }
      if (e instanceof StartupException) {
        cmd.getErr().println("altocumulus-edge: " + e.getMessage());
        LoggerFactory.getLogger(Main.class).error(e.getMessage());
        return EXIT_FAILURE;
      }
      cmd.getErr().println("altocumulus-edge: start-up failed: " + e);
      LoggerFactory.getLogger(Main.class).error("start-up failed", e);
      return EXIT_FAILURE;
    });
    return cl.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    NodeConfig cfg = loadConfig();
    LogSetup.configure(logLevel, cfg.logsDirectory(), cfg.logsName(), LogSetup.isInteractive());
    Logger log = LoggerFactory.getLogger(Main.class);
    log.info("altocumulus-edge {} starting: {}", version(), cfg);
    for (String k : cfg.unknownKeys()) {
      log.debug("configuration key {}={} is not used by the node itself (kept for scripts)", k, cfg.raw().get(k));
    }
    cfg.legacyServersWarning().ifPresent(log::warn);
    Files.createDirectories(cfg.www()); // Cumulus creates its www folder too

    NodeLauncher launcher = findLauncher(log);
    if (pidfile != null) {
      Path parent = pidfile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(pidfile, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
    }
    AutoCloseable node;
    try {
      node = launcher.start(cfg);
    } catch (Exception e) {
      deletePidfile();
      throw e;
    }
    running = new Running(node);
    if (installShutdownHook) {
      Runtime.getRuntime().addShutdownHook(new Thread(running::close, "altocumulus-shutdown"));
    }
    log.info("node started; stop with SIGTERM");
    return EXIT_OK;
  }

  /** The configuration from the file and the command-line overrides, without starting anything. */
  NodeConfig loadConfig() {
    CumulusLevelCheck.check(logLevel);
    Path file = config;
    if (file == null) {
      Path dflt = Path.of(DEFAULT_CONFIG);
      file = Files.isRegularFile(dflt) ? dflt : null; // a missing default file is not an error
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    if (host != null) {
      overrides.put("host", host);
    }
    if (port != null) {
      overrides.put("port", port);
    }
    if (www != null) {
      overrides.put("www", www.toAbsolutePath().toString()); // relative to the working directory
    }
    if (threads != null) {
      overrides.put("threads", threads);
    }
    if (metricsPort != null) {
      overrides.put("metrics.port", metricsPort);
    }
    return NodeConfig.load(file, overrides);
  }

  /** An expected start-up failure: its message says it all, no stack trace. */
  static final class StartupException extends Exception {
    StartupException(String message) {
      super(message);
    }
  }

  private static NodeLauncher findLauncher(Logger log) throws StartupException {
    List<NodeLauncher> found = new ArrayList<>();
    ServiceLoader.load(NodeLauncher.class).forEach(found::add);
    if (found.isEmpty()) {
      throw new StartupException("no NodeLauncher on the class path (META-INF/services/"
          + NodeLauncher.class.getName() + "): this build has no RTMFP node to run");
    }
    if (found.size() > 1) {
      log.warn("{} NodeLaunchers found, using {}: {}", found.size(), found.get(0).getClass().getName(), found);
    }
    return found.get(0);
  }

  /** The started node, or null before (or without) a successful start. */
  Running running() {
    return running;
  }

  void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void deletePidfile() {
    if (pidfile != null) {
      try {
        Files.deleteIfExists(pidfile);
      } catch (IOException e) {
        LoggerFactory.getLogger(Main.class).warn("cannot delete pidfile {}", pidfile, e);
      }
    }
  }

  /** The started node: closing it stops the node, deletes the pidfile. Idempotent. */
  final class Running implements AutoCloseable {
    private final AutoCloseable node;
    private boolean closed;

    Running(AutoCloseable node) {
      this.node = node;
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      Logger log = LoggerFactory.getLogger(Main.class);
      log.info("stopping");
      try {
        node.close();
      } catch (Exception e) {
        log.error("error while stopping the node", e);
      }
      deletePidfile();
      log.info("stopped");
      stopped.countDown();
    }
  }

  private static final class CumulusLevelCheck {
    static void check(int level) {
      if (level < CumulusLevel.MIN || level > CumulusLevel.MAX) {
        throw new ConfigException("log", "log=" + level + " is out of range: valid 0..8 "
            + "(0 none, 1 fatal, 2 critical, 3 error, 4 warn, 5 note, 6 info, 7 debug, 8 trace)");
      }
    }
  }

  static String version() {
    try (InputStream in = Main.class.getResourceAsStream("/io/altocumulus/edge/version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (IOException e) {
      // fall through
    }
    String v = Main.class.getPackage().getImplementationVersion();
    return v != null ? v : "unknown";
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"altocumulus-edge " + version(), "Java " + Runtime.version()};
    }
  }
}
