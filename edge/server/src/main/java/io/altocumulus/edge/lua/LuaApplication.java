package io.altocumulus.edge.lua;

import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.NetGroupView;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.stream.Player;
import io.altocumulus.edge.stream.Publication;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import io.altocumulus.rtmfp.tc.TcCommand;
import org.luaj.vm2.lib.ThreeArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * One {@code www/<path>/main.lua} (CUMULUS-FEATURES §3, §4): its environment, its life cycle
 * (load on first use, hot reload on a changed mtime, the saved error that rejects connections)
 * and its events. The environment falls back to the library, then to child apps by folder name
 * (loaded on demand), then to the parent's environment; {@code super} is the parent's.
 *
 * <p>The {@link ServerApplication} methods are called on event loops: each hops onto the Lua
 * thread and completes its stage from there (see {@link LuaHost}).
 */
public final class LuaApplication implements ServerApplication {
  /** onFailed errors waiting for the onDisconnection that follows them (any loop thread). */
  private final java.util.concurrent.ConcurrentHashMap<Client, String> failures = new java.util.concurrent.ConcurrentHashMap<>();

  private static final LuaValue SUPER = LuaValue.valueOf("super");
  /** How long a missing child folder is remembered (lookups of library names must stay cheap). */
  private static final long MISSING_CHILD_NANOS = 2_000_000_000L;

  private final LuaHost host;
  private final String path;
  private final Path dir;
  private final Path script;
  private final java.io.File scriptFile;
  private final LuaApplication parent;
  /** A Globals only so closures made here carry the host's budget hook (LuaJ finds it there); no libraries. */
  private final Globals env;
  private final Map<String, LuaApplication> children = new HashMap<>();
  private final Map<String, Long> missingChildren = new HashMap<>();
  private boolean loaded;
  private long mtime = Long.MIN_VALUE;
  private volatile String lastError;
  private volatile boolean handshake = true;
  private volatile int mediaEvents;

  LuaApplication(LuaHost host, String path, Path dir, LuaApplication parent) {
    this.host = host;
    this.path = path;
    this.dir = dir;
    this.script = dir.resolve("main.lua");
    this.scriptFile = script.toFile();
    this.parent = parent;
    this.env = host.newEnv();
    LuaTable mt = new LuaTable();
    mt.rawset(LuaValue.INDEX, new TwoArgFunction() {
      @Override
      public LuaValue call(LuaValue t, LuaValue key) {
        return lookup(key);
      }
    });
    mt.rawset(LuaValue.NEWINDEX, new ThreeArgFunction() {
      @Override
      public LuaValue call(LuaValue t, LuaValue key, LuaValue value) {
        assign(key, value);
        return NONE;
      }
    });
    env.setmetatable(mt);
    host.installLoaders(env);
  }

  /** "" for the root app, else "a/b". */
  public String path() {
    return path;
  }

  /** The path as scripts see it, as Cumulus gives it: "" for the root, else "/a/b". */
  public String luaPath() {
    return path.isEmpty() ? "" : "/" + path;
  }

  /** The app's global table (Lua thread only). */
  public LuaTable env() {
    return env;
  }

  public LuaApplication parent() {
    return parent;
  }

  /** Loaded without error (a folder without main.lua counts): what app sync announces. */
  public boolean running() {
    return loaded && lastError == null;
  }

  /** The error of the last load, or null when the script runs. */
  public String lastError() {
    return lastError;
  }

  public String label(String event) {
    return (path.isEmpty() ? "/" : path) + " " + event;
  }

  /** Its own main.lua loaded: 1 ran, -1 failed to load, 0 none (any thread: may lag; metrics). */
  int scriptState() {
    if (!loaded || mtime == Long.MIN_VALUE) {
      return 0;
    }
    return lastError == null ? 1 : -1;
  }

  /** Whether this folder or an ancestor has a main.lua (any thread). */
  boolean scripted() {
    for (LuaApplication a = this; a != null; a = a.parent) {
      if (a.loaded && a.mtime != Long.MIN_VALUE || Files.isRegularFile(a.script)) {
        return true;
      }
    }
    return false;
  }

  // ---- environment ----

