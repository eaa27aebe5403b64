package io.altocumulus.edge.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The applications folder (CUMULUS-FEATURES §3): the path of a client's URL names a folder under
 * {@code www/}; a missing folder means NetConnection.Connect.InvalidApp. Applications given in
 * code (tests, embedding) take precedence over folders.
 */
public final class Applications {
  private static final ServerApplication EMPTY = new ServerApplication() {};

  private final Path www;
  private final Map<String, ServerApplication> registered = new ConcurrentHashMap<>();
  private volatile NodeHooks nodeHooks = NodeHooks.NONE;
  private volatile Scripts scripts;

  /** Where scripted applications come from (the Lua host). */
  public interface Scripts {
    /** The application of an existing folder {@code dir} for {@code path}, or null when it has no script. */
    ServerApplication find(String path, Path dir);
  }

  public Applications(Path www) {
    this.www = www.toAbsolutePath().normalize();
  }

  public Path www() {
    return www;
  }

  /** Node-wide events (onRendezVousUnknown, ...): the Lua host's, or none. */
  public NodeHooks nodeHooks() {
    return nodeHooks;
  }

  public Applications nodeHooks(NodeHooks hooks) {
    this.nodeHooks = hooks == null ? NodeHooks.NONE : hooks;
    return this;
  }

  /** Serves folders with a script through {@code s} (the Lua host); null: every folder accepts everything. */
  public Applications scripts(Scripts s) {
    this.scripts = s;
    return this;
  }

  /** Registers an application for a path ("" is the root app). */
  public Applications register(String path, ServerApplication app) {
    registered.put(normalize(path), app);
    return this;
  }

  /**
   * The application for a URL path, or null when the path names no application folder. Paths
   * that try to leave {@code www/} ("..", absolute) name nothing.
   */
  public ServerApplication find(String path) {
    String p = normalize(path);
    if (p == null) {
      return null;
    }
    ServerApplication app = registered.get(p);
    if (app != null) {
      return app;
    }
    Path dir = www.resolve(p).normalize();
    if (!dir.startsWith(www) || !Files.isDirectory(dir)) {
      return null;
    }
    Scripts s = scripts;
    if (s != null) {
      ServerApplication scripted = s.find(p, dir);
      if (scripted != null) {
        return scripted;
      }
    }
    return EMPTY;
  }

  /** "a/b" form: no leading or trailing '/', no empty, '.' or '..' segments; null if invalid. */
  public static String normalize(String path) {
    if (path == null) {
      return "";
    }
    String p = path;
    int q = p.indexOf('?');
    if (q >= 0) {
      p = p.substring(0, q);
    }
    StringBuilder sb = new StringBuilder();
    for (String seg : p.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..") || seg.indexOf('\\') >= 0 || seg.indexOf('\0') >= 0) {
        return null;
      }
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(seg);
    }
    return sb.toString();
  }
}
