package io.altocumulus.edge.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * One node's Prometheus registry (its own, not the client's default, so several nodes can live in
 * one JVM as the tests do), the JVM metrics, {@code rtmfp_build_info}, and the HTTP endpoint
 * {@code /metrics} on {@code metrics.port}.
 *
 * <p>Naming (shared/STACK.md "Metrics naming"): prefix {@code rtmfp_}, base units, {@code _total}
 * on counters, and never a label per peer, session, group or stream: label values must come from a
 * small fixed set (an enum).
 *
 * <p><b>Adding a metric from another layer takes one line</b>, with {@code EdgeNode.metrics()}:
 * <pre>
 * // issue 4, Lua host: errors and instruction-budget stops
 * Counter luaErrors = metrics.counter("rtmfp_lua_errors_total", "Lua errors raised by applications (load, event, RPC).");
 * Counter luaBudget = metrics.counter("rtmfp_lua_budget_stops_total", "Lua calls stopped by the instruction budget.");
 * // issue 5, rendezvous and NetGroups: read existing state at scrape time
 * metrics.counterOf("rtmfp_rendezvous_introductions_total", "P2P introductions sent.", directory::introductions);
 * metrics.gaugeOf("rtmfp_netgroups", "NetGroups with at least one member on this node.", groups::size);
 * // issue 6, cluster: membership and ZooKeeper connection state (1 connected, 0 not)
 * metrics.gaugeOf("rtmfp_cluster_members", "Edges in this node's view of the cluster.", () -> members.size());
 * metrics.gaugeOf("rtmfp_zookeeper_connected", "1 while the ZooKeeper session is connected.", () -> zk.isConnected() ? 1 : 0);
 * </pre>
 * Then add the panel to {@code ops/grafana/altocumulus-cluster.json} and, where it helps, an alert
 * to {@code ops/prometheus/altocumulus-rules.yml}: {@code MetricsIT} checks that every name they
 * use is in a live node's exposition.
 */
public final class NodeMetrics implements AutoCloseable {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final String version;
  private HTTPServer server;

  public NodeMetrics() {
    this(currentVersion());
  }

  public NodeMetrics(String version) {
    this.version = version;
    JvmMetrics.builder().register(registry);
    Info build = Info.builder().name("rtmfp_build_info")
        .help("Version of the running node (value 1).")
        .labelNames("version", "java_version").register(registry);
    build.setLabelValues(version, System.getProperty("java.version", "unknown"));
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public String version() {
    return version;
  }

  // ---- one-line registration for every layer of the node ----

  /** A counter incremented by the caller ({@code inc()} allocates nothing once labels are bound). */
  public Counter counter(String name, String help, String... labelNames) {
    return Counter.builder().name(name).help(help).labelNames(labelNames).register(registry);
  }

  /** A gauge set by the caller. */
  public Gauge gauge(String name, String help, String... labelNames) {
    return Gauge.builder().name(name).help(help).labelNames(labelNames).register(registry);
  }

  /** A histogram with classic buckets only ({@code upperBounds} in base units, e.g. seconds). */
  public Histogram histogram(String name, String help, double... upperBounds) {
    return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(upperBounds)
        .register(registry);
  }

  /** A counter read at scrape time from an existing monotonic count: nothing on the hot path. */
  public void counterOf(String name, String help, LongSupplier value) {
    CounterWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(value.getAsLong())).register(registry);
  }

  /** A gauge read at scrape time. */
  public void gaugeOf(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(value.getAsDouble())).register(registry);
  }

  /**
   * A counter with one label whose values are the map's keys (a small fixed set), each read at
   * scrape time from its own monotonic count, e.g. {@code Map.of("forwarded", i::introductions, ...)}.
   */
  public void counterOf(String name, String help, String labelName, Map<String, LongSupplier> byLabel) {
    Map<String, LongSupplier> values = new LinkedHashMap<>(byLabel);
    CounterWithCallback.builder().name(name).help(help).labelNames(labelName)
        .callback(cb -> values.forEach((label, v) -> cb.call(v.getAsLong(), label))).register(registry);
  }

  /** A gauge with one label over a small fixed set of values, read at scrape time. */
  public void gaugeOf(String name, String help, String labelName, Map<String, DoubleSupplier> byLabel) {
    Map<String, DoubleSupplier> values = new LinkedHashMap<>(byLabel);
    GaugeWithCallback.builder().name(name).help(help).labelNames(labelName)
        .callback(cb -> values.forEach((label, v) -> cb.call(v.getAsDouble(), label))).register(registry);
  }

  // ---- exposition ----

  /**
   * Serves {@code /metrics} (and {@code /-/healthy}) on {@code host:port}; port 0 picks a free one.
   * Runs on the JDK's HTTP server with its own small pool, never on an event loop.
   */
  public synchronized void serve(String host, int port) throws IOException {
    if (server != null) {
      throw new IllegalStateException("metrics already served on port " + server.getPort());
    }
    HTTPServer.Builder b = HTTPServer.builder().port(port).registry(registry);
    if (host != null && !host.isBlank()) {
      b.hostname(host);
    }
    server = b.buildAndStart();
  }

  /** The HTTP port, or -1 when not serving. */
  public synchronized int httpPort() {
    return server == null ? -1 : server.getPort();
  }

  /** The exposition in the Prometheus text format 0.0.4, as served at {@code /metrics}. */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  static String currentVersion() {
    try (InputStream in = NodeMetrics.class.getResourceAsStream("/io/altocumulus/edge/version.properties")) {
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
    return "unknown";
  }
}
