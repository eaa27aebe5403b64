package io.altocumulus.edge.lua;

import io.altocumulus.edge.app.Applications;
import io.altocumulus.edge.app.Client;
import io.altocumulus.edge.app.NodeHooks;
import io.altocumulus.edge.app.ServerApplication;
import io.altocumulus.edge.net.Blacklist;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.Bit32Lib;
import org.luaj.vm2.lib.CoroutineLib;
import org.luaj.vm2.lib.DebugLib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseIoLib;
import org.luaj.vm2.lib.jse.JseMathLib;
import org.luaj.vm2.lib.jse.JseOsLib;
import org.luaj.vm2.lib.jse.LuajavaLib;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lua host (CUMULUS-FEATURES §3): the {@code www/} applications as Lua environments, the
 * {@code cumulus} object, the sandbox, the instruction budget and the AMF ↔ Lua mapping.
 *
 * <p><b>One Lua thread for all applications.</b> LuaJ's Globals are not thread-safe (STACK.md),
 * and Cumulus's apps share their environments: a child sees its parent's globals and apps call
 * into each other. So every app runs on this host's single executor thread, as every Cumulus
 * script ran on its single main thread — except that here a loop finding Lua idle runs its event
 * itself and answers at once ({@link LuaExecutor}); a busy Lua queues the event for the lua
 * thread, and the answer hops back to the session's loop ({@code session.loop().execute}).
 * Nothing ever blocks a loop waiting for Lua.
 */
public final class LuaHost implements LuaRuntime, NodeHooks, Applications.Scripts, AutoCloseable {
  static final Logger LOG = LoggerFactory.getLogger("lua");
  public static final long DEFAULT_BUDGET = 10_000_000L;
  /** Cumulus's manage period (CUMULUS-FEATURES §2 "manager" thread). */
  static final long MANAGE_MILLIS = 2000;
  static final Path NO_PATH = Path.of("");

  /** Server-wide events an app registers for by assigning the global (CUMULUS-FEATURES §3). */
  static final List<String> REGISTERED_EVENTS =
      List.of("onManage", "onRendezVousUnknown", "onServerConnection", "onServerDisconnection");

  private final Path www;
  private final Map<String, String> config;
  private final boolean unsafe;
  private final long budget;
  private final Blacklist blacklist;
  private final LuaExecutor executor;
  private final Globals globals;
  private final BudgetLib budgetLib;
  /** What every app environment falls back to: the sandboxed libraries, cumulus, the logging globals. */
  final Globals library;
  private final LuaCumulus cumulus;
  private final ConcurrentHashMap<String, LuaApplication> apps = new ConcurrentHashMap<>();
  private final IdentityHashMap<Object, LuaTable> persistent = new IdentityHashMap<>();
  /** Apps registered per server-wide event, in registration order. */
  final Map<String, LinkedHashSet<LuaApplication>> registered = new HashMap<>();
  /** Connected clients by hex id (cumulus.clients), Lua thread only. */
  final LinkedHashMap<String, Client> clients = new LinkedHashMap<>();
  /** Flow writers made by newFlowWriter, for their onManage. */
  final LinkedHashSet<LuaWriter> flowWriters = new LinkedHashSet<>();
  private volatile boolean rendezVousUnknown;
  private volatile Supplier<InetSocketAddress> localAddress = () -> null;
  private int depth;
  /** The transaction id of the command being handled (writer:writeAMFResult), 0 outside one. */
  double currentTransaction;
  final AtomicLong scriptErrors = new AtomicLong();
  final AtomicLong budgetStops = new AtomicLong();
  final AtomicLong memoryStops = new AtomicLong();
  /** lua.maxMemory: bytes an app's data may hold (estimated, checked every manage tick); 0 = off. */
  private final long maxMemory;

