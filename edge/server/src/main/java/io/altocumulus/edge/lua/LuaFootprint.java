package io.altocumulus.edge.lua;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.UpValue;

/**
 * Estimated heap held by Lua data reachable from a root (lua.maxMemory): LuaJ 3 has no
 * allocation hook, so we walk tables, strings and closure upvalues with rough JVM sizes (object
 * headers and references, compressed oops). An estimate, not an exact count: it is meant to catch
 * a script that keeps growing a cache, not to account for every byte.
 */
final class LuaFootprint {
  static final long TABLE = 64;
  static final long SLOT = 32;
  static final long STRING = 48;
  static final long CLOSURE = 48;

  private LuaFootprint() {}

  /**
   * Bytes reachable from {@code root}, not counting what is reachable only through {@code skip}
   * (the host's library); stops early once over {@code stopAbove}.
   */
  static long estimate(LuaTable root, long stopAbove, LuaValue... skip) {
    IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
    for (LuaValue s : skip) {
      seen.put(s, Boolean.TRUE);
    }
    ArrayDeque<LuaValue> todo = new ArrayDeque<>();
    todo.add(root);
    seen.put(root, Boolean.TRUE);
    long total = 0;
    while (!todo.isEmpty() && total <= stopAbove) {
      LuaValue v = todo.poll();
      if (v instanceof LuaTable t) {
        total += TABLE;
        LuaValue k = LuaValue.NIL;
        while (total <= stopAbove) {
          var n = t.next(k);
          k = n.arg1();
          if (k.isnil()) {
            break;
          }
          total += SLOT;
          push(k, seen, todo);
          push(n.arg(2), seen, todo);
        }
      } else if (v instanceof LuaString s) {
        total += STRING + s.m_length;
      } else if (v instanceof LuaClosure c) {
        total += CLOSURE;
        if (c.upValues != null) {
          for (UpValue u : c.upValues) {
            if (u != null) {
              push(u.getValue(), seen, todo);
            }
          }
        }
      }
    }
    return total;
  }

  private static void push(LuaValue v, IdentityHashMap<Object, Boolean> seen, ArrayDeque<LuaValue> todo) {
    if ((v instanceof LuaTable || v instanceof LuaString || v instanceof LuaClosure) && seen.put(v, Boolean.TRUE) == null) {
      todo.add(v);
    }
  }
}
