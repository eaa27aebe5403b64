package io.altocumulus.edge.lua;

import io.altocumulus.edge.stream.Publication;
import io.altocumulus.edge.stream.ServerPublication;
import io.altocumulus.edge.stream.StreamRegistry;
import java.util.Map;
import java.util.TreeMap;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The stream side of the {@code cumulus} object: {@code cumulus.publications} (CUMULUS-FEATURES
 * §5.9: {@code count}, {@code pairs()} by name, {@code cumulus.publications(name)}) and
 * {@code cumulus:publish(name)} (a server publication, §5.10; nil if the name is published).
 */
public final class LuaStreams {
  private LuaStreams() {}

  /** Adds the members to {@code host.cumulus()}; forgets the tables of released publications and players. */
  public static void install(LuaHost host, StreamRegistry streams) {
    LuaTable publications = new Publications(host, streams).table();
    host.cumulus().property("publications", () -> publications);
    host.cumulus().method("publish", a -> {
      String name = a.checkjstring(1);
      if (name.isEmpty()) {
        throw new LuaError("cumulus:publish needs a stream name");
      }
      ServerPublication sp = streams.publish(name);
      return sp == null ? LuaValue.NIL : LuaPublication.of(host, sp.publication());
    });
    streams.addReleaseListener(o -> host.execute(() -> host.unlink(o)));
  }

  static final class Publications extends LuaBinding {
    private final StreamRegistry streams;

    Publications(LuaHost host, StreamRegistry streams) {
      super(host);
      this.streams = streams;
    }

    static final LuaFunction PAIRS = method(Publications.class, "pairs", (c, a) -> {
      LuaTable t = new LuaTable();
      Map<String, Publication> sorted = new TreeMap<>();
      for (Publication p : c.streams.all()) {
        sorted.put(p.name(), p);
      }
      for (Map.Entry<String, Publication> e : sorted.entrySet()) {
        t.rawset(e.getKey(), LuaPublication.of(c.host, e.getValue()));
      }
      return LuaValue.varargsOf(c.host.library.rawget("next"), t, LuaValue.NIL);
    });

    @Override
    protected LuaValue index(String key) {
      return switch (key) {
        case "count" -> LuaValue.valueOf(streams.count());
        case "pairs" -> PAIRS;
        default -> null;
      };
    }

    @Override
    protected Varargs call(Varargs args) {
      if (!args.arg1().isstring()) {
        return LuaValue.NIL;
      }
      Publication p = streams.find(args.arg1().tojstring());
      return p == null ? LuaValue.NIL : LuaPublication.of(host, p);
    }
  }
}