  /**
   * @param www the applications folder
   * @param config every configuration key (cumulus.configs); {@code lua.unsafe=true} lifts the
   *     sandbox, {@code lua.budget} sets the instructions allowed per callback
   * @param blacklist the node's ban list (cumulus:addToBlacklist), or null
   */
  public LuaHost(Path www, Map<String, String> config, Blacklist blacklist) {
    this.www = www.toAbsolutePath().normalize();
    this.config = Map.copyOf(config);
    this.unsafe = "true".equalsIgnoreCase(config.getOrDefault("lua.unsafe", "false").trim());
    this.budget = parseBudget(config.get("lua.budget"));
    this.maxMemory = parseMaxMemory(config.get("lua.maxMemory"));
    this.blacklist = blacklist == null ? new Blacklist() : blacklist;
    this.executor = new LuaExecutor("lua", this::manage, MANAGE_MILLIS);
    this.globals = new Globals();
    globals.load(new JseBaseLib());
    globals.load(new PackageLib());
    globals.load(new Bit32Lib());
    globals.load(new TableLib());
    globals.load(new StringLib());
    globals.load(new CoroutineLib());
    globals.load(new JseMathLib());
    globals.load(new JseIoLib());
    globals.load(new JseOsLib());
    globals.load(new LuajavaLib());
    this.budgetLib = new BudgetLib();
    globals.load(budgetLib);
    this.library = newEnv();
    LoadState.install(globals);
    LuaC.install(globals);
    buildLibrary();
    this.cumulus = new LuaCumulus(this);
    library.rawset("cumulus", cumulus.table());
    library.rawset("cumulus.configs", cumulus.configs());
    LuaLog.install(this, library);
    runPrelude();
    executor.start();
  }

  private static long parseBudget(String v) {
    if (v == null || v.isBlank()) {
      return DEFAULT_BUDGET;
    }
    try {
      long n = Long.parseLong(v.trim());
      return n <= 0 ? Long.MAX_VALUE : n;
    } catch (NumberFormatException e) {
      throw new io.altocumulus.edge.config.ConfigException("lua.budget",
          "lua.budget=" + v + " is not a number: instructions per callback, 0 = unlimited");
    }
  }

  /** lua.maxMemory: 0 (off) or 1 MiB..64 GiB. */
  private static long parseMaxMemory(String v) {
    if (v == null || v.isBlank()) {
      return 0;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n != 0 && (n < (1L << 20) || n > (64L << 30))) {
      throw new io.altocumulus.edge.config.ConfigException("lua.maxMemory",
          "lua.maxMemory=" + v + " is out of range: valid 0 (off) or 1048576..68719476736 (bytes)");
    }
    return n;
  }

  public long maxMemory() {
    return maxMemory;
  }

  /** Apps stopped because their data went over lua.maxMemory. */
  public long memoryStops() {
    return memoryStops.get();
  }

  /**
   * LuaJ has no allocation hook, so lua.maxMemory is checked by estimating what each running app
   * holds: everything reachable from its globals and the upvalues of its functions (tables,
   * strings), never the host's library. The walk stops once over the bound, so a check costs at
   * most ~maxMemory/40 visits. An app over it is stopped (onStop, empty globals) until its
   * main.lua changes.
   */
  private void checkMemory() {
    if (maxMemory <= 0) {
      return;
    }
    for (LuaApplication a : new ArrayList<>(apps.values())) {
      if (!a.running()) {
        continue;
      }
      long used = LuaFootprint.estimate(a.env(), maxMemory, library, cumulus.table());
      if (used > maxMemory) {
        LOG.error("{}: stopped, its data is over lua.maxMemory={} bytes", a.label("memory"), maxMemory);
        a.stopForMemory("over lua.maxMemory (" + maxMemory + " bytes)");
        memoryStops.incrementAndGet(); // after the stop: whoever reads the count sees the app stopped
      }
    }
  }

  /** Loads the root app now (CUMULUS-FEATURES §3 "The root app loads at server start"). */
  public LuaHost start() {
    execute(() -> app("").refresh());
    return this;
  }

  public Path www() {
    return www;
  }

  public Map<String, String> config() {
    return config;
  }

  public boolean unsafe() {
    return unsafe;
  }

  public long budget() {
    return budget;
  }

  public Blacklist blacklist() {
    return blacklist;
  }

  /** Script errors so far (compile, run and callback errors). */
  public long scriptErrors() {
    return scriptErrors.get();
  }

