package io.altocumulus.edge.lua;

import io.altocumulus.cluster.link.LinkListener;
import io.altocumulus.cluster.link.ServerLink;
import io.altocumulus.cluster.link.ServerLinks;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The cluster as Cumulus apps see it (CUMULUS-FEATURES §4, §5.12, §6): {@code cumulus.servers}
 * and its {@code initiators} / {@code targets}, server objects ({@link LuaServer}),
 * {@code onServerConnection} / {@code onServerDisconnection}, {@code server:<handler>(...)} for
 * link messages, app sync, and server objects as redirect targets.
 *
 * <p>It is the node's {@link LinkListener}: every link event hops onto the Lua thread with
 * {@link LuaHost#execute}, whose single FIFO thread keeps the links' order (up, messages in the
 * order sent, down). The Lua side keeps its own list of up links, changed only on that thread,
 * so a script never sees a link before its onServerConnection or after its onServerDisconnection.
 *
 * <pre>
 *   LuaServers servers = LuaServers.install(host);              // before the cluster starts
 *   ClusterNode node = ClusterNode.start(config, zk, servers);  // servers is the LinkListener
 *   servers.attach(node.links());                               // app sync both ways
 *   ...
 *   node.close();                                               // before host.close()
 * </pre>
 */
public final class LuaServers implements LinkListener {
  private final LuaHost host;
  /** Up links in the order they came up (Lua thread). */
  private final List<ServerLink> links = new ArrayList<>();
  private final ServerCollection all;
  private final ServerCollection initiators;
  private final ServerCollection targets;
  private volatile ServerLinks serverLinks;

  private LuaServers(LuaHost host) {
    this.host = host;
    this.initiators = new ServerCollection(host, this, l -> !l.isTarget(), null, null);
    this.targets = new ServerCollection(host, this, ServerLink::isTarget, null, null);
    this.all = new ServerCollection(host, this, l -> true, initiators, targets);
  }

  /**
   * Adds {@code cumulus.servers} to the host, lets onHandshake / onRendezVousUnknown return server
   * objects and {@code cumulus.servers} (their publicAddress), and follows app starts and stops.
   * Without a cluster, {@code cumulus.servers.count} is 0. Call once per host.
   */
  public static LuaServers install(LuaHost host) {
    LuaServers s = new LuaServers(host);
    host.cumulus().property("servers", s.all::table);
    host.addressResolver(s::redirectTargets);
    host.addAppListener(new LuaHost.AppListener() {
      @Override
      public void started(LuaApplication app) {
        s.appStarted(app);
      }

      @Override
      public void stopping(LuaApplication app) {
        s.appStopping(app);
      }
    });
    return s;
  }

  /** Both steps when the links already exist (the events of links already up are not replayed). */
  public static LuaServers install(LuaHost host, ServerLinks links) {
    return install(host).attach(links);
  }

  /**
   * The node's server links, for app sync: every app already running is announced now, each app
   * that starts later when it starts (ServerLinks sends the list to links that come up later).
   */
  public LuaServers attach(ServerLinks links) {
    this.serverLinks = links;
    host.execute(() -> {
      for (LuaApplication a : host.runningApps()) {
        announce(a);
      }
    });
    return this;
  }

  // ---- LinkListener (the links' thread): hop onto the Lua thread, in order ----

  @Override
  public void linkUp(ServerLink link) {
    lua(() -> {
      links.add(link);
      LuaTable server = LuaServer.of(host, link);
      for (LuaApplication a : host.registeredFor("onServerConnection")) {
        host.call(a.env().rawget("onServerConnection"), server, a.label("onServerConnection"));
      }
    });
  }

  @Override
  public void linkDown(ServerLink link) {
    lua(() -> {
      if (!links.remove(link)) {
        return;
      }
      LuaTable server = LuaServer.of(host, link);
      for (LuaApplication a : host.registeredFor("onServerDisconnection")) {
        host.call(a.env().rawget("onServerDisconnection"), server, a.label("onServerDisconnection"));
      }
      host.unlink(link);
    });
  }

