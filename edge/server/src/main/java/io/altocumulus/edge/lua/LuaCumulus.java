package io.altocumulus.edge.lua;

import io.altocumulus.edge.app.Client;
import io.altocumulus.rtmfp.wire.WireException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The {@code cumulus} global (CUMULUS-FEATURES §5.1). Other bindings add their members with
 * {@link #property} (computed on each read, e.g. {@code cumulus.publications}) or
 * {@link #method} (called with {@code :}, e.g. {@code cumulus:createTCPClient()}).
 */
public final class LuaCumulus extends LuaBinding {
  private final Map<String, Supplier<LuaValue>> extra = new ConcurrentHashMap<>();
  private final LuaTable configs;
  private final LuaClients clients;

  LuaCumulus(LuaHost host) {
    super(host);
    this.configs = configs(host.config());
    this.clients = new LuaClients(host);
  }

  /** A read-only member computed on each read (Lua thread). */
  public void property(String name, Supplier<LuaValue> getter) {
    extra.put(name, getter);
  }

  /**
   * A method: {@code body} gets the arguments after {@code self} (the cumulus table). Make the
   * function with {@link LuaBinding#method} if you need the binding, or use this.
   */
  public void method(String name, java.util.function.Function<Varargs, Varargs> body) {
    LuaFunction f = method(LuaCumulus.class, name, (c, a) -> body.apply(a));
    extra.put(name, () -> f);
  }

  LuaTable configs() {
    return configs;
  }

  /** Every key "a.b.c" as configs.a.b.c; "true"/"false" as booleans, numbers as numbers. */
  static LuaTable configs(Map<String, String> config) {
    LuaTable root = new LuaTable();
    config.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      String[] parts = e.getKey().split("\\.");
      LuaTable t = root;
      for (int i = 0; i < parts.length - 1; i++) {
        LuaValue sub = t.rawget(parts[i]);
        if (!sub.istable()) {
          LuaTable n = new LuaTable();
          t.rawset(parts[i], n);
          sub = n;
        }
        t = (LuaTable) sub;
      }
      String leaf = parts[parts.length - 1];
      if (!t.rawget(leaf).istable()) {
        t.rawset(leaf, configValue(e.getValue()));
      }
    });
    return root;
  }

  static LuaValue configValue(String v) {
    String s = v == null ? "" : v.trim();
    if (s.equals("true")) {
      return LuaValue.TRUE;
    }
    if (s.equals("false")) {
      return LuaValue.FALSE;
    }
    if (!s.isEmpty() && s.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
      try {
        return LuaValue.valueOf(Double.parseDouble(s));
      } catch (NumberFormatException e) {
        // not a number after all
      }
    }
    return LuaValue.valueOf(v == null ? "" : v);
  }

  // ---- methods ----

  private static LuaFunction m(String name, java.util.function.BiFunction<LuaCumulus, Varargs, Varargs> f) {
    return method(LuaCumulus.class, name, f::apply);
  }

  static final LuaFunction TO_AMF = m("toAMF", (c, a) -> LuaString.valueOf(LuaAmf.encode(c.host, a, false)));
  static final LuaFunction TO_AMF0 = m("toAMF0", (c, a) -> LuaString.valueOf(LuaAmf.encode(c.host, a, true)));
  static final LuaFunction FROM_AMF = m("fromAMF", (c, a) -> {
    try {
      return LuaAmf.decode(c.host, bytes(a.checkstring(1)));
    } catch (WireException e) {
      throw new LuaError("fromAMF: " + e.getMessage());
    }
  });
  static final LuaFunction ABSOLUTE_PATH = m("absolutePath", (c, a) -> {
    String p = a.optjstring(1, "");
    if (!p.isEmpty() && !p.startsWith("/")) {
      p = "/" + p;
    }
    return LuaValue.valueOf(c.host.www().toString() + p + "/");
  });
  static final LuaFunction SPLIT = m("split", (c, a) -> split(a.checkjstring(1), a.optjstring(2, " "), a.optint(3, 0)));
  static final LuaFunction MD5 = m("md5", (c, a) -> digest("MD5", a));
  static final LuaFunction SHA256 = m("sha256", (c, a) -> digest("SHA-256", a));
  static final LuaFunction ADD_TO_BLACKLIST = m("addToBlacklist", (c, a) -> {
    for (int i = 1; i <= a.narg(); i++) {
      c.host.blacklist().add(ip(a.checkjstring(i)));
    }
    return LuaValue.NONE;
  });
  static final LuaFunction REMOVE_FROM_BLACKLIST = m("removeFromBlacklist", (c, a) -> {
    for (int i = 1; i <= a.narg(); i++) {
      c.host.blacklist().remove(ip(a.checkjstring(i)));
    }
    return LuaValue.NONE;
  });

  private static InetAddress ip(String s) {
    String host = s.trim();
    int colon = host.lastIndexOf(':');
    if (colon > 0 && host.indexOf(':') == colon) {
      host = host.substring(0, colon); // "ip:port" given: the port is ignored
    }
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new LuaError("'" + s + "' is not an IP address");
    }
  }

  static byte[] bytes(LuaString s) {
    byte[] b = new byte[s.rawlen()];
    s.copyInto(0, b, 0, b.length);
    return b;
  }

  /** One digest per argument; md5 is the correct 16 bytes (Cumulus returned 32, §8.4: fixed). */
  static Varargs digest(String algorithm, Varargs a) {
    LuaValue[] out = new LuaValue[a.narg()];
    try {
      for (int i = 1; i <= a.narg(); i++) {
        MessageDigest md = MessageDigest.getInstance(algorithm);
        out[i - 1] = LuaString.valueOf(md.digest(bytes(a.checkstring(i))));
      }
    } catch (NoSuchAlgorithmException e) {
      throw new LuaError(algorithm + " unavailable");
    }
    return LuaValue.varargsOf(out);
  }

  /** Splits on any character of {@code sep}; options: 1 ignores empty pieces, 2 trims them (POCO tokenizer flags). */
  static Varargs split(String expr, String sep, int options) {
    List<LuaValue> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= expr.length(); i++) {
      if (i == expr.length() || sep.indexOf(expr.charAt(i)) >= 0) {
        String piece = expr.substring(start, i);
        if ((options & 2) != 0) {
          piece = piece.trim();
        }
        if ((options & 1) == 0 || !piece.isEmpty()) {
          out.add(LuaValue.valueOf(piece));
        }
        start = i + 1;
      }
    }
    return LuaValue.varargsOf(out.toArray(new LuaValue[0]));
  }

  @Override
  protected LuaValue index(String key) {
    switch (key) {
      case "clients":
        return clients.table();
      case "publicAddress": {
        String p = host.config().get("publicAddress");
        return p == null ? LuaValue.valueOf("") : LuaValue.valueOf(p);
      }
      case "configs":
        return configs;
      case "epochTime":
        return LuaValue.valueOf((double) System.currentTimeMillis());
      case "toAMF":
        return TO_AMF;
      case "toAMF0":
        return TO_AMF0;
      case "fromAMF":
        return FROM_AMF;
      case "absolutePath":
        return ABSOLUTE_PATH;
      case "split":
        return SPLIT;
      case "md5":
        return MD5;
      case "sha256":
        return SHA256;
      case "addToBlacklist":
        return ADD_TO_BLACKLIST;
      case "removeFromBlacklist":
        return REMOVE_FROM_BLACKLIST;
      default: {
        Supplier<LuaValue> s = extra.get(key);
        return s == null ? null : s.get();
      }
    }
  }

  /** cumulus.clients (CUMULUS-FEATURES §5.3): count, pairs(), and a call by raw or hex id. */
  static final class LuaClients extends LuaBinding {
    LuaClients(LuaHost host) {
      super(host);
    }

    static final LuaFunction PAIRS = method(LuaClients.class, "pairs", (c, a) -> {
      LuaTable t = new LuaTable();
      for (Map.Entry<String, Client> e : c.host.clients.entrySet()) {
        t.rawset(e.getKey(), LuaClient.of(c.host, e.getValue()));
      }
      return LuaValue.varargsOf(c.host.library.rawget("next"), t, LuaValue.NIL);
    });

    @Override
    protected LuaValue index(String key) {
      return switch (key) {
        case "count" -> LuaValue.valueOf(host.clients.size());
        case "pairs" -> PAIRS;
        default -> null;
      };
    }

    @Override
    protected Varargs call(Varargs args) {
      LuaValue id = args.arg1();
      if (!id.isstring()) {
        return LuaValue.NIL;
      }
      LuaString s = id.checkstring();
      String hex = s.rawlen() == 32 ? HexFormat.of().formatHex(bytes(s)) : s.tojstring().toLowerCase();
      Client c = host.clients.get(hex);
      return c == null ? LuaValue.NIL : LuaClient.of(host, c);
    }
  }
}