  /** Callbacks stopped by the instruction budget so far. */
  public long budgetStops() {
    return budgetStops.get();
  }

  /** Applications whose main.lua is loaded: running ({@code failed} false) or failed to load (metrics). */
  public int apps(boolean failed) {
    int n = 0;
    for (LuaApplication a : apps.values()) {
      n += a.scriptState() == (failed ? -1 : 1) ? 1 : 0;
    }
    return n;
  }

  /** Where "again" in onHandshake points when publicAddress is not configured: the node's own address. */
  public LuaHost localAddress(Supplier<InetSocketAddress> s) {
    this.localAddress = s == null ? () -> null : s;
    return this;
  }

  InetSocketAddress localAddress() {
    return localAddress.get();
  }

  /** The cumulus object, for bindings that add members ({@link LuaCumulus#property}, {@link LuaCumulus#method}). */
  public LuaCumulus cumulus() {
    return cumulus;
  }

  /** Makes a binding of {@code owner} persistent: {@code persistent(owner, () -> new X(host, owner).table())}. */
  @Override
  public LuaTable persistent(Object owner, Supplier<LuaTable> factory) {
    LuaTable t = persistent.get(owner);
    if (t == null) {
      t = factory.get();
      persistent.put(owner, t);
    }
    return t;
  }

  /** The persistent table of {@code owner} if it has one, else null. */
  public LuaTable persistentIfAny(Object owner) {
    return persistent.get(owner);
  }

  @Override
  public void unlink(Object owner) {
    LuaTable t = persistent.remove(owner);
    if (t != null) {
      LuaBinding b = LuaBinding.of(t);
      if (b != null) {
        b.unlink();
      }
    }
  }

  // ---- executor ----

  /** Runs {@code task} now if Lua is idle, else after the tasks queued before it ({@link LuaExecutor}). */
  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  @Override
  public void enqueue(Runnable task) {
    executor.enqueue(task);
  }

  /** Runs {@code task} as {@link #execute} does and completes with its value (or its exception). */
  public <T> CompletableFuture<T> submit(Supplier<T> task) {
    return submit(null, task);
  }