  /** CUMULUS-FEATURES §6 "App sync": load each listed app whose folder exists here. */
  @Override
  public void appSync(ServerLink link, List<String> appPaths) {
    List<String> paths = List.copyOf(appPaths);
    lua(() -> {
      for (String p : paths) {
        String path = appPath(p);
        if (path == null) {
          LuaHost.LOG.warn("server {}: app sync path '{}' refused", link.nodeId(), p);
          continue;
        }
        Path dir = path.isEmpty() ? host.www() : host.www().resolve(path);
        if (Files.isDirectory(dir)) {
          LuaApplication a = host.existing(path);
          if (a == null || !a.running()) {
            LuaHost.LOG.debug("server {}: app sync loads /{}", link.nodeId(), path);
          }
          host.app(path).refresh();
        }
      }
    });
  }

  /** server:&lt;handler&gt;(...) on the link's object, with the decoded arguments (CUMULUS-FEATURES §4). */
  @Override
  public void message(ServerLink link, String handler, byte[] amfPayload) {
    lua(() -> {
      if (!links.contains(link)) {
        return; // went down meanwhile: its object is dead
      }
      LuaTable server = LuaServer.of(host, link);
      Varargs args;
      try {
        args = LuaAmf.decode(host, amfPayload);
      } catch (RuntimeException e) {
        LuaHost.LOG.warn("server {}: message '{}' has bad AMF: {}", link.nodeId(), handler, e.getMessage());
        return;
      }
      // Only the script's own fields: a remote must not reach the built-in members (send...).
      LuaValue fn = server.rawget(handler);
      if (!fn.isfunction()) {
        LuaHost.LOG.warn("server {}: no handler server:{}()", link.nodeId(), handler);
        return;
      }
      host.call(fn, LuaValue.varargsOf(server, args), "server:" + handler);
    });
  }

  private void lua(Runnable r) {
    try {
      host.execute(r);
    } catch (RejectedExecutionException e) {
      // the Lua host closed before the cluster node: nothing to tell scripts any more
    }
  }

  // ---- app life cycle (Lua thread) ----

  /** CUMULUS-FEATURES §4: a starting app gets onServerConnection once per link already up. */
  private void appStarted(LuaApplication app) {
    announce(app);
    LuaValue fn = app.env().rawget("onServerConnection");
    if (fn.isfunction()) {
      for (ServerLink l : new ArrayList<>(links)) {
        host.call(fn, LuaServer.of(host, l), app.label("onServerConnection"));
      }
    }
  }

  /** ... and a stopping one onServerDisconnection once per link. */
  private void appStopping(LuaApplication app) {
    LuaValue fn = app.env().rawget("onServerDisconnection");
    if (fn.isfunction()) {
      for (ServerLink l : new ArrayList<>(links)) {
        host.call(fn, LuaServer.of(host, l), app.label("onServerDisconnection"));
      }
    }
  }

  private void announce(LuaApplication app) {
    ServerLinks sl = serverLinks;
    String path = app.path();
    if (sl != null && Files.isDirectory(path.isEmpty() ? host.www() : host.www().resolve(path))) {
      sl.appStarted(path);
    }
  }

