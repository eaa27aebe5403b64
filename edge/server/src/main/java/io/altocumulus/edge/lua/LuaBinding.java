package io.altocumulus.edge.lua;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.ThreeArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The persistent Lua table of a server object (CUMULUS-FEATURES §3 "Persistent objects"): one
 * plain table per object, so scripts may store their own fields on it; the object's properties
 * and methods are served by its metatable. Subclasses answer {@link #index(String)}; methods are
 * shared functions made with {@link #method} that find their object from {@code self} (every
 * method is called with {@code :}). Lua thread only.
 */
public abstract class LuaBinding {
  private static final LuaValue BINDING = LuaValue.valueOf("__binding");
  private static final LuaValue INDEX_FN = new TwoArgFunction() {
    @Override
    public LuaValue call(LuaValue self, LuaValue key) {
      LuaBinding b = of(self);
      if (b == null || !key.isstring()) {
        return NIL;
      }
      LuaValue v = b.index(key.tojstring());
      return v == null ? NIL : v;
    }
  };
  private static final LuaValue NEWINDEX_FN = new ThreeArgFunction() {
    @Override
    public LuaValue call(LuaValue self, LuaValue key, LuaValue value) {
      LuaBinding b = of(self);
      if (b != null && key.isstring()) {
        String k = key.tojstring();
        if (b.set(k, value)) {
          return NONE;
        }
        if (!b.writable(k, value)) {
          throw new LuaError("'" + k + "' is read-only");
        }
      }
      self.rawset(key, value);
      return NONE;
    }
  };

  private static final LuaValue CALL_FN = new VarArgFunction() {
    @Override
    public Varargs invoke(Varargs args) {
      LuaBinding b = of(args.arg1());
      if (b == null) {
        throw new LuaError("attempt to call a table value");
      }
      return b.call(args.subargs(2));
    }
  };

  /** A method body: {@code self} is the bound Java object, {@code args} the arguments after self. */
  @FunctionalInterface
  public interface Method<T extends LuaBinding> {
    Varargs call(T self, Varargs args);
  }

  protected final LuaHost host;
  private final LuaTable table = new LuaTable();
  private boolean alive = true;

  protected LuaBinding(LuaHost host) {
    this.host = host;
    LuaTable mt = new LuaTable();
    mt.rawset(LuaValue.INDEX, INDEX_FN);
    mt.rawset(LuaValue.NEWINDEX, NEWINDEX_FN);
    mt.rawset(LuaValue.CALL, CALL_FN);
    mt.rawset(BINDING, new LuaUserdata(this));
    table.setmetatable(mt);
  }

  /** The object's table (the same for its whole life). */
  public final LuaTable table() {
    return table;
  }

  public final boolean alive() {
    return alive;
  }

  /** The object died: methods called through its table fail from now on. */
  public void unlink() {
    alive = false;
  }

  /**
   * A property value or a method function for {@code key}, or null when the object has no such
   * member (then the script sees nil, or its own field of that name).
   */
  protected abstract LuaValue index(String key);

  /** A writable member the object keeps itself (e.g. writer.reliable): handle it and answer true. */
  protected boolean set(String key, LuaValue value) {
    return false;
  }

  /** {@code object(...)}: collections answer lookups (e.g. {@code cumulus.clients(id)}). */
  protected Varargs call(Varargs args) {
    throw new LuaError("attempt to call a " + getClass().getSimpleName() + " object");
  }

  /** Whether a script may store {@code key}: by default only names that are not members. */
  protected boolean writable(String key, LuaValue value) {
    return index(key) == null;
  }

  /** The binding behind a table, or null. */
  public static LuaBinding of(LuaValue v) {
    if (!v.istable()) {
      return null;
    }
    LuaValue mt = v.getmetatable();
    if (mt == null) {
      return null;
    }
    LuaValue b = mt.rawget(BINDING);
    return b.isuserdata() && b.touserdata() instanceof LuaBinding lb ? lb : null;
  }

  /**
   * A method shared by all objects of {@code type}: checks that it was called with {@code :} on a
   * live object of that type, then runs {@code body} with the arguments after self.
   */
  public static <T extends LuaBinding> LuaFunction method(Class<T> type, String name, Method<T> body) {
    return new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        LuaBinding b = of(args.arg1());
        if (!type.isInstance(b)) {
          throw new LuaError("'" + name + "' must be called with ':' on its object");
        }
        if (!b.alive) {
          throw new LuaError("'" + name + "' called on a dead object");
        }
        return body.call(type.cast(b), args.subargs(2));
      }

      @Override
      public String tojstring() {
        return "function: " + name;
      }
    };
  }
}
