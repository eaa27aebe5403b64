package io.altocumulus.edge.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The node's configuration: every key of Cumulus's INI file (CUMULUS-FEATURES §2) with the same
 * names and defaults, plus our own {@code host} and {@code www}. Immutable.
 *
 * <p>Values are validated at load time; a bad one throws {@link ConfigException} naming the key,
 * the value and the valid range. Cumulus clamped or wrapped some values silently (keep-alives
 * below 5 s, 16-bit overflow); we refuse them instead so a typo does not go unnoticed.
 *
 * <p>Keys and defaults:
 * <pre>
 * port              1935     1..65535          UDP port (RTMFP)
 * host              0.0.0.0  IPv4/IPv6 literal or host name; "::" = dual-stack
 * udpBufferSize     0        0 (OS default) or 1024..1073741824 bytes: SO_RCVBUF and SO_SNDBUF
 * keepAliveServer   15       5..65535 s
 * keepAlivePeer     10       5..65535 s
 * threads           0        0..256; 0 = number of cores. Number of event loops (one
 *                            SO_REUSEPORT socket each)
 * publicAddress     ""       host:port (IPv6 as [addr]:port), port 1..65535
 * servers.port      0        0 or 1..65535   legacy TCP mesh: read, not opened (see
 *                                            {@link #legacyServersWarning()})
 * servers.targets   ""       legacy TCP mesh targets: read, not dialled
 * smtp.host         localhost
 * smtp.port         25       1..65535
 * smtp.timeout      60       1..65535 s
 * application.dir   current working directory
 * logs.directory    &lt;application.dir&gt;/logs
 * logs.name         log
 * www               &lt;application.dir&gt;/www   applications folder
 * metrics.port      0        0 (off) or 1..65535   TCP port of the Prometheus endpoint /metrics
 * metrics.host      ""       bind address of /metrics; "" = all interfaces
 * </pre>
 * Relative {@code logs.directory} and {@code www} are resolved against {@code application.dir};
 * a relative {@code application.dir} against the working directory.
 */
public final class NodeConfig {
  public static final int DEFAULT_PORT = 1935;
  public static final int MIN_UDP_BUFFER = 1024;
  public static final int MAX_UDP_BUFFER = 1 << 30;
  public static final int MAX_THREADS = 256;

  /** Every key this class interprets (canonical spelling). */
  public static final List<String> KNOWN_KEYS = List.of(
      "port", "host", "udpBufferSize", "keepAliveServer", "keepAlivePeer", "threads",
      "publicAddress", "servers.port", "servers.targets", "smtp.host", "smtp.port",
      "smtp.timeout", "logs.directory", "logs.name", "application.dir", "www", "metrics.port", "metrics.host");

  private static final Pattern HOST_NAME =
      Pattern.compile("(?i)[a-z0-9](?:[a-z0-9-]{0,62})?(?:\\.[a-z0-9](?:[a-z0-9-]{0,62})?)*\\.?");
  private static final Pattern IPV4_LIKE = Pattern.compile("[0-9.]+");

  private final SortedMap<String, String> raw;
  private final Set<String> unknownKeys;
  private final int port;
  private final String host;
  private final int udpBufferSize;
  private final int keepAliveServer;
  private final int keepAlivePeer;
  private final int threadsSetting;
  private final int threads;
  private final String publicAddress;
  private final int serversPort;
  private final String serversTargets;
  private final String smtpHost;
  private final int smtpPort;
  private final int smtpTimeout;
  private final Path applicationDir;
  private final Path logsDirectory;
  private final String logsName;
  private final Path www;
  private final int metricsPort;
  private final String metricsHost;

  private NodeConfig(SortedMap<String, String> raw) {
    this(raw, false);
  }

  private NodeConfig(SortedMap<String, String> raw, boolean anyPort) {
    this.raw = raw;
    port = intIn(raw, "port", DEFAULT_PORT, anyPort ? 0 : 1, 65535, "");
    host = hostValue(raw, "host", "0.0.0.0");
    udpBufferSize = udpBuffer(raw);
    keepAliveServer = intIn(raw, "keepAliveServer", 15, 5, 65535, " (seconds)");
    keepAlivePeer = intIn(raw, "keepAlivePeer", 10, 5, 65535, " (seconds)");
    threadsSetting = intIn(raw, "threads", 0, 0, MAX_THREADS, " (event loops; 0 = number of cores)");
    threads = threadsSetting == 0 ? Runtime.getRuntime().availableProcessors() : threadsSetting;
    publicAddress = str(raw, "publicAddress", "");
    if (!publicAddress.isEmpty()) {
      checkHostPort("publicAddress", publicAddress);
    }
    serversPort = intIn(raw, "servers.port", 0, 0, 65535, " (0 = disabled)");
    serversTargets = str(raw, "servers.targets", "");
    smtpHost = str(raw, "smtp.host", "localhost");
    smtpPort = intIn(raw, "smtp.port", 25, 1, 65535, "");
    smtpTimeout = intIn(raw, "smtp.timeout", 60, 1, 65535, " (seconds)");
    applicationDir = path(raw, "application.dir", Path.of("").toAbsolutePath(), Path.of("").toAbsolutePath());
    logsDirectory = path(raw, "logs.directory", applicationDir.resolve("logs"), applicationDir);
    logsName = str(raw, "logs.name", "log");
    if (logsName.isEmpty() || logsName.contains("/") || logsName.contains("\\")) {
      throw new ConfigException("logs.name",
          "logs.name=" + logsName + " is not valid: a non-empty file name without '/'");
    }
    www = path(raw, "www", applicationDir.resolve("www"), applicationDir);
    metricsPort = intIn(raw, "metrics.port", 0, 0, 65535, " (TCP port of /metrics; 0 = off)");
    metricsHost = str(raw, "metrics.host", "");
    if (!metricsHost.isEmpty()) {
      hostValue(raw, "metrics.host", "");
    }
    Set<String> unknown = new LinkedHashSet<>();
    for (String k : raw.keySet()) {
      if (KNOWN_KEYS.stream().noneMatch(k::equalsIgnoreCase)) {
        unknown.add(k);
      }
    }
    unknownKeys = Collections.unmodifiableSet(unknown);
  }

  /**
   * Loads the configuration.
   *
   * @param iniFileOrNull the INI file, or null for none (defaults and overrides only); a file
   *     that does not exist is an error (the caller decides whether a default file is optional)
   * @param overrides keys that beat the file (command line), e.g. {@code port -> 1936}
   * @throws ConfigException for a missing or unreadable file or a refused value
   */
  public static NodeConfig load(Path iniFileOrNull, Map<String, String> overrides) {
    TreeMap<String, String> raw = IniFile.newKeyMap();
    if (iniFileOrNull != null) {
      try (Reader r = Files.newBufferedReader(iniFileOrNull, StandardCharsets.UTF_8)) {
        raw.putAll(IniFile.parse(r));
      } catch (NoSuchFileException e) {
        throw new ConfigException("config", "configuration file " + iniFileOrNull + " does not exist", e);
      } catch (IOException e) {
        throw new ConfigException("config", "cannot read configuration file " + iniFileOrNull + ": " + e, e);
      }
    }
    if (overrides != null) {
      overrides.forEach((k, v) -> {
        if (v != null) {
          raw.put(k, v.strip());
        }
      });
    }
    return new NodeConfig(Collections.unmodifiableSortedMap(raw));
  }

  /** Parses INI text directly (tests, embedded use). */
  public static NodeConfig fromIni(String iniText, Map<String, String> overrides) {
    TreeMap<String, String> raw = IniFile.newKeyMap();
    try {
      raw.putAll(IniFile.parse(new java.io.StringReader(iniText)));
    } catch (IOException e) {
      throw new IllegalStateException(e); // a StringReader does not fail
    }
    if (overrides != null) {
      overrides.forEach((k, v) -> raw.put(k, v.strip()));
    }
    return new NodeConfig(Collections.unmodifiableSortedMap(raw));
  }

  /**
   * A copy with another UDP port; 0 (any free port, then read {@code UdpNode.boundAddresses()})
   * is allowed here for tests and embedding, never from the file or the command line.
   */
  public NodeConfig withPort(int port) {
    TreeMap<String, String> copy = IniFile.newKeyMap();
    copy.putAll(raw);
    copy.put("port", String.valueOf(port));
    return new NodeConfig(Collections.unmodifiableSortedMap(copy), true);
  }

  // ---- validation helpers ----

  private static String str(Map<String, String> raw, String key, String dflt) {
    String v = raw.get(key);
    return v == null ? dflt : v;
  }

  private static int intIn(Map<String, String> raw, String key, int dflt, int min, int max, String unit) {
    String v = raw.get(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(key,
          key + "=" + v + " is not an integer: valid " + min + ".." + max + unit);
    }
    if (n < min || n > max) {
      throw new ConfigException(key,
          key + "=" + v + " is out of range: valid " + min + ".." + max + unit);
    }
    return (int) n;
  }

  private static int udpBuffer(Map<String, String> raw) {
    String key = "udpBufferSize";
    String range = " (bytes; 0 = OS default, else " + MIN_UDP_BUFFER + ".." + MAX_UDP_BUFFER + ")";
    int n = intIn(raw, key, 0, 0, MAX_UDP_BUFFER, range);
    if (n != 0 && n < MIN_UDP_BUFFER) {
      throw new ConfigException(key, key + "=" + n + " is out of range: valid 0 or "
          + MIN_UDP_BUFFER + ".." + MAX_UDP_BUFFER + " (bytes)");
    }
    return n;
  }

  private static Path path(Map<String, String> raw, String key, Path dflt, Path base) {
    String v = raw.get(key);
    if (v == null || v.isEmpty()) {
      return dflt.normalize();
    }
    try {
      return base.resolve(v).toAbsolutePath().normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw new ConfigException(key, key + "=" + v + " is not a valid path: " + e.getReason());
    }
  }

  private static String hostValue(Map<String, String> raw, String key, String dflt) {
    String v = str(raw, key, dflt);
    if (v.isEmpty()) {
      return dflt;
    }
    String h = v.startsWith("[") && v.endsWith("]") ? v.substring(1, v.length() - 1) : v;
    if (!isHost(h)) {
      throw new ConfigException(key, key + "=" + v
          + " is not valid: an IPv4 or IPv6 literal or a host name (0.0.0.0 = all IPv4, :: = all IPv4 and IPv6)");
    }
    return h;
  }

  /** True for an IPv4 literal, an IPv6 literal (no brackets) or a syntactically valid host name. */
  static boolean isHost(String h) {
    if (h.isEmpty()) {
      return false;
    }
    if (h.indexOf(':') >= 0) {
      // IPv6 literal: InetAddress parses literals without a DNS lookup.
      if (!h.matches("(?i)[0-9a-f:.%a-z]+")) {
        return false;
      }
      try {
        InetAddress.getByName(h);
        return true;
      } catch (UnknownHostException | SecurityException e) {
        return false;
      }
    }
    if (IPV4_LIKE.matcher(h).matches()) {
      String[] parts = h.split("\\.", -1);
      if (parts.length != 4) {
        return false;
      }
      for (String p : parts) {
        if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
          return false;
        }
      }
      return true;
    }
    return h.length() <= 253 && HOST_NAME.matcher(h).matches();
  }

  private static void checkHostPort(String key, String v) {
    String form = " is not valid: expected host:port ([IPv6]:port), port 1..65535";
    String h;
    String p;
    if (v.startsWith("[")) {
      int end = v.indexOf(']');
      if (end < 0 || end + 1 >= v.length() || v.charAt(end + 1) != ':') {
        throw new ConfigException(key, key + "=" + v + form);
      }
      h = v.substring(1, end);
      p = v.substring(end + 2);
      if (h.indexOf(':') < 0) {
        throw new ConfigException(key, key + "=" + v + form);
      }
    } else {
      int c = v.lastIndexOf(':');
      if (c <= 0 || v.indexOf(':') != c) {
        throw new ConfigException(key, key + "=" + v + form);
      }
      h = v.substring(0, c);
      p = v.substring(c + 1);
    }
    if (!isHost(h) || !p.matches("[0-9]{1,5}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 65535) {
      throw new ConfigException(key, key + "=" + v + form);
    }
  }

  // ---- getters ----

  /** Every key/value read (file, then overrides), case-insensitive keys, for Lua {@code cumulus.configs}. */
  public SortedMap<String, String> raw() {
    return raw;
  }

  /** Keys present but not interpreted by this class (kept in {@link #raw()}). */
  public Set<String> unknownKeys() {
    return unknownKeys;
  }

  public int port() {
    return port;
  }

  /** Bind address, without brackets ({@code 0.0.0.0}, {@code ::}, a literal or a name). */
  public String host() {
    return host;
  }

  /** 0 = leave the OS default; else SO_RCVBUF and SO_SNDBUF in bytes. */
  public int udpBufferSize() {
    return udpBufferSize;
  }

  public Duration keepAliveServer() {
    return Duration.ofSeconds(keepAliveServer);
  }

  public Duration keepAlivePeer() {
    return Duration.ofSeconds(keepAlivePeer);
  }

  /** Number of event loops to run (the setting, with 0 replaced by the number of cores). */
  public int threads() {
    return threads;
  }

  /** The {@code threads} value as configured (0 = number of cores). */
  public int threadsSetting() {
    return threadsSetting;
  }

  /** The configured public address {@code host:port}, or empty. */
  public Optional<String> publicAddress() {
    return publicAddress.isEmpty() ? Optional.empty() : Optional.of(publicAddress);
  }

  /** Legacy Cumulus TCP mesh port (0 = disabled). Read only: the node never opens it. */
  public int serversPort() {
    return serversPort;
  }

  /** Legacy Cumulus TCP mesh targets ({@code ;}-separated). Read only: never dialled. */
  public String serversTargets() {
    return serversTargets;
  }

  /**
   * A start-up warning when the legacy {@code servers.*} mesh is configured: Altocumulus
   * replaces it with the gRPC control plane (issue #6) and does not open the TCP mesh.
   */
  public Optional<String> legacyServersWarning() {
    if (serversPort == 0 && serversTargets.isBlank()) {
      return Optional.empty();
    }
    return Optional.of("servers.port=" + serversPort + " / servers.targets=" + serversTargets
        + " configure Cumulus's unencrypted TCP server mesh, which this node does not open: "
        + "server links are replaced by the gRPC control plane, configured with cluster.zookeeper, "
        + "grpc.port and the node properties (see issue #6). The values stay readable by scripts.");
  }

  public String smtpHost() {
    return smtpHost;
  }

  public int smtpPort() {
    return smtpPort;
  }

  public Duration smtpTimeout() {
    return Duration.ofSeconds(smtpTimeout);
  }

  public Path applicationDir() {
    return applicationDir;
  }

  public Path logsDirectory() {
    return logsDirectory;
  }

  public String logsName() {
    return logsName;
  }

  /** The applications folder (Lua apps). */
  public Path www() {
    return www;
  }

  /** TCP port of the Prometheus endpoint {@code /metrics}; 0 = not served. */
  public int metricsPort() {
    return metricsPort;
  }

  /** Bind address of {@code /metrics}; empty = all interfaces. */
  public String metricsHost() {
    return metricsHost;
  }

  @Override
  public String toString() {
    return "NodeConfig{host=" + host + ", port=" + port + ", threads=" + threads
        + ", udpBufferSize=" + udpBufferSize + ", keepAliveServer=" + keepAliveServer
        + "s, keepAlivePeer=" + keepAlivePeer + "s, publicAddress=" + publicAddress
        + ", www=" + www + ", logs=" + logsDirectory.resolve(logsName + ".0") + "}";
  }

  /**
   * A numeric key of the raw configuration (the keys beyond Cumulus's: relay, groups, bounds):
   * {@code def} when absent, else a number in {@code min..max}, or a {@link ConfigException}
   * naming the key, the valid range and its unit.
   */
  public long longKey(String key, long def, long min, long max, String unit) {
    String v = raw.get(key);
    if (v == null || v.isBlank()) {
      return def;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, key + "=" + v + " is not a number: valid " + min + ".." + max + " (" + unit + ")");
    }
    if (n < min || n > max) {
      throw new ConfigException(key, key + "=" + v + " is out of range: valid " + min + ".." + max + " (" + unit + ")");
    }
    return n;
  }
}