  /**
   * A path from another node as a local app path ("" root, "a/b"), or null when it could leave
   * www/ (the remote is authenticated, but a path is still input).
   */
  static String appPath(String p) {
    if (p == null || p.length() > 1024) {
      return null;
    }
    String s = p;
    while (s.startsWith("/")) {
      s = s.substring(1);
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty()) {
      return "";
    }
    for (String part : s.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..") || part.indexOf('\\') >= 0
          || part.indexOf('\0') >= 0 || part.indexOf(':') >= 0) {
        return null;
      }
    }
    return s;
  }

  // ---- redirect targets (Lua thread, from LuaHost.addresses) ----

  /** A server object is its publicAddress; a collection all of its links' (CUMULUS-FEATURES §6). */
  private List<InetSocketAddress> redirectTargets(LuaValue v) {
    LuaBinding b = LuaBinding.of(v);
    if (b instanceof LuaServer s) {
      if (!s.alive()) {
        return List.of();
      }
      InetSocketAddress a = s.redirectAddress();
      return a == null ? List.of() : List.of(a);
    }
    if (b instanceof ServerCollection c && c.owner == this) {
      List<InetSocketAddress> out = new ArrayList<>();
      for (ServerLink l : c.members()) {
        InetSocketAddress a = ((LuaServer) LuaBinding.of(LuaServer.of(host, l))).redirectAddress();
        if (a != null) {
          out.add(a);
        }
      }
      return out;
    }
    return null;
  }

  /** Up links as the scripts see them, in the order they came up (Lua thread). */
  public List<ServerLink> links() {
    return List.copyOf(links);
  }

  // ---- the collections ----

  /** cumulus.servers, servers.initiators, servers.targets (CUMULUS-FEATURES §5.12). */
  static final class ServerCollection extends LuaBinding {
    final LuaServers owner;
    private final Predicate<ServerLink> filter;
    private final ServerCollection initiators;
    private final ServerCollection targets;

    ServerCollection(LuaHost host, LuaServers owner, Predicate<ServerLink> filter, ServerCollection initiators, ServerCollection targets) {
      super(host);
      this.owner = owner;
      this.filter = filter;
      this.initiators = initiators;
      this.targets = targets;
    }

    List<ServerLink> members() {
      List<ServerLink> out = new ArrayList<>();
      for (ServerLink l : owner.links) {
        if (filter.test(l)) {
          out.add(l);
        }
      }
      return out;
    }

    static final LuaFunction IPAIRS = method(ServerCollection.class, "ipairs", (c, a) -> {
      LuaTable t = new LuaTable();
      int i = 1;
      for (ServerLink l : c.members()) {
        t.rawset(i++, LuaServer.of(c.host, l));
      }
      return c.host.library.rawget("ipairs").invoke(t);
    });

    /** broadcast(handler, ...): encoded once, sent on every link of the collection; answers how many took it. */
    static final LuaFunction BROADCAST = method(ServerCollection.class, "broadcast", (c, a) -> {
      String h = LuaServer.handler(a);
      byte[] amf = LuaAmf.encode(c.host, a.subargs(2), false);
      int n = 0;
      for (ServerLink l : c.members()) {
        if (l.send(h, amf)) {
          n++;
        }
      }
      return LuaValue.valueOf(n);
    });

    @Override
    protected LuaValue index(String key) {
      switch (key) {
        case "count":
          return LuaValue.valueOf(members().size());
        case "ipairs":
          return IPAIRS;
        case "broadcast":
          return BROADCAST;
        case "initiators":
          return initiators == null ? null : initiators.table();
        case "targets":
          return targets == null ? null : targets.table();
        default:
          return null;
      }
    }

    /**
     * servers(i) by 1-based index, servers("host:port") by gRPC address or publicAddress (or node
     * id); nil when nothing matches (Cumulus read past its set, §8.6: fixed).
     */
    @Override
    protected Varargs call(Varargs args) {
      LuaValue k = args.arg1();
      List<ServerLink> m = members();
      if (k.type() == LuaValue.TNUMBER) {
        double d = k.todouble();
        int i = (int) d;
        return i == d && i >= 1 && i <= m.size() ? LuaServer.of(host, m.get(i - 1)) : LuaValue.NIL;
      }
      if (k.type() == LuaValue.TSTRING) {
        String s = k.tojstring().trim();
        for (ServerLink l : m) {
          if (s.equals(l.address()) || s.equals(l.publicAddress())) {
            return LuaServer.of(host, l);
          }
        }
        for (ServerLink l : m) {
          if (s.equals(l.nodeId())) {
            return LuaServer.of(host, l);
          }
        }
      }
      return LuaValue.NIL;
    }
  }
}