  private LuaValue lookup(LuaValue key) {
    if (key.raweq(SUPER)) {
      return parent == null ? LuaValue.NIL : parent.env;
    }
    LuaValue v = host.library.rawget(key);
    if (!v.isnil()) {
      return v;
    }
    if (key.type() == LuaValue.TSTRING) {
      LuaApplication child = child(key.tojstring());
      if (child != null) {
        return child.env;
      }
    }
    return parent == null ? LuaValue.NIL : parent.env.get(key);
  }

  /** A child app by folder name, loaded (or reloaded) on this lookup; null if no such folder. */
  private LuaApplication child(String name) {
    LuaApplication c = children.get(name);
    if (c == null) {
      if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
          || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
        return null;
      }
      Long until = missingChildren.get(name);
      long now = System.nanoTime();
      if (until != null && now - until < 0) {
        return null;
      }
      Path d = dir.resolve(name);
      if (!Files.isDirectory(d)) {
        if (missingChildren.size() > 4096) {
          missingChildren.clear();
        }
        missingChildren.put(name, now + MISSING_CHILD_NANOS);
        return null;
      }
      c = host.app(path.isEmpty() ? name : path + "/" + name);
      children.put(name, c);
    }
    c.refresh();
    return c;
  }

  private void assign(LuaValue key, LuaValue value) {
    if (key.type() == LuaValue.TSTRING) {
      String k = key.tojstring();
      if (LuaHost.REGISTERED_EVENTS.contains(k)) {
        host.register(k, this, value.isfunction());
      }
    }
    env.rawset(key, value);
  }

  // ---- life cycle (Lua thread) ----

  /** Loads the script if it is new or changed; stops the app if its script is gone. */
  public void refresh() {
    if (parent != null) {
      parent.refresh(); // a parent runs before its children (their environments fall back to it)
    }
    long m = modified();
    if (loaded && m == mtime) {
      return;
    }
    if (loaded) {
      stop();
    }
    loaded = true;
    mtime = m;
    lastError = null;
    if (m == Long.MIN_VALUE) {
      host.refreshFlags();
      host.appStarted(this);
      return; // a folder without a script: an empty environment
    }
    String chunk = path.isEmpty() ? "main.lua" : path + "/main.lua";
    try {
      host.runFile(script, chunk, env);
    } catch (LuaError e) {
      String msg = LuaHost.message(e);
      lastError = msg.startsWith("@") ? msg.substring(1) : msg; // LuaJ keeps the '@' of file chunk names
      LuaHost.LOG.error("{}: {}", chunk, lastError);
      clear();
      host.refreshFlags();
      return;
    }
    host.refreshFlags();
    host.call(env.get("onStart"), LuaValue.valueOf(luaPath()), label("onStart"));
    host.appStarted(this);
  }

  /** onStop, then an empty environment (before a reload, when the script is deleted, at node stop). */
  void stop() {
    if (loaded && lastError == null && mtime != Long.MIN_VALUE) {
      host.call(env.get("onStop"), LuaValue.valueOf(luaPath()), label("onStop"));
    }
    if (loaded && lastError == null) {
      host.appStopping(this);
    }
    clear();
    loaded = false;
  }

  /** Stops the app for good (until main.lua changes): lua.maxMemory was exceeded. */
  void stopForMemory(String reason) {
    stop();
    loaded = true; // refresh() reloads only when the script's mtime changes
    lastError = reason;
    host.refreshFlags();
  }

  private void clear() {
    List<LuaValue> keys = new ArrayList<>();
    for (LuaValue k = env.next(LuaValue.NIL).arg1(); !k.isnil(); k = env.next(k).arg1()) {
      keys.add(k);
    }
    for (LuaValue k : keys) {
      env.rawset(k, LuaValue.NIL);
    }
    for (String e : LuaHost.REGISTERED_EVENTS) {
      host.register(e, this, false);
    }
    host.installLoaders(env);
  }

  /**
   * The script's mtime and size, checked on every lookup (hot reload). java.io.File answers 0 for
   * a missing file instead of throwing: a folder without main.lua (often the root) would otherwise
   * cost an exception per connection (measured: LuaConnectCpu).
   */
  private long modified() {
    java.io.File f = scriptFile;
    long m = f.lastModified();
    return m == 0 ? Long.MIN_VALUE : m ^ f.length() << 40;
  }

  void refreshFlags() {
    if (!loaded) {
      handshake = true; // unknown until loaded: ask (the Lua side loads it first)
      return;
    }
    handshake = handler("onHandshake").isfunction();
    int bits = 0;
    if (handler("onAudioPacket").isfunction()) {
      bits |= AUDIO;
    }
    if (handler("onVideoPacket").isfunction()) {
      bits |= VIDEO;
    }
    if (handler("onDataPacket").isfunction()) {
      bits |= DATA;
    }
    mediaEvents = bits;
  }

  /** A global event handler, inherited from the parents (CUMULUS-FEATURES §3 "Environments"). */
  public LuaValue handler(String name) {
    try {
      return env.get(name);
    } catch (LuaError e) {
      return LuaValue.NIL;
    }
  }

  // ---- events (called on event loops; run on the Lua thread) ----

  @Override
  public boolean handlesHandshake() {
    return handshake;
  }

  @Override
  public CompletionStage<List<InetSocketAddress>> onHandshake(InetSocketAddress from, String urlPath,
      Map<String, String> properties, int attempts) {
    return host.submit(() -> {
      refresh();
      LuaValue fn = handler("onHandshake");
      if (lastError != null || !fn.isfunction()) {
        return List.of();
      }
      LuaTable props = new LuaTable();
      properties.forEach((k, v) -> props.rawset(k, v));
      Varargs r = host.call(fn, LuaValue.varargsOf(new LuaValue[] {
          LuaValue.valueOf(from.getAddress().getHostAddress() + ":" + from.getPort()),
          LuaValue.valueOf(urlPath == null ? luaPath() : urlPath), props, LuaValue.valueOf(attempts)}), label("onHandshake"));
      return host.addresses(r, again());
    });
  }

  /** "again": the address the client used, which is this node: publicAddress, else the node's own. */
  private InetSocketAddress again() {
    String pub = host.config().get("publicAddress");
    if (pub != null && !pub.isBlank()) {
      InetSocketAddress a = LuaHost.parseAddress(pub.trim());
      if (a != null) {
        return a;
      }
    }
    return host.localAddress();
  }

  @Override
  public CompletionStage<Map<String, Object>> onConnection(Client client, List<Object> args) {
    return host.submit(loopOf(client), () -> {
      refresh();
      if (lastError != null) {
        throw new ConnectionRejected(lastError);
      }
      host.current = this;
      LuaTable c = LuaClient.of(host, client);
      LuaValue fn = handler("onConnection");
      Map<String, Object> extra = Map.of();
      if (fn.isfunction()) {
        LuaValue[] a = new LuaValue[args.size() + 1];
        a[0] = c;
        for (int i = 0; i < args.size(); i++) {
          a[i + 1] = host.toLua(args.get(i));
        }
        Varargs r;
        try {
          r = host.invoke(fn, LuaValue.varargsOf(a));
        } catch (LuaError e) {
          // error("msg") rejects; returning false does not (CUMULUS-FEATURES §8.2, kept).
          String m = errorText(e);
          LuaHost.LOG.info("{}: client {} rejected: {}", label("onConnection"), client.id(), m);
          host.unlink(client);
          throw new ConnectionRejected(m);
        }
        LuaValue t = r.arg1();
        if (t.istable()) {
          LinkedHashMap<String, Object> m = new LinkedHashMap<>();
          for (LuaValue k = t.next(LuaValue.NIL).arg1(); !k.isnil(); k = t.next(k).arg1()) {
            m.put(k.tojstring(), host.fromLua(t.rawget(k)));
          }
          extra = m;
        }
      }
      host.clients.put(client.id(), client);
      return extra;
    });
  }

  /** The text of error(...) without the "file:line: " position Lua adds; "" stays "". */
  public static String errorText(LuaError e) {
    String m = LuaHost.message(e);
    if (m.startsWith("@")) {
      m = m.substring(1);
    }
    // LuaJ prefixes "chunk:line: " to error("msg") at level 1: the client gets msg.
    java.util.regex.Matcher x = POSITION.matcher(m);
    return x.lookingAt() ? m.substring(x.end()) : m;
  }

  private static final java.util.regex.Pattern POSITION = java.util.regex.Pattern.compile("[^\\s:]+:\\d+:? ");

  @Override
  public void onFailed(Client client, String error) {
    // The edge raises onDisconnection right after (NetConnection.onClosed): both run in its one
    // task on the Lua thread, one hand-off instead of two.
    failures.put(client, error == null ? "" : error);
  }

  @Override
  public void onDisconnection(Client client) {
    String failure = failures.remove(client);
    host.execute(() -> {
      LuaTable c = host.persistentIfAny(client);
      if (c != null) {
        LuaClient.readOnly(c, true);
        if (failure != null) {
          host.call(handler("onFailed"), LuaValue.varargsOf(c, LuaValue.valueOf(failure)), label("onFailed"));
        }
        host.call(handler("onDisconnection"), c, label("onDisconnection"));
      }
      host.clientGone(client);
    });
  }

  @Override
  public CompletionStage<CallResult> onCall(Client client, String method, List<Object> args) {
    return onCall(client, method, args, client.transactionId());
  }

  /** An RPC with the transaction id writer:writeAMFResult answers to. */
  public CompletionStage<CallResult> onCall(Client client, String method, List<Object> args, double transactionId) {
    return host.submit(loopOf(client), () -> call(client, method, transactionId, () -> {
      LuaValue[] a = new LuaValue[args.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = host.toLua(args.get(i));
      }
      return a;
    }));
  }

  /** Calls may carry externalizable classes read by Lua (__readExternal): decoded here, on the Lua thread. */
  @Override
  public boolean readsExternalizables() {
    return true;
  }

  /**
   * A call holding an externalizable class (CUMULUS-FEATURES §5.16): decoded on the Lua thread
   * with the host's AMF context, whose readers call {@code onTypedObject} and
   * {@code __readExternal}; the decoding runs under the call's instruction budget.
   */
  @Override
  public CompletionStage<CallResult> onRawCall(Client client, String method, double transactionId, byte[] message) {
    return host.submit(loopOf(client), () -> call(client, method, transactionId, () -> {
      TcCommand cmd = TcCommand.parse(message, 0, message.length, host.amfContext());
      LuaValue[] a = new LuaValue[cmd.args().size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = host.toLua(cmd.args().get(i));
      }
      return a;
    }));
  }

  private CallResult call(Client client, String method, double transactionId, java.util.function.Supplier<LuaValue[]> args) {
    LuaTable c = host.persistentIfAny(client);
    if (c == null) {
      return CallResult.notFound();
    }
    LuaValue fn = c.get(method);
    if (!fn.isfunction()) {
      return CallResult.notFound();
    }
    host.currentTransaction = transactionId;
    host.current = this; // onTypedObject is looked up in this app while the arguments convert
    try {
      // Arguments convert inside the budget: __readExternal and onTypedObject share the call's budget.
      Varargs r = host.invoke(new org.luaj.vm2.lib.VarArgFunction() {
        @Override
        public Varargs invoke(Varargs none) {
          LuaValue[] a;
          try {
            a = args.get();
          } catch (io.altocumulus.rtmfp.wire.WireException e) {
            throw new LuaError("malformed arguments: " + e.getMessage());
          }
          LuaValue[] all = new LuaValue[a.length + 1];
          all[0] = c;
          System.arraycopy(a, 0, all, 1, a.length);
          return fn.invoke(LuaValue.varargsOf(all));
        }
      }, LuaValue.NONE);
      // The last returned value is the result; nothing returned, nothing sent (§8.1, kept).
      return r.narg() == 0 ? CallResult.noResult() : CallResult.result(host.fromLua(r.arg(r.narg())));
    } catch (LuaError e) {
      LuaHost.LOG.warn("{}: client:{}: {}", label("RPC"), method, LuaHost.message(e));
      return CallResult.error(errorText(e));
    } finally {
      host.currentTransaction = 0;
    }
  }

  // ---- streams ----

  @Override
  public CompletionStage<Decision> onPublish(Client client, Publication publication) {
    return decide("onPublish", client, () -> LuaPublication.of(host, publication));
  }

  @Override
  public void onUnpublish(Client client, Publication publication) {
    notify("onUnpublish", client, () -> LuaPublication.of(host, publication));
  }

  @Override
  public CompletionStage<Decision> onSubscribe(Client client, Player listener) {
    return decide("onSubscribe", client, () -> LuaListener.of(host, listener));
  }

  @Override
  public void onUnsubscribe(Client client, Player listener) {
    notify("onUnsubscribe", client, () -> LuaListener.of(host, listener));
  }

  @Override
  public int mediaEvents() {
    return mediaEvents;
  }

  @Override
  public void onDataPacket(Client client, Publication publication, String name, byte[] packet) {
    host.execute(() -> host.call(handler("onDataPacket"), LuaValue.varargsOf(new LuaValue[] {
        clientTable(client), LuaPublication.of(host, publication), LuaValue.valueOf(name), LuaString.valueOf(packet)}),
        label("onDataPacket")));
  }

  @Override
  public void onAudioPacket(Client client, Publication publication, long time, byte[] packet) {
    host.execute(() -> host.call(handler("onAudioPacket"), LuaValue.varargsOf(new LuaValue[] {
        clientTable(client), LuaPublication.of(host, publication), LuaValue.valueOf(time), LuaString.valueOf(packet)}),
        label("onAudioPacket")));
  }

  @Override
  public void onVideoPacket(Client client, Publication publication, long time, byte[] packet) {
    host.execute(() -> host.call(handler("onVideoPacket"), LuaValue.varargsOf(new LuaValue[] {
        clientTable(client), LuaPublication.of(host, publication), LuaValue.valueOf(time), LuaString.valueOf(packet)}),
        label("onVideoPacket")));
  }

  // ---- groups ----

  @Override
  public void onJoinGroup(Client client, NetGroupView group) {
    notify("onJoinGroup", client, () -> LuaGroup.of(host, group));
    host.execute(() -> LuaGroup.forgetIfEmpty(host, group)); // left again before Lua saw it
  }

  @Override
  public void onUnjoinGroup(Client client, NetGroupView group) {
    notify("onUnjoinGroup", client, () -> LuaGroup.of(host, group));
    host.execute(() -> LuaGroup.forgetIfEmpty(host, group)); // the group is gone from this node
  }

  private LuaValue clientTable(Client client) {
    LuaTable t = host.persistentIfAny(client);
    return t != null ? t : LuaClient.of(host, client);
  }

  /** onPublish/onSubscribe: false or an explicit nil refuses, nothing accepts, error refuses with its text. */
  private CompletionStage<Decision> decide(String event, Client client, java.util.function.Supplier<LuaValue> object) {
    return host.submit(loopOf(client), () -> {
      LuaValue fn = handler(event);
      if (!fn.isfunction()) {
        return Decision.ACCEPTED;
      }
      try {
        Varargs r = host.invoke(fn, LuaValue.varargsOf(clientTable(client), object.get()));
        if (r.narg() > 0 && !r.arg1().toboolean()) {
          return Decision.refuse(null);
        }
        return Decision.ACCEPTED;
      } catch (LuaError e) {
        LuaHost.LOG.warn("{}: {}", label(event), LuaHost.message(e));
        return Decision.refuse(errorText(e));
      }
    });
  }

  private void notify(String event, Client client, java.util.function.Supplier<LuaValue> object) {
    // No loop given: these may be raised from another session's loop (a publisher leaving), so
    // the script's writes to this client must go through its own loop.
    host.execute(() -> {
      LuaValue fn = handler(event);
      if (fn.isfunction()) {
        host.call(fn, LuaValue.varargsOf(clientTable(client), object.get()), label(event));
      }
    });
  }

  /**
   * The loop the edge raises this client's answered events on — connect, calls, publish and play
   * come from the client's own session (LuaHost#submit(Executor, Supplier)).
   */
  private static java.util.concurrent.Executor loopOf(Client client) {
    return client.session() == null ? null : client.session().loop();
  }

  @Override
  public String toString() {
    return "LuaApplication[" + (path.isEmpty() ? "/" : path) + "]";
  }
}
