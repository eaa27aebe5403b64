package io.altocumulus.edge.lua;

import java.util.function.Supplier;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * What Lua bindings (client, writer, publication, group, sockets, ...) need from the Lua host
 * (CUMULUS-FEATURES §3). Every app's Lua state is confined to one executor (LuaJ's Globals are
 * not thread-safe, STACK.md): Java events from other threads reach Lua through {@link #execute}.
 */
public interface LuaRuntime {
  /**
   * Runs {@code task} on the Lua executor, after the tasks queued before it: on the caller's
   * thread when Lua is idle, else on the lua thread.
   */
  void execute(Runnable task);

  /** As {@link #execute}, but always on the lua thread: for callers that must not run a script themselves. */
  void enqueue(Runnable task);

  /** True while the current thread runs Lua. */
  boolean inLuaThread();

  /**
   * On the Lua thread: calls {@code self[name](self, args...)} if that member is a function, under
   * the instruction budget. A script error or a budget stop is logged and counted, never thrown;
   * the result is then {@link LuaValue#NONE}, as it is when there is no such function.
   */
  Varargs callMember(LuaValue self, String name, Varargs args);

  /**
   * The persistent table of a server object (CUMULUS-FEATURES §3 "Persistent objects"): the same
   * table for the same {@code owner} for its whole life, made by {@code factory} the first time.
   */
  LuaTable persistent(Object owner, Supplier<LuaTable> factory);

  /** The owner died: forget its table; calls through the table's methods fail from now on. */
  void unlink(Object owner);

  /** An AMF value (as the core's AMF readers produce) as a Lua value (CUMULUS-FEATURES §5.17). */
  LuaValue toLua(Object amfValue);

  /** A Lua value as an AMF value for the core's AMF writers (CUMULUS-FEATURES §5.17). */
  Object fromLua(LuaValue value);
}
