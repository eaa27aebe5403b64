package io.altocumulus.edge.lua.io;

import io.altocumulus.edge.lua.LuaRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.jse.JsePlatform;

/** A minimal Lua host for the binding tests: one thread, plain globals with a {@code cumulus} table, errors recorded. */
final class TestLuaRuntime implements LuaRuntime, AutoCloseable {
  private volatile Thread thread;
  private final ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "test-lua");
    t.setDaemon(true);
    thread = t;
    return t;
  });
  final Globals globals = JsePlatform.standardGlobals();
  final LuaTable cumulus = new LuaTable();
  final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  private final Map<Object, LuaTable> tables = new IdentityHashMap<>();

  TestLuaRuntime() {
    globals.set("cumulus", cumulus);
  }

  @Override
  public void execute(Runnable task) {
    exec.execute(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        errors.add(e.toString());
      }
    });
  }

  @Override
  public void enqueue(Runnable task) {
    execute(task);
  }

  @Override
  public boolean inLuaThread() {
    return Thread.currentThread() == thread;
  }

  @Override
  public Varargs callMember(LuaValue self, String name, Varargs args) {
    if (!inLuaThread()) {
      errors.add("callMember " + name + " off the Lua thread");
      return LuaValue.NONE;
    }
    LuaValue f = self.get(name);
    if (!f.isfunction()) {
      return LuaValue.NONE;
    }
    try {
      return f.invoke(LuaValue.varargsOf(self, args));
    } catch (LuaError e) {
      errors.add(name + ": " + e.getMessage());
      return LuaValue.NONE;
    }
  }

  @Override
  public LuaTable persistent(Object owner, Supplier<LuaTable> factory) {
    return tables.computeIfAbsent(owner, o -> factory.get());
  }

  @Override
  public void unlink(Object owner) {
    tables.remove(owner);
  }

  int persistentCount() {
    return onLua(tables::size);
  }

  @Override
  public LuaValue toLua(Object amfValue) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Object fromLua(LuaValue value) {
    throw new UnsupportedOperationException();
  }

  <T> T onLua(Supplier<T> s) {
    try {
      return exec.submit(s::get).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a chunk on the Lua thread; a Lua error is thrown here. */
  Varargs run(String chunk) {
    return onLua(() -> globals.load(chunk, "test").invoke());
  }

  LuaValue eval(String expr) {
    return run("return " + expr).arg1();
  }

  /** Waits until the Lua expression is true (sockets are real: there is no clock to fake). */
  void await(String expr, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!eval(expr).toboolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + expr + "; Lua errors: " + errors);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  void await(String expr) {
    await(expr, Duration.ofSeconds(10));
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }
}
