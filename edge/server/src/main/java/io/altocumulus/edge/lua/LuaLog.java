package io.altocumulus.edge.lua;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * The logging globals ERROR, WARN, NOTE, INFO, DEBUG, TRACE and print (CUMULUS-FEATURES §3): the
 * arguments joined with Cumulus's rendering (nil "(null)", booleans "(true)"/"(false)", tables
 * "table_&lt;id&gt;", functions "function_&lt;id&gt;"), logged on the "lua" logger after the
 * script's "file:line" (NOTE is INFO: slf4j has no level between INFO and WARN).
 */
public final class LuaLog {
  private LuaLog() {}

  static void install(LuaHost host, LuaTable library) {
    library.rawset("ERROR", logger(host, Level.ERROR));
    library.rawset("WARN", logger(host, Level.WARN));
    library.rawset("NOTE", logger(host, Level.INFO));
    library.rawset("INFO", logger(host, Level.INFO));
    library.rawset("DEBUG", logger(host, Level.DEBUG));
    library.rawset("TRACE", logger(host, Level.TRACE));
    library.rawset("print", logger(host, Level.INFO));
  }

  private static LuaValue logger(LuaHost host, Level level) {
    Logger log = LuaHost.LOG;
    return new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        if (log.isEnabledForLevel(level)) {
          // The script's file and line, as Cumulus logged them; found only when the line is logged.
          String where = host.where();
          String text = join(args);
          log.atLevel(level).log(where == null ? text : where + " " + text);
        }
        return NONE;
      }
    };
  }

  /** The arguments joined with no separator, each as {@link #toString(LuaValue)}. */
  public static String join(Varargs args) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= args.narg(); i++) {
      sb.append(toString(args.arg(i)));
    }
    return sb.toString();
  }

  /** Cumulus's rendering of one value (Script::ToString). */
  public static String toString(LuaValue v) {
    switch (v.type()) {
      case LuaValue.TNIL:
      case LuaValue.TNONE:
        return "(null)";
      case LuaValue.TBOOLEAN:
        return v.toboolean() ? "(true)" : "(false)";
      case LuaValue.TNUMBER:
      case LuaValue.TSTRING:
        return v.tojstring();
      case LuaValue.TTABLE:
        return "table_" + Integer.toHexString(System.identityHashCode(v));
      case LuaValue.TFUNCTION:
        return "function_" + Integer.toHexString(System.identityHashCode(v));
      default:
        return v.typename() + "_" + Integer.toHexString(System.identityHashCode(v));
    }
  }
}