  /**
   * {@link #submit(Supplier)} for an event raised on a session loop: run inline, what the script
   * writes to that loop's sessions goes out at once, before the answer ({@link #onLoop}).
   */
  public <T> CompletableFuture<T> submit(java.util.concurrent.Executor callerLoop, Supplier<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    executor.execute(callerLoop, () -> {
      try {
        f.complete(task.get());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  /** From Lua: runs {@code r} on {@code loop}, at once if the current event runs inline there. */
  void onLoop(java.util.concurrent.Executor loop, Runnable r) {
    executor.onLoop(loop, r);
  }

  @Override
  public boolean inLuaThread() {
    return executor.inLua();
  }

  /** The lua thread (queued tasks, the manage tick), for benchmarks that clock its CPU. */
  public long luaThreadId() {
    return executor.threadId();
  }

  // ---- calls under the budget ----

  /**
   * Calls {@code fn(args)} under the instruction budget; a script error or a budget stop is
   * thrown as a {@link LuaError} (counted). The budget covers the outermost call: a callback
   * that calls back into Lua shares its budget.
   */
  public Varargs invoke(LuaValue fn, Varargs args) {
    boolean outer = depth == 0;
    if (outer) {
      budgetLib.arm(budget);
    }
    depth++;
    try {
      return fn.invoke(args);
    } catch (LuaError e) {
      if (outer && budgetLib.exceeded) {
        budgetStops.incrementAndGet();
        throw new LuaError("script stopped: more than " + budget + " instructions in one callback");
      }
      scriptErrors.incrementAndGet();
      throw e;
    } catch (StackOverflowError e) {
      scriptErrors.incrementAndGet();
      throw new LuaError("stack overflow");
    } catch (RuntimeException e) {
      scriptErrors.incrementAndGet();
      throw new LuaError(e);
    } finally {
      depth--;
      if (outer) {
        budgetLib.disarm();
      }
    }
  }

  /** As {@link #invoke} but logs errors and answers {@link LuaValue#NONE}; {@code what} names the callback in the log. */
  public Varargs call(LuaValue fn, Varargs args, String what) {
    if (!fn.isfunction()) {
      return LuaValue.NONE;
    }
    try {
      return invoke(fn, args);
    } catch (LuaError e) {
      LOG.error("{}: {}", what, message(e));
      return LuaValue.NONE;
    }
  }

  /** A Lua error's text without the stack traceback LuaJ appends when the debug hook is on. */
  public static String message(LuaError e) {
    String m = e.getMessage();
    if (m == null) {
      return "";
    }
    int tb = m.indexOf("\nstack traceback:");
    m = tb >= 0 ? m.substring(0, tb) : m;
    return m.startsWith("@") ? m.substring(1) : m; // LuaJ keeps the '@' of file chunk names

  }

  @Override
  public Varargs callMember(LuaValue self, String name, Varargs args) {
    LuaValue fn;
    try {
      fn = self.get(name);
    } catch (LuaError e) {
      return LuaValue.NONE;
    }
    return call(fn, LuaValue.varargsOf(self, args), name);
  }

  // ---- AMF ----

  /** The host's AMF context: the core's, plus the Lua externalizable types seen so far (Lua thread). */
  private final io.altocumulus.rtmfp.amf.AmfContext amfContext = new io.altocumulus.rtmfp.amf.AmfContext();
  private final LuaAmf.LuaExternalizer externalizer = new LuaAmf.LuaExternalizer(this);

  {
    // Every class nobody registered is read by Lua (onTypedObject / __readExternal, §5.16);
    // LuaExternalizer throws for a class without a reader, and the message is malformed.
    amfContext.fallback(externalizer);
  }
  /** The app whose event is being dispatched (onTypedObject is looked up there). */
  LuaApplication current;

  public io.altocumulus.rtmfp.amf.AmfContext amfContext() {
    return amfContext;
  }

  /** A class written with __writeExternal: from now on it is also read through __readExternal. */
  void registerExternal(String className) {
    if (amfContext.externalizer(className) == null) {
      amfContext.register(className, externalizer);
    }
  }

  /** onTypedObject(type, object) of the current app (else the root app), for each typed object read. */
  void onTypedObject(String className, LuaTable object) {
    LuaApplication a = current != null ? current : apps.get("");
    if (a == null) {
      return;
    }
    LuaValue fn = a.handler("onTypedObject");
    if (fn.isfunction()) {
      call(fn, LuaValue.varargsOf(LuaValue.valueOf(className), object), a.label("onTypedObject"));
    }
  }

  /** A client is gone: forget it, its tables and its flow writers. */
  void clientGone(Client c) {
    clients.remove(c.id());
    for (LuaWriter w : new ArrayList<>(flowWriters)) {
      if (w.client() == c) {
        unlink(w);
        w.unlink();
      }
    }
    unlink(c.netConnection());
    unlink(c);
  }

  @Override
  public LuaValue toLua(Object amfValue) {
    return LuaAmf.toLua(this, amfValue);
  }

  @Override
  public Object fromLua(LuaValue value) {
    return LuaAmf.fromLua(this, value);
  }

  // ---- applications ----

  /** Applications.Scripts: a Lua application for folders that have a main.lua (or an ancestor that has). */
  @Override
  public ServerApplication find(String path, Path dir) {
    LuaApplication app = app(path);
    return app.scripted() ? app : null;
  }

  /** The application of a normalized path ("" = root), made on first use; its script loads on the Lua thread. */
  public LuaApplication app(String path) {
    LuaApplication a = apps.get(path);
    if (a != null) {
      return a;
    }
    LuaApplication parent = path.isEmpty() ? null : app(parentPath(path));
    return apps.computeIfAbsent(path, p -> new LuaApplication(this, p, p.isEmpty() ? www : www.resolve(p), parent));
  }

  /** An app already made, or null. */
  public LuaApplication existing(String path) {
    return apps.get(path);
  }

  static String parentPath(String path) {
    int i = path.lastIndexOf('/');
    return i < 0 ? "" : path.substring(0, i);
  }

  void register(String event, LuaApplication app, boolean on) {
    LinkedHashSet<LuaApplication> set = registered.computeIfAbsent(event, e -> new LinkedHashSet<>());
    if (on) {
      set.add(app);
    } else {
      set.remove(app);
    }
    if (event.equals("onRendezVousUnknown")) {
      rendezVousUnknown = !set.isEmpty();
    }
  }

  public List<LuaApplication> registeredFor(String event) {
    LinkedHashSet<LuaApplication> set = registered.get(event);
    return set == null ? List.of() : new ArrayList<>(set);
  }

  /**
   * Life-cycle listener of the apps (Lua thread): server links raise onServerConnection /
   * onServerDisconnection for an app that starts / stops while links exist, and announce its
   * path to the other nodes (CUMULUS-FEATURES §4, §6 "App sync").
   */
  public interface AppListener {
    /** The app loaded without error (its onStart has run); also for a folder without main.lua. */
    default void started(LuaApplication app) {}

    /** The app is stopping (after its onStop, before its environment is emptied). */
    default void stopping(LuaApplication app) {}
  }

  private final List<AppListener> appListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public void addAppListener(AppListener l) {
    appListeners.add(l);
  }

  void appStarted(LuaApplication a) {
    for (AppListener l : appListeners) {
      try {
        l.started(a);
      } catch (RuntimeException e) {
        LOG.error("app listener failed on start of {}", a, e);
      }
    }
  }

  void appStopping(LuaApplication a) {
    for (AppListener l : appListeners) {
      try {
        l.stopping(a);
      } catch (RuntimeException e) {
        LOG.error("app listener failed on stop of {}", a, e);
      }
    }
  }

  /** The apps loaded without error, in no particular order (Lua thread). */
  public List<LuaApplication> runningApps() {
    List<LuaApplication> out = new ArrayList<>();
    for (LuaApplication a : apps.values()) {
      if (a.running()) {
        out.add(a);
      }
    }
    return out;
  }

  /** Recomputes the cheap per-app flags (handlesHandshake, mediaEvents) after any (re)load. */
  void refreshFlags() {
    for (LuaApplication a : apps.values()) {
      a.refreshFlags();
    }
  }

  /** Every 2 s: the root's hot reload, registered onManage, client:onManage, writer:onManage. */
  private void manage() {
    try {
      app("").refresh();
      checkMemory();
      for (LuaApplication a : registeredFor("onManage")) {
        call(a.env().rawget("onManage"), LuaValue.NONE, a.label("onManage"));
      }
      for (Client c : new ArrayList<>(clients.values())) {
        LuaTable t = persistent.get(c);
        // Only a function the script stored on the client (raw), not a URL query parameter of
        // that name, and no metatable lookup for the many clients that have none.
        LuaValue fn = t == null ? LuaValue.NIL : t.rawget("onManage");
        if (fn.isfunction()) {
          call(fn, t, "client:onManage");
        }
      }
      for (LuaWriter w : new ArrayList<>(flowWriters)) {
        callMember(w.table(), "onManage", LuaValue.NONE);
      }
    } catch (RuntimeException e) {
      LOG.error("Lua manage failed", e);
    }
  }

  // ---- NodeHooks ----

  @Override
  public boolean handlesRendezVousUnknown() {
    return rendezVousUnknown;
  }

  @Override
  public CompletionStage<List<InetSocketAddress>> onRendezVousUnknown(byte[] peerId) {
    byte[] id = peerId.clone();
    return submit(() -> {
      for (LuaApplication a : registeredFor("onRendezVousUnknown")) {
        Varargs r = call(a.env().rawget("onRendezVousUnknown"), LuaString.valueOf(id), a.label("onRendezVousUnknown"));
        List<InetSocketAddress> out = addresses(r, null);
        if (!out.isEmpty()) {
          return out;
        }
      }
      return List.of();
    });
  }

  /**
   * Redirect targets from Lua values (CUMULUS-FEATURES §4 onHandshake): "host:port" strings,
   * tables of them, and "again" = {@code again} (the address the client used). Bindings for
   * server links add theirs through {@link #addressResolver}.
   */
  List<InetSocketAddress> addresses(Varargs values, InetSocketAddress again) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (int i = 1; i <= values.narg(); i++) {
      addAddresses(values.arg(i), again, out, 0);
    }
    return out;
  }

  private volatile Function<LuaValue, List<InetSocketAddress>> addressResolver = v -> null;

  /** Lets a binding (server links) turn its objects into redirect addresses; answer null when not one of yours. */
  public void addressResolver(Function<LuaValue, List<InetSocketAddress>> r) {
    this.addressResolver = r;
  }

  private void addAddresses(LuaValue v, InetSocketAddress again, List<InetSocketAddress> out, int depth) {
    if (depth > 4 || out.size() >= 64) {
      return;
    }
    if (v.type() == LuaValue.TSTRING) {
      String s = v.tojstring().trim();
      if (s.equals("again")) {
        if (again != null) {
          out.add(again);
        } else {
          LOG.warn("onHandshake returned \"again\" but neither publicAddress nor the node's address is known");
        }
        return;
      }
      InetSocketAddress a = parseAddress(s);
      if (a != null) {
        out.add(a);
      } else {
        LOG.warn("redirect target '{}' is not host:port", s);
      }
      return;
    }
    if (v.istable()) {
      List<InetSocketAddress> bound = addressResolver.apply(v);
      if (bound != null) {
        out.addAll(bound);
        return;
      }
      for (int i = 1; i <= v.length(); i++) {
        addAddresses(v.get(i), again, out, depth + 1);
      }
    }
  }

  static InetSocketAddress parseAddress(String s) {
    int colon = s.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      if (port < 1 || port > 65535) {
        return null;
      }
      InetSocketAddress a = new InetSocketAddress(s.substring(0, colon).replace("[", "").replace("]", ""), port);
      return a.isUnresolved() ? null : a;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  // ---- the sandbox ----

  private static final String[] SAFE_BASE = {
      "assert", "collectgarbage", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
      "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "xpcall",
      "_VERSION", "string", "table", "math", "coroutine", "bit32"};
  private static final String[] UNSAFE_BASE = {"io", "luajava", "debug", "dofile", "loadfile", "require", "package"};
  private static final String[] SAFE_OS = {"time", "clock", "date", "difftime"};

  private void buildLibrary() {
    for (String name : SAFE_BASE) {
      library.rawset(name, globals.rawget(name));
    }
    LuaValue os = globals.rawget("os");
    if (unsafe) {
      for (String name : UNSAFE_BASE) {
        library.rawset(name, globals.rawget(name));
      }
      library.rawset("os", os);
    } else {
      LuaTable safeOs = new LuaTable();
      for (String name : SAFE_OS) {
        safeOs.rawset(name, os.get(name));
      }
      library.rawset("os", safeOs);
    }
    library.rawset("unpack", globals.get("table").get("unpack"));
  }

  /** Lua 5.1 names LuaJIT-era scripts use (STACK.md "a small prelude"). */
  private void runPrelude() {
    String prelude = """
        table.getn = table.getn or function(t) return #t end
        table.maxn = table.maxn or function(t)
          local m = 0
          for k in pairs(t) do if type(k) == 'number' and k > m then m = k end end
          return m
        end
        table.setn = table.setn or function() end
        math.mod = math.mod or math.fmod
        math.pow = math.pow or function(a, b) return a ^ b end
        math.log10 = math.log10 or function(x) return math.log(x, 10) end
        string.gfind = string.gfind or string.gmatch
        """;
    LuaValue chunk = globals.load(prelude, "=prelude", library);
    chunk.call();
  }

  /**
   * {@code load}/{@code loadstring} for one app: text chunks only (no bytecode) unless lua.unsafe,
   * and the app's environment unless another is given.
   */
  void installLoaders(LuaTable env) {
    LuaValue load = new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        LuaValue chunk = args.arg1();
        String name = args.optjstring(2, "=(load)");
        LuaValue e = args.narg() >= 4 && !args.arg(4).isnil() ? args.arg(4) : env;
        try {
          InputStream in;
          if (chunk.isstring()) {
            LuaString s = chunk.checkstring();
            if (!unsafe && s.length() > 0 && s.luaByte(0) == 0x1B) {
              return varargsOf(NIL, valueOf("loading bytecode is not allowed"));
            }
            in = s.toInputStream();
          } else if (chunk.isfunction()) {
            StringBuilder sb = new StringBuilder();
            for (LuaValue piece = chunk.call(); piece.isstring() && piece.length() > 0; piece = chunk.call()) {
              sb.append(piece.tojstring());
            }
            if (!unsafe && sb.length() > 0 && sb.charAt(0) == 0x1B) {
              return varargsOf(NIL, valueOf("loading bytecode is not allowed"));
            }
            in = LuaString.valueOf(sb.toString()).toInputStream();
          } else {
            return varargsOf(NIL, valueOf("bad argument #1 to 'load'"));
          }
          return globals.load(in, name, unsafe ? "bt" : "t", e);
        } catch (LuaError err) {
          return varargsOf(NIL, valueOf(err.getMessage()));
        }
      }
    };
    env.rawset("load", load);
    env.rawset("loadstring", load);
  }

  /**
   * A table for an environment. LuaJ runs its debug hook (our instruction budget) only for
   * closures whose environment is a Globals, so environments are Globals without libraries.
   */
  Globals newEnv() {
    Globals g = new Globals();
    g.debuglib = budgetLib;
    g.compiler = globals.compiler;
    g.loader = globals.loader;
    g.undumper = globals.undumper;
    g.baselib = globals.baselib;
    g.running = globals.running;
    return g;
  }

  /** Compiles and runs {@code file} in {@code env} under the budget; throws LuaError. */
  void runFile(Path file, String chunkName, LuaTable env) {
    byte[] src;
    try {
      src = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new LuaError("cannot read " + chunkName + ": " + e.getMessage());
    }
    if (!unsafe && src.length > 0 && src[0] == 0x1B) {
      throw new LuaError(chunkName + ": precompiled scripts are not allowed (lua.unsafe=false)");
    }
    LuaValue chunk;
    try {
      chunk = globals.load(new java.io.ByteArrayInputStream(src), "@" + chunkName, unsafe ? "bt" : "t", env);
    } catch (LuaError e) {
      scriptErrors.incrementAndGet();
      throw e;
    }
    invoke(chunk, LuaValue.NONE);
  }

  /** Stops every app (onStop), then the Lua thread. */
  @Override
  public void close() {
    try {
      submit(() -> {
        for (LuaApplication a : apps.values()) {
          a.stop();
        }
        return null;
      }).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Lua apps did not stop cleanly: {}", e.toString());
    }
    executor.close(2_000);
  }

  /**
   * "file:line" of the Lua code running now (the caller of a Java function such as ERROR), from
   * the debug call stack the budget hook keeps; null outside Lua code.
   */
  String where() {
    String tb = budgetLib.traceback(1);
    // "stack traceback:\n\tmain.lua:3: in ..." — the first frame with a line is the Lua caller.
    for (String line : tb.split("\n")) {
      String l = line.trim();
      int in = l.indexOf(": in ");
      if (in > 0 && !l.startsWith("[")) {
        String pos = l.substring(0, in);
        return pos.startsWith("@") ? pos.substring(1) : pos;
      }
    }
    return null;
  }

  /** Counts instructions (a debug hook on every VM instruction): the per-callback budget. */
  private static final class BudgetLib extends DebugLib {
    private long remaining = Long.MAX_VALUE;
    boolean exceeded;

    void arm(long budget) {
      remaining = budget;
      exceeded = false;
    }

    void disarm() {
      remaining = Long.MAX_VALUE;
    }

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
      // Once over, every later instruction throws again, so a pcall cannot swallow the stop.
      if (--remaining < 0) {
        exceeded = true;
        throw new LuaError("instruction budget exceeded");
      }
      super.onInstruction(pc, v, top);
    }
  }
}
